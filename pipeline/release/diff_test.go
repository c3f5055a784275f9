package release

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/pipeline/write/csv"
	"github.com/plandata/plandata/schemas"
)

// naiveDiff is the comparison as maps of every row of both sides, each table read whole: the
// reference the merge of key-ordered streams must agree with. Its rows go into a changes
// table, which orders them.
func naiveDiff(t *testing.T, old, new Side, cs *schemas.Table) *table.Table {
	t.Helper()
	planChanged, refChanged := changedFiles(old.Manifest.Sources, new.Manifest.Sources)
	pipelineChanged := old.Manifest.PipelineVersion != new.Manifest.PipelineVersion || old.Manifest.SchemaVersion != new.Manifest.SchemaVersion
	cause := func(name string) string {
		switch {
		case pipelineChanged:
			return CausePipeline
		case slices.Contains(referenceTables, name) || !planChanged && refChanged:
			return CauseReference
		default:
			return CauseSource
		}
	}
	fieldsOf := func(os *schemas.Table, or table.Row, ns *schemas.Table, nr table.Row) []string {
		var fields []string
		for i, c := range ns.Columns {
			if j := os.Index(c.Name); j < 0 || table.Canon(or[j]) != table.Canon(nr[i]) {
				fields = append(fields, c.Name)
			}
		}
		for _, c := range os.Columns {
			if ns.Index(c.Name) < 0 {
				fields = append(fields, c.Name)
			}
		}
		return fields
	}
	all := func(tb *table.Table) []table.Row {
		if tb == nil {
			return nil
		}
		rows, err := tb.All()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	var rows []table.Row
	emit := func(name, key, change string, fields []string, before, after any) {
		r := make(table.Row, len(cs.Columns))
		set := func(col string, v any) { r[cs.Index(col)] = v }
		set("table_name", name)
		set("row_key", key)
		set("change", change)
		if len(fields) > 0 {
			set("fields", fields)
		}
		set("before", before)
		set("after", after)
		set("cause", cause(name))
		set("previous_release_id", old.Manifest.ReleaseID)
		rows = append(rows, r)
	}
	for _, nt := range new.Set.Tables {
		if nt.Schema.View || nt.Name() == "changes" {
			continue
		}
		ot := old.Set.Table(nt.Name())
		oldRows := map[string]table.Row{}
		if ot != nil {
			for _, r := range all(ot) {
				oldRows[rowKey(ot.Schema, r)] = r
			}
		}
		newKeys := map[string]bool{}
		for _, r := range all(nt) {
			key := rowKey(nt.Schema, r)
			newKeys[key] = true
			or, ok := oldRows[key]
			if !ok {
				emit(nt.Name(), key, "added", nil, nil, object(nt.Schema, r, nil))
				continue
			}
			if fields := fieldsOf(ot.Schema, or, nt.Schema, r); len(fields) > 0 {
				emit(nt.Name(), key, "modified", fields, object(ot.Schema, or, fields), object(nt.Schema, r, fields))
			}
		}
		for _, r := range all(ot) {
			if key := rowKey(ot.Schema, r); !newKeys[key] {
				emit(nt.Name(), key, "removed", nil, object(ot.Schema, r, nil), nil)
			}
		}
	}
	for _, ot := range old.Set.Tables {
		if ot.Schema.View || ot.Name() == "changes" || new.Set.Table(ot.Name()) != nil {
			continue
		}
		for _, r := range all(ot) {
			emit(ot.Name(), rowKey(ot.Schema, r), "removed", nil, object(ot.Schema, r, nil), nil)
		}
	}
	want, err := table.FromRows(cs, rows)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func changesSchema() *schemas.Table { return schemas.MustLoad().Table("changes") }

// diffRows runs Diff into a new changes table and returns its rows.
func diffRows(t *testing.T, old, new Side) []table.Row {
	t.Helper()
	out := table.New(changesSchema())
	if err := Diff(old, new, out); err != nil {
		t.Fatal(err)
	}
	rows, err := out.All()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func mustAll(t *testing.T, tb *table.Table) []table.Row {
	t.Helper()
	rows, err := tb.All()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func text(name string, required bool) schemas.Column {
	return schemas.Column{Name: name, Type: schemas.Text, Required: required}
}

func column(name string, typ schemas.Type) schemas.Column {
	return schemas.Column{Name: name, Type: typ}
}

// fill returns a set of schema s holding rows per table; tables not named stay empty.
func fill(t *testing.T, s *schemas.Set, rows map[string][]table.Row) *table.Set {
	t.Helper()
	set := table.NewSet(s)
	for name, rs := range rows {
		tb := set.Table(name)
		if tb == nil {
			t.Fatalf("no table %s", name)
		}
		for _, r := range rs {
			if err := tb.Append(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	return set
}

var (
	oldManifest = Manifest{ReleaseID: "r1", PipelineVersion: "v1", SchemaVersion: "1",
		Sources: []FileEntry{{Path: "plans/2022.yaml", SHA256: "a"}, {Path: "agencies.yaml", SHA256: "b"}}}
	newManifest = Manifest{ReleaseID: "r2", PipelineVersion: "v1", SchemaVersion: "1",
		Sources: []FileEntry{{Path: "plans/2022.yaml", SHA256: "c"}, {Path: "agencies.yaml", SHA256: "b"}}}
)

// TestDiffRows spells out every change of a small comparison: rows added, modified and
// removed, a table whose columns changed, tables on one side only, a view and the changes
// table left out, and integer keys in canonical order.
func TestDiffRows(t *testing.T) {
	agencies := &schemas.Table{Name: "agencies", PrimaryKey: []string{"agency_id"},
		Columns: []schemas.Column{text("agency_id", true), text("name", false), column("rank", schemas.Integer)}}
	oldTasks := &schemas.Table{Name: "tasks", PrimaryKey: []string{"plan", "n"}, Columns: []schemas.Column{
		text("plan", true), {Name: "n", Type: schemas.Integer, Required: true}, text("title", false),
		column("due", schemas.Date), column("tags", schemas.TextList), text("note", false)}}
	newTasks := &schemas.Table{Name: "tasks", PrimaryKey: []string{"plan", "n"}, Columns: []schemas.Column{
		text("plan", true), {Name: "n", Type: schemas.Integer, Required: true}, text("title", false),
		column("due", schemas.Date), column("tags", schemas.TextList), column("weight", schemas.Double)}}
	id := func(name string) *schemas.Table {
		return &schemas.Table{Name: name, PrimaryKey: []string{"id"}, Columns: []schemas.Column{text("id", true)}}
	}
	view := &schemas.Table{Name: "flat", View: true, PrimaryKey: []string{"id"}, Columns: []schemas.Column{text("id", true)}}
	olds := &schemas.Set{Tables: []*schemas.Table{agencies, oldTasks, id("old_only"), view, changesSchema()}}
	news := &schemas.Set{Tables: []*schemas.Table{agencies, newTasks, id("new_only"), view, changesSchema()}}

	d := table.Date(2022, 1, 1)
	old := fill(t, olds, map[string][]table.Row{
		"agencies": {{"a1", "Alpha", int64(1)}, {"a2", "Beta", int64(2)}, {"a3", "Gamma", int64(3)}},
		"tasks": {
			{"p1", int64(10), "t10", nil, nil, "n"},
			{"p1", int64(1), "t1", d, []string{"x"}, "n"},
			{"p1", int64(2), "t2", nil, nil, "n"},
		},
		"old_only": {{"o2"}, {"o1"}},
		"flat":     {{"v1"}},
	})
	new := fill(t, news, map[string][]table.Row{
		"agencies": {{"a4", "Delta", nil}, {"a2", "Beta2", int64(2)}, {"a1", "Alpha", int64(1)}},
		"tasks": {
			{"p1", int64(1), "t1", d, []string{"x"}, 0.5},
			{"p1", int64(10), "t10b", nil, nil, nil},
			{"p1", int64(9), "t9", d, []string{"y", "z"}, nil},
		},
		"new_only": {{"n1"}},
		"flat":     {{"v2"}},
		"changes":  {{"tasks", "p1/1", "added", nil, nil, "{}", CauseSource, "r0"}},
	})
	oldSide, newSide := Side{Set: old, Manifest: &oldManifest}, Side{Set: new, Manifest: &newManifest}
	got := diffRows(t, oldSide, newSide)

	row := func(tb, key, change string, fields []string, before, after any, cause string) table.Row {
		r := table.Row{tb, key, change, nil, before, after, cause, "r1"}
		if fields != nil {
			r[3] = fields
		}
		return r
	}
	want := []table.Row{
		row("agencies", "a2", "modified", []string{"name"}, `{"name":"Beta"}`, `{"name":"Beta2"}`, CauseReference),
		row("agencies", "a3", "removed", nil, `{"agency_id":"a3","name":"Gamma","rank":3}`, nil, CauseReference),
		row("agencies", "a4", "added", nil, nil, `{"agency_id":"a4","name":"Delta","rank":null}`, CauseReference),
		row("new_only", "n1", "added", nil, nil, `{"id":"n1"}`, CauseSource),
		row("old_only", "o1", "removed", nil, `{"id":"o1"}`, nil, CauseSource),
		row("old_only", "o2", "removed", nil, `{"id":"o2"}`, nil, CauseSource),
		// A column added and one dropped: every row present on both sides is modified.
		row("tasks", "p1/1", "modified", []string{"weight", "note"}, `{"note":"n"}`, `{"weight":0.5}`, CauseSource),
		row("tasks", "p1/10", "modified", []string{"title", "weight", "note"}, `{"title":"t10","note":"n"}`, `{"title":"t10b","weight":null}`, CauseSource),
		row("tasks", "p1/2", "removed", nil, `{"plan":"p1","n":2,"title":"t2","due":null,"tags":null,"note":"n"}`, nil, CauseSource),
		row("tasks", "p1/9", "added", nil, nil, `{"plan":"p1","n":9,"title":"t9","due":"2022-01-01","tags":["y","z"],"weight":null}`, CauseSource),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(mustAll(t, naiveDiff(t, oldSide, newSide, changesSchema())), got); diff != "" {
		t.Errorf("merge differs from the map-based comparison (-maps +merge):\n%s", diff)
	}

	// A new pipeline version is the cause of every change.
	pm := newManifest
	pm.PipelineVersion = "v2"
	for _, r := range diffRows(t, oldSide, Side{Set: new, Manifest: &pm}) {
		if r[6] != CausePipeline {
			t.Errorf("%v: cause %v, want %s", r[:3], r[6], CausePipeline)
		}
	}
	// Identical sides: nothing.
	if rows := diffRows(t, newSide, newSide); len(rows) != 0 {
		t.Errorf("a release compared with itself: %d changes, want none: %v", len(rows), rows)
	}
}

// TestDiffSample compares sample releases, one with an older schema, through the merge and
// through maps of every row.
func TestDiffSample(t *testing.T) {
	news := schemas.MustLoad()
	olds, err := schemas.Parse(schemas.Raw())
	if err != nil {
		t.Fatal(err)
	}
	// The old release had an extra column in agencies, lacked the last optional column of
	// regions and the aspects table, and had a table since dropped.
	ag := olds.Table("agencies")
	ag.Columns = append(ag.Columns, text("retired_note", false))
	rg := olds.Table("regions")
	for i := len(rg.Columns) - 1; i >= 0; i-- {
		if !rg.Columns[i].Required && !slices.Contains(rg.PrimaryKey, rg.Columns[i].Name) {
			rg.Columns = slices.Delete(rg.Columns, i, i+1)
			break
		}
	}
	if len(rg.Columns) == len(news.Table("regions").Columns) {
		t.Fatal("regions has no optional column to drop")
	}
	olds.Tables = slices.DeleteFunc(olds.Tables, func(ts *schemas.Table) bool { return ts.Name == "aspects" })
	olds.Tables = append(olds.Tables, &schemas.Table{Name: "legacy", PrimaryKey: []string{"legacy_id"},
		Columns: []schemas.Column{text("legacy_id", true), column("size", schemas.Integer)}})

	old := tabletest.Sample(olds)
	new := tabletest.Sample(news)
	// The new release drops the first task, changes the second and adds one.
	edit(t, new, "tasks", func(ts *schemas.Table, rows []table.Row) []table.Row {
		rows[1][ts.Index("summary_en")] = "changed"
		added := slices.Clone(rows[2])
		added[ts.Index("task_id")] = "tasks-task_id-9"
		return append(rows[1:], added)
	})
	edit(t, new, "sources", func(ts *schemas.Table, rows []table.Row) []table.Row {
		rows[0][ts.Index("title")] = "renamed"
		return rows
	})

	oldSide, newSide := Side{Set: old, Manifest: &oldManifest}, Side{Set: new, Manifest: &newManifest}
	got := diffRows(t, oldSide, newSide)
	if diff := cmp.Diff(mustAll(t, naiveDiff(t, oldSide, newSide, changesSchema())), got); diff != "" {
		t.Errorf("merge differs from the map-based comparison (-maps +merge):\n%s", diff)
	}
	count := map[string]int{}
	for _, r := range got {
		count[r[0].(string)+" "+r[2].(string)]++
	}
	want := map[string]int{
		"tasks removed": 1, "tasks modified": 1, "tasks added": 1, "sources modified": 1,
		"agencies modified": tabletest.Rows, "regions modified": tabletest.Rows,
		"aspects added": tabletest.Rows, "legacy removed": tabletest.Rows,
	}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("changes per table (-want +got):\n%s", diff)
	}
}

// edit replaces the rows of a table of set by what fn makes of them.
func edit(t *testing.T, set *table.Set, name string, fn func(*schemas.Table, []table.Row) []table.Row) {
	t.Helper()
	i := slices.IndexFunc(set.Tables, func(tb *table.Table) bool { return tb.Name() == name })
	rows := fn(set.Tables[i].Schema, mustAll(t, set.Tables[i]))
	tb, err := table.FromRows(set.Tables[i].Schema, rows)
	if err != nil {
		t.Fatal(err)
	}
	set.Tables[i] = tb
}

// TestDiffSpilled compares tables larger than one run of a spilling set, appended in random
// order, with keys whose canonical order differs from the order of their strings and
// numbers, with rows added, modified and removed at the start, the middle and the end.
func TestDiffSpilled(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 60 MB of temporary files")
	}
	keyed := func(name string) *schemas.Table {
		return &schemas.Table{Name: name, PrimaryKey: []string{"grp", "n"}, Columns: []schemas.Column{
			text("grp", true), {Name: "n", Type: schemas.Integer, Required: true},
			text("payload", true), column("val", schemas.Integer)}}
	}
	tables := []*schemas.Table{keyed("items"), keyed("small_a"), keyed("small_b"), keyed("gone"), keyed("fresh"), keyed("emptied")}
	olds := &schemas.Set{Tables: slices.DeleteFunc(slices.Clone(tables), func(ts *schemas.Table) bool { return ts.Name == "fresh" })}
	news := &schemas.Set{Tables: append(slices.DeleteFunc(slices.Clone(tables), func(ts *schemas.Table) bool { return ts.Name == "gone" }), changesSchema())}

	// Groups whose canonical (JSON) text sorts unlike the strings: "g" < "g!" < "g " as
	// strings, but `"g!"` < `"g "` < `"g"` canonically; escapes change the order too.
	groups := []string{"g", "g!", "g ", "g\"", "g\\", "g/x", "g\tz", "é", "a", "z"}
	payload := strings.Repeat("p", 700)
	universe := func(per int) []table.Row {
		var rows []table.Row
		for _, g := range groups {
			for n := range per {
				rows = append(rows, table.Row{g, int64(n), fmt.Sprintf("%s %s %d", payload, g, n), int64(n % 7)})
			}
		}
		return rows
	}
	big := universe(5000) // 50 000 rows of about 720 bytes: more than two runs of 16 MB
	size := 0
	for _, r := range big {
		size += len(r[2].(string))
	}
	if size < 2*16<<20 {
		t.Fatalf("%d bytes of rows do not fill two runs", size)
	}
	small := universe(30)

	oldRows, newRows := map[string][]table.Row{}, map[string][]table.Row{}
	wantCounts := map[string]int{}
	split := func(name string, rows []table.Row, rotate int) {
		// Positions in key order, as a table of these rows reads them.
		ordered := mustAll(t, mustFromRows(t, keyed(name), rows))
		n := len(ordered)
		var picks []int
		for i := range 6 {
			picks = append(picks, i, n/2-3+i, n-6+i)
		}
		slices.Sort(picks)
		kind := map[string]int{} // 0 removed, 1 added, 2 modified
		for i, p := range picks {
			kind[fmt.Sprint(ordered[p][:2])] = (i + rotate) % 3
		}
		for _, r := range rows {
			k, picked := kind[fmt.Sprint(r[:2])]
			switch {
			case !picked:
				oldRows[name] = append(oldRows[name], r)
				newRows[name] = append(newRows[name], r)
			case k == 0:
				oldRows[name] = append(oldRows[name], r)
			case k == 1:
				newRows[name] = append(newRows[name], r)
			default:
				oldRows[name] = append(oldRows[name], r)
				m := slices.Clone(r)
				m[3] = int64(100)
				newRows[name] = append(newRows[name], m)
			}
		}
		wantCounts[name+" removed"], wantCounts[name+" added"], wantCounts[name+" modified"] = 6, 6, 6
	}
	split("items", big, 0)     // ends with a modified row
	split("small_a", small, 1) // starts with an added row, ends with a removed one
	split("small_b", small, 2) // starts with a modified row, ends with an added one
	oldRows["gone"] = small
	newRows["fresh"] = small
	oldRows["emptied"] = small[:40]
	wantCounts["gone removed"], wantCounts["fresh added"], wantCounts["emptied removed"] = len(small), len(small), 40

	rng := rand.New(rand.NewPCG(1, 2))
	spilled := func(s *schemas.Set, rows map[string][]table.Row) *table.Set {
		set := table.NewSet(s)
		set.Spill(t.TempDir())
		for name, rs := range rows {
			rs = slices.Clone(rs)
			rng.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
			for _, r := range rs {
				if err := set.Table(name).Append(r); err != nil {
					t.Fatal(err)
				}
			}
		}
		return set
	}
	old, new := spilled(olds, oldRows), spilled(news, newRows)
	defer old.Close()
	defer new.Close()
	oldSide, newSide := Side{Set: old, Manifest: &oldManifest}, Side{Set: new, Manifest: &newManifest}

	out := new.Table("changes") // as a build fills it: a table of the set being compared
	if err := Diff(oldSide, newSide, out); err != nil {
		t.Fatal(err)
	}
	got := mustAll(t, out)
	counts := map[string]int{}
	for _, r := range got {
		counts[r[0].(string)+" "+r[2].(string)]++
		if r[2] == "modified" && !slices.Equal(r[3].([]string), []string{"val"}) {
			t.Errorf("%v: fields %v, want [val]", r[:3], r[3])
		}
	}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("changes per table (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(mustAll(t, naiveDiff(t, oldSide, newSide, changesSchema())), got); diff != "" {
		t.Errorf("merge differs from the map-based comparison (-maps +merge):\n%s", diff)
	}
}

func mustFromRows(t *testing.T, s *schemas.Table, rows []table.Row) *table.Table {
	t.Helper()
	tb, err := table.FromRows(s, rows)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// TestDiffOutSchema: the table Diff appends to must have the changes columns.
func TestDiffOutSchema(t *testing.T) {
	s := schemas.MustLoad()
	side := Side{Set: tabletest.Sample(s), Manifest: &oldManifest}
	err := Diff(side, side, table.New(s.Table("plans")))
	if err == nil || !strings.Contains(err.Error(), "no column table_name") {
		t.Errorf("Diff into plans: error %v, want one naming the missing column", err)
	}
}

// readOnly hides a format's ScanTable, so that Open reads the release whole.
type readOnly struct{ write.Format }

// publish writes set as a csv release in a new folder, with its schema and manifest.
func publish(t *testing.T, set *table.Set, m Manifest) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := (csv.Writer{}).Write(dir, set, table.Info{Dataset: "plandata", ReleaseID: m.ReleaseID}); err != nil {
		t.Fatal(err)
	}
	if err := WriteSchema(dir); err != nil {
		t.Fatal(err)
	}
	m.Dataset = "plandata"
	if err := Seal(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOpen reads a release table by table into a spilling set and compares it as the sets
// it was written from compare.
func TestOpen(t *testing.T) {
	s := schemas.MustLoad()
	oldSet, newSet := tabletest.Sample(s), tabletest.Sample(s)
	edit(t, newSet, "targets", func(ts *schemas.Table, rows []table.Row) []table.Row {
		rows[0][ts.Index("value_min")] = 42.0
		return rows[:2]
	})
	oldDir, newDir := publish(t, oldSet, oldManifest), publish(t, newSet, newManifest)

	for _, f := range []write.Format{csv.Writer{}, readOnly{csv.Writer{}}} {
		_, scans := f.(tableScanner)
		t.Run(fmt.Sprintf("scan=%t", scans), func(t *testing.T) {
			spill := t.TempDir()
			old, err := Open(oldDir, f, spill)
			if err != nil {
				t.Fatal(err)
			}
			defer old.Set.Close()
			cur, err := Open(newDir, f, spill)
			if err != nil {
				t.Fatal(err)
			}
			defer cur.Set.Close()
			if old.Manifest.ReleaseID != "r1" || cur.Manifest.ReleaseID != "r2" {
				t.Errorf("manifests of %s and %s", old.Manifest.ReleaseID, cur.Manifest.ReleaseID)
			}
			for _, wt := range oldSet.Tables {
				gt := old.Set.Table(wt.Name())
				if !compared(wt.Schema) {
					if scans && gt != nil {
						t.Errorf("Open read %s, which Diff does not compare", wt.Name())
					}
					continue
				}
				if gt == nil {
					t.Errorf("table %s not read", wt.Name())
					continue
				}
				if diff := cmp.Diff(table.Dump(wt), table.Dump(gt)); diff != "" {
					t.Errorf("%s as read (-written +read):\n%s", wt.Name(), diff)
				}
			}
			got := diffRows(t, old, cur)
			want := diffRows(t, Side{Set: oldSet, Manifest: old.Manifest}, Side{Set: newSet, Manifest: cur.Manifest})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("changes between the opened releases (-written sets +opened):\n%s", diff)
			}
			if len(got) != 2 {
				t.Errorf("%d changes, want targets 0 modified and 2 removed: %v", len(got), got)
			}
			if entries, _ := os.ReadDir(spill); len(entries) != 0 {
				t.Errorf("%d files left in the spill folder", len(entries))
			}
		})
	}

	// A table that cannot be read fails Open and names the table.
	p := filepath.Join(newDir, "csv", "targets.csv")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, "not,a,row\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(newDir, csv.Writer{}, t.TempDir()); err == nil || !strings.Contains(err.Error(), "targets") {
		t.Errorf("Open of a broken release: error %v, want one naming targets", err)
	}
}

// TestWriteChanges renders a changes table as Markdown.
func TestWriteChanges(t *testing.T) {
	cs := changesSchema()
	changes := mustFromRows(t, cs, []table.Row{
		{"tasks", "t2", "removed", nil, `{"task_id":"t2"}`, nil, CauseSource, "r1"},
		{"agencies", "a1", "modified", []string{"name", "rank"}, `{"name":"A"}`, `{"name":"B"}`, CauseReference, "r1"},
		{"tasks", "t1", "added", nil, nil, `{"task_id":"t1"}`, CauseSource, "r1"},
	})
	got, err := FormatChanges("r2", "r1", changes)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Changes in r2\n\nCompared with r1.\n\n" +
		"| table | added | modified | removed |\n| --- | --- | --- | --- |\n" +
		"| `agencies` | 0 | 1 | 0 |\n| `tasks` | 1 | 0 | 1 |\n\n" +
		"- modified `agencies` a1 (reference_changed): name, rank\n" +
		"  - before: `{\"name\":\"A\"}`\n  - after: `{\"name\":\"B\"}`\n" +
		"- added `tasks` t1 (source_changed)\n  - after: `{\"task_id\":\"t1\"}`\n" +
		"- removed `tasks` t2 (source_changed)\n  - before: `{\"task_id\":\"t2\"}`\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CHANGES.md (-want +got):\n%s", diff)
	}
	dir := t.TempDir()
	if err := WriteChangesFile(dir, "r2", "r1", changes); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ChangesFile)); err != nil || string(b) != want {
		t.Errorf("%s: %q, %v; want the same text", ChangesFile, b, err)
	}

	empty := table.New(cs)
	for _, tc := range []struct{ previous, want string }{
		{"", "# Changes in r2\n\nFirst release: there is no previous release to compare with.\n"},
		{"r1", "# Changes in r2\n\nCompared with r1.\n\nNo row was added, modified or removed.\n"},
	} {
		if got, err := FormatChanges("r2", tc.previous, empty); err != nil || got != tc.want {
			t.Errorf("FormatChanges(previous %q) = %q, %v; want %q", tc.previous, got, err, tc.want)
		}
	}
}

// TestDigests checks the set's own digests against the formats read back, and a file
// changed under the check.
func TestDigests(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s)
	info := table.Info{Dataset: "plandata", ReleaseID: "r1"}
	dir := t.TempDir()
	if _, err := (csv.Writer{}).Write(dir, set, info); err != nil {
		t.Fatal(err)
	}
	entries, err := Digests(dir, set, info, []write.Format{csv.Writer{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(set.Tables) {
		t.Fatalf("%d entries for %d tables", len(entries), len(set.Tables))
	}
	for i, tb := range set.Tables {
		want, err := table.Digest(tb)
		if err != nil {
			t.Fatal(err)
		}
		e := entries[i]
		if e.Name != tb.Name() || e.Rows != tb.Len() || e.Digest != want || e.Formats["csv"] != want {
			b, _ := json.Marshal(e)
			t.Errorf("entry %s, want %s with %d rows and digest %s from the set and from csv", b, tb.Name(), tb.Len(), want)
		}
	}
	// The csv files of a set whose regions table lost a row.
	short := tabletest.Sample(s)
	edit(t, short, "regions", func(_ *schemas.Table, rows []table.Row) []table.Row { return rows[:2] })
	if _, err := (csv.Writer{}).Write(dir, short, info); err != nil {
		t.Fatal(err)
	}
	_, err = Digests(dir, set, info, []write.Format{csv.Writer{}})
	if err == nil || !strings.Contains(err.Error(), "regions has 2 rows, want 3") {
		t.Errorf("Digests with a row missing: error %v, want a mismatch naming regions", err)
	}
}

package duckdb_test

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/pipeline/write/duckdb"
	"github.com/plandata/plandata/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var info = tabletest.Info

// write writes set into a fresh folder and returns the database's path.
func write(t *testing.T, set *table.Set) string {
	t.Helper()
	dir := t.TempDir()
	files, err := duckdb.Writer{}.Write(dir, set, info)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if want := []string{"plandata.duckdb"}; !slices.Equal(files, want) {
		t.Fatalf("Write returned %q, want %q", files, want)
	}
	return filepath.Join(dir, files[0])
}

// open opens a written database read-only, as a user would.
func open(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// query runs q and returns each row as the canonical text of its cells, joined with tabs.
func query(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = canon(t, v)
		}
		out = append(out, strings.Join(cells, "\t"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// canon is table.Canon for whatever the driver returns.
func canon(t *testing.T, v any) string {
	switch x := v.(type) {
	case nil, string, int64, float64:
		return table.Canon(x)
	case bool:
		return fmt.Sprint(x)
	case time.Time:
		return table.Canon(x.UTC())
	case []any:
		l := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				t.Fatalf("list item %#v is not text", e)
			}
			l[i] = s
		}
		return table.Canon(l)
	}
	t.Fatalf("no canonical form for %T", v)
	return ""
}

// dump is the text form of a database: for every table and view its comment, columns,
// constraints (and a view's SQL), then its rows.
func dump(t *testing.T, db *sql.DB) string {
	var b strings.Builder
	objects := query(t, db, `
		SELECT 'table', table_name, comment, NULL FROM duckdb_tables() WHERE schema_name = 'main'
		UNION ALL
		SELECT 'view', view_name, comment, sql FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal
		ORDER BY 1, 2`)
	for _, o := range objects {
		f := strings.Split(o, "\t")
		name := unquote(t, f[1])
		fmt.Fprintf(&b, "%s %s\n  comment %s\n", unquote(t, f[0]), name, f[2])
		if f[3] != "null" {
			for _, l := range strings.Split(unquote(t, f[3]), "\n") {
				fmt.Fprintf(&b, "  | %s\n", l)
			}
		}
		for _, c := range query(t, db, `SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns()
			WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index`, name) {
			fmt.Fprintf(&b, "  column %s\n", c)
		}
		for _, c := range query(t, db, `SELECT constraint_type, constraint_column_names, referenced_table, referenced_column_names
			FROM duckdb_constraints() WHERE schema_name = 'main' AND table_name = ? ORDER BY ALL`, name) {
			fmt.Fprintf(&b, "  constraint %s\n", c)
		}
		rows := query(t, db, fmt.Sprintf(`SELECT * FROM %q ORDER BY ALL`, name))
		fmt.Fprintf(&b, "  %d rows\n", len(rows))
		for _, r := range rows {
			fmt.Fprintf(&b, "  row %s\n", r)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func unquote(t *testing.T, s string) string {
	var out string
	if _, err := fmt.Sscanf(s, "%q", &out); err != nil {
		t.Fatalf("unquote %s: %v", s, err)
	}
	return out
}

// TestGolden compares a dump of the sample set's database with testdata/sample.golden.
// Refresh it with go test -update.
func TestGolden(t *testing.T) {
	tests := []struct {
		name, golden string
		set          func(*schemas.Set) *table.Set
	}{
		{"sample", "testdata/sample.golden", tabletest.Sample},
		{"empty", "testdata/empty.golden", table.NewSet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dump(t, open(t, write(t, tt.set(schemas.MustLoad()))))
			if *update {
				if err := os.WriteFile(tt.golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(tt.golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
				t.Errorf("dump differs from %s (-want +got):\n%s", tt.golden, diff)
			}
		})
	}
}

// TestReadBack checks that every base table reads back as written; the views are computed.
func TestReadBack(t *testing.T) {
	s := schemas.MustLoad()
	want := tabletest.Sample(s)
	dir := filepath.Dir(write(t, want))
	got, err := duckdb.Writer{}.Read(dir, s, info)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for _, wt := range want.Tables {
		t.Run(wt.Name(), func(t *testing.T) {
			gt := got.Table(wt.Name())
			if wt.Schema.View {
				if gt.Len() != want.Table("tasks").Len() {
					t.Errorf("view %s: %d rows, want one per task", wt.Name(), gt.Len())
				}
				return
			}
			if diff := cmp.Diff(all(t, wt), all(t, gt)); diff != "" {
				t.Errorf("read back differently (-want +got):\n%s", diff)
			}
		})
	}
}

// TestComments checks that every table, view and column carries a comment, and that a
// declared one carries its English and Chinese descriptions.
func TestComments(t *testing.T) {
	s := schemas.MustLoad()
	db := open(t, write(t, tabletest.Sample(s)))
	objects := query(t, db, `
		SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'
		UNION ALL
		SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal
		ORDER BY 1`)
	var names []string
	for _, o := range objects {
		f := strings.Split(o, "\t")
		name, comment := unquote(t, f[0]), f[1]
		names = append(names, name)
		t.Run(name, func(t *testing.T) {
			if comment == "null" || comment == `""` {
				t.Errorf("%s has no comment", name)
			}
			cols := query(t, db, `SELECT column_name, comment FROM duckdb_columns()
				WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index`, name)
			if len(cols) == 0 {
				t.Fatalf("%s has no columns", name)
			}
			for _, c := range cols {
				cf := strings.Split(c, "\t")
				if cf[1] == "null" || cf[1] == `""` {
					t.Errorf("%s.%s has no comment", name, unquote(t, cf[0]))
				}
			}
			ts := s.Table(name)
			if ts == nil {
				return
			}
			want := []string{table.Canon(ts.DescriptionEN + " / " + ts.DescriptionZH)}
			got := []string{comment}
			for i, c := range ts.Columns {
				en, zh := c.DescriptionEN, c.DescriptionZH
				if c.References != "" { // the comment names the key referenced
					en += " References " + c.References + "."
					zh += "引用 " + c.References + "。"
				}
				want = append(want, table.Canon(c.Name)+"\t"+table.Canon(en+" / "+zh))
				if i < len(cols) {
					got = append(got, cols[i])
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("comments differ from the declaration (-want +got):\n%s", diff)
			}
		})
	}
	for _, ts := range s.Tables {
		if !slices.Contains(names, ts.Name) {
			t.Errorf("declared table %s is not in the database", ts.Name)
		}
	}
}

// TestWriteFails checks that a write that fails leaves no database and no temporary file,
// and does not touch a file of the same name that is already there.
func TestWriteFails(t *testing.T) {
	sample := func(change func(*table.Set)) func() (*table.Set, *schemas.Set) {
		return func() (*table.Set, *schemas.Set) {
			s := schemas.MustLoad()
			set := tabletest.Sample(s)
			change(set)
			return set, s
		}
	}
	// cell sets one cell of row (counted in key order) of a table of the sample.
	cell := func(set *table.Set, tbl string, row int, col string, v any) {
		tt := set.Table(tbl)
		rows, err := tt.All()
		if err != nil {
			panic(err)
		}
		rows[row][tt.Schema.Index(col)] = v
		tt.Reset()
		for _, r := range rows {
			if err := tt.Append(r); err != nil {
				panic(err)
			}
		}
	}
	tests := []struct {
		name  string
		set   func() (*table.Set, *schemas.Set)
		inDir bool     // write into an existing folder holding an older database
		want  []string // in the error
	}{
		{"reference to a missing plan", sample(func(set *table.Set) { cell(set, "tasks", 1, "plan_id", "iiswg-1900") }), true,
			[]string{`tasks.plan_id: 1 row references a key that plans.plan_id does not hold, the first "iiswg-1900"`}},
		{"duplicate primary key", sample(func(set *table.Set) { cell(set, "plans", 1, "plan_id", "plans-plan_id-0") }), true,
			[]string{"load plans: rows 0 to 2: ", `PRIMARY KEY or UNIQUE constraint violation: duplicate key "plans-plan_id-0"`}},
		{"duplicate composite key", sample(func(set *table.Set) {
			cell(set, "evidence", 1, "subject_table", "evidence-subject_table-0")
			cell(set, "evidence", 1, "subject_id", "evidence-subject_id-0")
			cell(set, "evidence", 1, "source_id", "sources-source_id-0")
		}), true, []string{"load evidence: rows 0 to 2: ", "PRIMARY KEY or UNIQUE constraint violation: duplicate key"}},
		{"self reference to a missing agency", sample(func(set *table.Set) { cell(set, "agencies", 2, "parent_agency_id", "nobody") }), true,
			[]string{`agencies.parent_agency_id: 1 row references a key that agencies.agency_id does not hold, the first "nobody"`}},
		{"view columns differ from the declaration", func() (*table.Set, *schemas.Set) {
			s := schemas.MustLoad()
			s.Table("tasks_flat").ViewSQL = "SELECT task_id, plan_id FROM tasks"
			return tabletest.Sample(s), s
		}, true, []string{"view tasks_flat has columns [task_id VARCHAR, plan_id VARCHAR]"}},
		{"view without SQL", func() (*table.Set, *schemas.Set) {
			s := schemas.MustLoad()
			s.Table("tasks_flat").ViewSQL = ""
			return tabletest.Sample(s), s
		}, false, []string{"view tasks_flat: no view_sql in its declaration"}},
		{"view SQL that does not run", func() (*table.Set, *schemas.Set) {
			s := schemas.MustLoad()
			s.Table("tasks_flat").ViewSQL = "SELECT * FROM no_such_table"
			return tabletest.Sample(s), s
		}, false, []string{"create view tasks_flat: Catalog Error: Table with name no_such_table does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			old := []byte("an older release")
			if tt.inDir {
				if err := os.WriteFile(filepath.Join(dir, "plandata.duckdb"), old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			set, _ := tt.set()
			files, err := duckdb.Writer{}.Write(dir, set, info)
			if err == nil {
				t.Fatalf("Write succeeded with %q, want an error", files)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			entries, rerr := os.ReadDir(dir)
			if rerr != nil {
				t.Fatal(rerr)
			}
			var left []string
			for _, e := range entries {
				left = append(left, e.Name())
			}
			var want []string
			if tt.inDir {
				want = []string{"plandata.duckdb"}
				if b, _ := os.ReadFile(filepath.Join(dir, "plandata.duckdb")); string(b) != string(old) {
					t.Errorf("the older database was changed")
				}
			}
			if diff := cmp.Diff(want, left); diff != "" {
				t.Errorf("files left behind (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("folder name holds a question mark", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a?b")
		if _, err := (duckdb.Writer{}).Write(dir, tabletest.Sample(schemas.MustLoad()), info); err == nil {
			t.Fatalf("Write succeeded")
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("files left behind: %v", entries)
		}
		if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
			t.Errorf("the driver wrote beside the folder: %v", entries)
		}
	})
	t.Run("folder is a file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(dir, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := (duckdb.Writer{}).Write(dir, tabletest.Sample(schemas.MustLoad()), info); err == nil {
			t.Errorf("Write into a file succeeded")
		}
	})
}

// TestSelfReference checks that agencies load whatever the order of parents and children in
// the set, and read back in key order.
func TestSelfReference(t *testing.T) {
	type agency struct{ id, parent string }
	tests := []struct {
		name     string
		agencies []agency
	}{
		{"parents first", []agency{{"a", ""}, {"b", "a"}, {"c", "b"}}},
		{"children first", []agency{{"a", "c"}, {"b", "c"}, {"c", ""}}},
		{"chain backwards", []agency{{"a", "b"}, {"b", "c"}, {"c", "d"}, {"d", ""}}},
		{"siblings and a second root", []agency{{"a", "d"}, {"b", ""}, {"c", "b"}, {"d", "b"}, {"e", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := schemas.MustLoad()
			set := table.NewSet(s)
			ag := set.Table("agencies")
			for _, a := range tt.agencies {
				var parent any
				if a.parent != "" {
					parent = a.parent
				}
				if err := ag.Append(build(ag.Schema, map[string]any{"agency_id": a.id, "parent_agency_id": parent})); err != nil {
					t.Fatal(err)
				}
			}
			dir := filepath.Dir(write(t, set))
			got, err := duckdb.Writer{}.Read(dir, s, info)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(all(t, ag), all(t, got.Table("agencies"))); diff != "" {
				t.Errorf("agencies read back differently (-want +got):\n%s", diff)
			}
		})
	}
}

// all returns every row of tt, in key order.
func all(t *testing.T, tt *table.Table) []table.Row {
	t.Helper()
	rows, err := tt.All()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// build makes a row of ts from the named cells; a required column not named gets a
// placeholder of its type, any other column NULL.
func build(ts *schemas.Table, cells map[string]any) table.Row {
	r := make(table.Row, len(ts.Columns))
	for i, c := range ts.Columns {
		if v, ok := cells[c.Name]; ok {
			r[i] = v
			continue
		}
		if !c.Required {
			continue
		}
		switch c.Type {
		case schemas.Integer:
			r[i] = int64(0)
		case schemas.Double:
			r[i] = 0.0
		case schemas.Date:
			r[i] = table.Date(2000, 1, 1)
		case schemas.TextList:
			r[i] = []string{"x"}
		default:
			r[i] = "x"
		}
	}
	for name := range cells {
		if ts.Index(name) < 0 {
			panic(fmt.Sprintf("table %s has no column %s", ts.Name, name))
		}
	}
	return r
}

// viewSet is a small consistent set: two plans, tasks with and without a category, agencies
// with roles, regions, targets, and evidence to sources (two of them at the same address).
func viewSet(s *schemas.Set) *table.Set {
	set := table.NewSet(s)
	add := func(name string, rows ...map[string]any) {
		t := set.Table(name)
		for _, r := range rows {
			if err := t.Append(build(t.Schema, r)); err != nil {
				panic(err)
			}
		}
	}
	const (
		p22 = "iiswg-2022"
		p23 = "iiswg-2023"
		m1  = "iiswg-2022-m01"
		m2  = "iiswg-2022-m02"
		n1  = "iiswg-2023-m01"
	)
	add("plans",
		map[string]any{"plan_id": p22, "year": int64(2022), "measures_declared": int64(83), "categories_declared": int64(15), "members_declared": int64(20)},
		map[string]any{"plan_id": p23, "year": int64(2023)},
	)
	add("task_categories",
		map[string]any{"category_id": p22 + "-c01", "plan_id": p22, "seq": int64(1), "name_zh": "网络体系强基行动", "name_en": "Network foundation"},
		map[string]any{"category_id": p23 + "-c02", "plan_id": p23, "seq": int64(2), "name_en": "Platforms"},
	)
	add("tasks",
		map[string]any{"task_id": m1, "plan_id": p22, "category_id": p22 + "-c01", "summary_en": "Build 5G factories.", "summary_zh": "建设5G全连接工厂。",
			"deadline_as_written": "2022年底", "deadline_date": table.Date(2022, 12, 31), "confidence": "high"},
		map[string]any{"task_id": m2, "plan_id": p22, "summary_en": "Draft standards.", "deadline_as_written": "持续推进", "confidence": "medium"},
		map[string]any{"task_id": n1, "plan_id": p23, "category_id": p23 + "-c02", "summary_en": "Grow platforms.", "confidence": "low"},
	)
	add("targets", // out of key order: the view orders by target_id
		map[string]any{"target_id": m1 + "-t2", "task_id": m1, "metric_en": "platforms", "as_written": "不少于15个"},
		map[string]any{"target_id": m1 + "-t1", "task_id": m1, "metric_en": "5G factories", "as_written": "3000个"},
	)
	add("agencies",
		map[string]any{"agency_id": "miit", "name_zh": "工业和信息化部", "name_en": "Ministry of Industry and Information Technology"},
		map[string]any{"agency_id": "ndrc", "name_zh": "国家发展和改革委员会", "name_en": "National Development and Reform Commission"},
		map[string]any{"agency_id": "sastind", "name_zh": "国家国防科技工业局", "name_en": "SASTIND", "parent_agency_id": "miit"},
	)
	add("plan_members",
		map[string]any{"plan_id": p22, "agency_id": "miit", "role": "lead"},
		map[string]any{"plan_id": p22, "agency_id": "ndrc", "role": "member"},
	)
	add("task_agencies",
		map[string]any{"task_id": m1, "agency_id": "sastind", "role": "joint"},
		map[string]any{"task_id": m1, "agency_id": "miit", "role": "lead"},
		map[string]any{"task_id": m1, "agency_id": "ndrc", "role": "joint"},
		map[string]any{"task_id": n1, "agency_id": "miit", "role": "unspecified"},
	)
	add("regions",
		map[string]any{"region_id": "cn-bj", "kind": "municipality", "name_zh": "北京市", "name_en": "Beijing"},
		map[string]any{"region_id": "cn-cq", "kind": "municipality", "name_zh": "重庆市", "name_en": "Chongqing"},
		map[string]any{"region_id": "ru", "kind": "country", "name_zh": "俄罗斯", "name_en": "Russia"},
	)
	add("task_regions",
		map[string]any{"task_id": m1, "region_id": "cn-cq"},
		map[string]any{"task_id": m1, "region_id": "cn-bj"},
		map[string]any{"task_id": n1, "region_id": "ru"},
	)
	add("sources",
		map[string]any{"source_id": "s1", "url": "https://www.miit.gov.cn/a", "title": "工作计划", "reliability": "high"},
		map[string]any{"source_id": "s2", "url": "https://www.gov.cn/b", "title": "转载", "reliability": "medium"},
		map[string]any{"source_id": "s3", "url": "https://www.miit.gov.cn/a", "title": "Same page again", "reliability": "low"},
		map[string]any{"source_id": "s4", "url": "https://example.org/z", "title": "Analysis", "reliability": "low"},
	)
	add("evidence",
		map[string]any{"subject_table": "plans", "subject_id": p22, "source_id": "s4"},
		map[string]any{"subject_table": "task_outcomes", "subject_id": m2, "source_id": "s4"}, // not a task's evidence
		map[string]any{"subject_table": "tasks", "subject_id": m1, "source_id": "s3"},
		map[string]any{"subject_table": "tasks", "subject_id": m1, "source_id": "s1"},
		map[string]any{"subject_table": "tasks", "subject_id": m1, "source_id": "s2"},
		map[string]any{"subject_table": "tasks", "subject_id": n1, "source_id": "s4"},
	)
	return set
}

// TestTasksFlat checks the rows the tasks_flat view computes from a small set.
func TestTasksFlat(t *testing.T) {
	s := schemas.MustLoad()
	set := viewSet(s)
	dir := filepath.Dir(write(t, set))
	got, err := duckdb.Writer{}.Read(dir, s, info)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	rows := map[string]table.Row{}
	for _, r := range all(t, got.Table("tasks_flat")) {
		rows[r[0].(string)] = r
	}
	tests := []struct {
		name string
		want table.Row
	}{
		{"with category, agencies, regions, targets and sources", table.Row{
			"iiswg-2022-m01", int64(2022), "iiswg-2022", int64(1), "网络体系强基行动", "Network foundation",
			"Build 5G factories.", "建设5G全连接工厂。",
			"joint:ndrc; joint:sastind; lead:miit",
			"cn-bj; cn-cq",
			"5G factories: 3000个; platforms: 不少于15个",
			"2022年底", table.Date(2022, 12, 31), "high",
			"https://www.gov.cn/b https://www.miit.gov.cn/a",
		}},
		{"without category and without links", table.Row{
			"iiswg-2022-m02", int64(2022), "iiswg-2022", nil, nil, nil,
			"Draft standards.", nil,
			nil, nil, nil,
			"持续推进", nil, "medium",
			nil,
		}},
		{"second plan, category without Chinese name", table.Row{
			"iiswg-2023-m01", int64(2023), "iiswg-2023", int64(2), nil, "Platforms",
			"Grow platforms.", nil,
			"unspecified:miit", "ru", nil,
			nil, nil, "low",
			"https://example.org/z",
		}},
	}
	if len(rows) != len(tests) {
		t.Errorf("tasks_flat has %d rows, want %d", len(rows), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, rows[tt.want[0].(string)]); diff != "" {
				t.Errorf("tasks_flat row differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExtraViews checks the coverage and task_evidence views on the same small set.
func TestExtraViews(t *testing.T) {
	db := open(t, write(t, viewSet(schemas.MustLoad())))
	tests := []struct {
		view string
		want []string
	}{
		{"coverage", []string{
			// plan_id, year, categories declared/recorded, measures declared/recorded/coverage, members declared/recorded
			"\"iiswg-2022\"\t2022\t15\t1\t83\t2\t0.024096385542168676\t20\t2",
			"\"iiswg-2023\"\t2023\tnull\t1\tnull\t1\tnull\tnull\t0",
		}},
		{"task_evidence", []string{
			"\"iiswg-2022-m01\"\t\"s1\"\t\"https://www.miit.gov.cn/a\"\t\"工作计划\"\t\"high\"",
			"\"iiswg-2022-m01\"\t\"s2\"\t\"https://www.gov.cn/b\"\t\"转载\"\t\"medium\"",
			"\"iiswg-2022-m01\"\t\"s3\"\t\"https://www.miit.gov.cn/a\"\t\"Same page again\"\t\"low\"",
			"\"iiswg-2023-m01\"\t\"s4\"\t\"https://example.org/z\"\t\"Analysis\"\t\"low\"",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.view, func(t *testing.T) {
			got := query(t, db, fmt.Sprintf("SELECT * FROM %q", tt.view))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s differs (-want +got):\n%s", tt.view, diff)
			}
		})
	}
}

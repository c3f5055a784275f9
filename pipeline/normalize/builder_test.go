package normalize_test

import (
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata"
	"github.com/plandata/plandata/pipeline/normalize"
	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/synth"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// testSources are the repository's sources and a few hundred synthetic measures.
func testSources(t *testing.T) map[string]fs.FS {
	t.Helper()
	dir := t.TempDir()
	if err := synth.Write(dir, 400, 3); err != nil {
		t.Fatal(err)
	}
	return map[string]fs.FS{"repository": plandata.Sources(), "synthetic": os.DirFS(dir)}
}

// dumps is the canonical text of every table of a set.
func dumps(set *table.Set) map[string]string {
	out := map[string]string{}
	for _, t := range set.Tables {
		out[t.Name()] = table.Dump(t)
	}
	return out
}

// TestBuilderPlanByPlan: New, Plan for every plan and Finish, into a set that spills, give the
// tables of Tables, and the tasks_flat rows joined plan by plan equal those Flat joins from
// the whole set.
func TestBuilderPlanByPlan(t *testing.T) {
	s := schemas.MustLoad()
	for name, fsys := range testSources(t) {
		t.Run(name, func(t *testing.T) {
			d, issues, err := source.Load(fsys, source.DefaultLimits)
			if err != nil || len(issues) > 0 {
				t.Fatalf("Load: %v %v", err, issues)
			}
			want, wantIssues := normalize.Tables(d, s)
			if len(wantIssues) > 0 {
				t.Fatalf("Tables: %v", wantIssues)
			}
			if want.Table("tasks_flat").Len() == 0 || want.Table("tasks_flat").Len() != want.Table("tasks").Len() {
				t.Fatalf("tasks_flat has %d rows for %d tasks", want.Table("tasks_flat").Len(), want.Table("tasks").Len())
			}

			set := table.NewSet(s)
			set.Spill(t.TempDir())
			defer set.Close()
			b := normalize.New(d, set)
			for _, pf := range d.Plans {
				b.Plan(pf)
			}
			issues, err = b.Finish()
			if err != nil || len(issues) > 0 {
				t.Fatalf("Finish: %v %v", err, issues)
			}
			if diff := cmp.Diff(dumps(want), dumps(set)); diff != "" {
				t.Errorf("plan by plan differs from Tables (-Tables +plan by plan)\n%s", diff)
			}

			whole, err := normalize.Flat(set)
			if err != nil {
				t.Fatal(err)
			}
			ft, err := table.FromRows(s.Table("tasks_flat"), whole)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(table.Dump(ft), table.Dump(set.Table("tasks_flat"))); diff != "" {
				t.Errorf("tasks_flat plan by plan differs from Flat of the whole set (-whole +plan by plan)\n%s", diff)
			}
		})
	}
}

// TestBuilderStreaming builds while loading one plan at a time, each forgotten once written,
// and gets the tables and the issues (with their positions) of Load and Tables.
func TestBuilderStreaming(t *testing.T) {
	s := schemas.MustLoad()
	sources := testSources(t)
	sources["with issues"] = fixture(func(f map[string]string) {
		f["plans/iiswg-2022.yaml"] = strings.Replace(f["plans/iiswg-2022.yaml"], "as_written: 冀", "as_written: 火星", 1)
		f["plans/iiswg-2022.yaml"] = strings.Replace(f["plans/iiswg-2022.yaml"], "2022年第三季度", "2022年13月", 1)
		f["plans/iiswg-2023.yaml"] = strings.NewReplacer("iiswg-2022", "iiswg-2023", "year: 2022", "year: 2023",
			"as_written: 10万家以上", "as_written: 若干家").Replace(f["plans/iiswg-2022.yaml"])
	})
	for name, fsys := range sources {
		t.Run(name, func(t *testing.T) {
			d, issues, err := source.Load(fsys, source.DefaultLimits)
			if err != nil || len(issues) > 0 {
				t.Fatalf("Load: %v %v", err, issues)
			}
			want, wantIssues := normalize.Tables(d, s)
			if n := len(wantIssues); (name == "with issues") != (n > 0) {
				t.Fatalf("Tables: %d issues: %v", n, wantIssues)
			}

			d, issues, err = source.Open(fsys, source.DefaultLimits)
			if err != nil || len(issues) > 0 {
				t.Fatalf("Open: %v %v", err, issues)
			}
			set := table.NewSet(s)
			set.Spill(t.TempDir())
			defer set.Close()
			b := normalize.New(d, set)
			for _, path := range d.PlanPaths() {
				pf, issues, err := d.LoadPlan(path)
				if err != nil || len(issues) > 0 {
					t.Fatalf("LoadPlan: %v %v", err, issues)
				}
				b.Plan(pf)
				d.Drop(pf)
			}
			got, err := b.Finish()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(issueText(wantIssues), issueText(got)); diff != "" {
				t.Errorf("issues (-Tables +streaming)\n%s", diff)
			}
			if diff := cmp.Diff(dumps(want), dumps(set)); diff != "" {
				t.Errorf("tables (-Tables +streaming)\n%s", diff)
			}
		})
	}
}

func issueText(issues []plan.Issue) []string {
	var out []string
	for _, is := range issues {
		out = append(out, is.String())
	}
	return out
}

// fixture is the small sources of sourcesYAML, agenciesYAML, regionsYAML and planYAML, after
// edit changes them (file name -> text).
func fixture(edit func(map[string]string)) fstest.MapFS {
	files := map[string]string{
		source.SourcesFile: sourcesYAML, source.AgenciesFile: agenciesYAML,
		source.RegionsFile: regionsYAML, "plans/iiswg-2022.yaml": planYAML,
	}
	if edit != nil {
		edit(files)
	}
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// TestBuilderRefusedRow: a row the set refuses is an error from Finish, naming the table,
// the column and the row, and the other rows are still written.
func TestBuilderRefusedRow(t *testing.T) {
	fsys := fixture(func(f map[string]string) {
		f["plans/iiswg-2022.yaml"] = strings.Replace(f["plans/iiswg-2022.yaml"], "summary_en: Second task, listed first.", `summary_en: " "`, 1)
	})
	d, issues, err := source.Load(fsys, source.DefaultLimits)
	if err != nil || len(issues) > 0 {
		t.Fatalf("Load: %v %v", err, issues)
	}
	set := table.NewSet(schemas.MustLoad())
	b := normalize.New(d, set)
	for _, pf := range d.Plans {
		b.Plan(pf)
	}
	_, err = b.Finish()
	if err == nil {
		t.Fatal("Finish: no error for a task without summary_en")
	}
	for _, want := range []string{"tasks", "summary_en", "NULL in a required column", `"iiswg-2022-m02"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if n := set.Table("tasks").Len(); n != 1 {
		t.Errorf("tasks has %d rows, want the 1 that fits", n)
	}
}

// TestBuilderForgetsPlan: once Plan returns, the builder holds nothing of the plan: the plan,
// its tasks and their text can be collected.
func TestBuilderForgetsPlan(t *testing.T) {
	dir := t.TempDir()
	if err := synth.Write(dir, 200, 5); err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(dir)
	d, issues, err := source.Load(fsys, source.DefaultLimits)
	if err != nil || len(issues) > 0 {
		t.Fatalf("Load: %v %v", err, issues)
	}
	set := table.NewSet(schemas.MustLoad())
	b := normalize.New(d, set)

	var collected, watched atomic.Int64
	func() {
		// The plan comes from a second load that nothing else keeps.
		other, _, err := source.Load(fsys, source.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		pf := other.Plans[0]
		watch := func(p unsafe.Pointer) {
			watched.Add(1)
			runtime.AddCleanup((*byte)(p), func(int) { collected.Add(1) }, 0)
		}
		watch(unsafe.Pointer(pf))
		watch(unsafe.Pointer(&pf.Tasks[0]))
		// Strings of fewer than 16 bytes may share their memory with others, so only
		// longer ones are watched: summaries, and target ids, which evidence rows name.
		text := func(s string) {
			if len(s) >= 16 {
				watch(unsafe.Pointer(unsafe.StringData(s)))
			}
		}
		for i := range pf.Tasks {
			text(pf.Tasks[i].SummaryEN)
			for j := range pf.Tasks[i].Targets {
				text(pf.Tasks[i].Targets[j].ID)
			}
		}
		b.Plan(pf)
	}()
	for i := 0; i < 50 && collected.Load() < watched.Load(); i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if collected.Load() != watched.Load() {
		t.Errorf("%d of %d objects of the plan are still held after Plan", watched.Load()-collected.Load(), watched.Load())
	}
	if _, err := b.Finish(); err != nil {
		t.Fatal(err)
	}
	if set.Table("tasks").Len() == 0 {
		t.Error("no tasks written")
	}
	runtime.KeepAlive(b)
}

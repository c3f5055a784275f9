package validate_test

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata"
	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/validate"
)

// loadAndCheck is Load and Check: the issues of each.
func loadAndCheck(t *testing.T, fsys fs.FS, lim source.Limits) (loadIssues, checkIssues []string) {
	t.Helper()
	d, issues, err := source.Load(fsys, lim)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return strs(issues), strs(validate.Check(d))
}

// streamAndCheck loads and checks one plan at a time, dropping each before the next.
func streamAndCheck(t *testing.T, fsys fs.FS, lim source.Limits) (loadIssues, checkIssues []string) {
	t.Helper()
	d, issues, err := source.Open(fsys, lim)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	loadIssues = strs(issues)
	v := validate.New(d)
	for _, p := range d.PlanPaths() {
		pf, iss, err := d.LoadPlan(p)
		if err != nil {
			t.Fatalf("LoadPlan(%s): %v", p, err)
		}
		loadIssues = append(loadIssues, strs(iss)...)
		if pf == nil {
			continue
		}
		v.Plan(pf)
		d.Drop(pf)
		if got := d.Pos(&pf.Plan.ID); got != (plan.Pos{}) {
			t.Errorf("%s: Pos(plan id) after Drop = %v, want the zero Pos", p, got)
		}
	}
	return loadIssues, strs(v.Issues())
}

// compareStream checks that streaming finds what Load and Check find, in the same order, and
// returns the issues of Check.
func compareStream(t *testing.T, fsys fs.FS, lim source.Limits) []string {
	t.Helper()
	wantLoad, wantCheck := loadAndCheck(t, fsys, lim)
	gotLoad, gotCheck := streamAndCheck(t, fsys, lim)
	if diff := cmp.Diff(wantLoad, gotLoad); diff != "" {
		t.Errorf("load issues (-Load +streaming):\n%s", diff)
	}
	if diff := cmp.Diff(wantCheck, gotCheck); diff != "" {
		t.Errorf("check issues (-Check +streaming):\n%s", diff)
	}
	return wantCheck
}

func mapFS(f files) fstest.MapFS {
	m := fstest.MapFS{}
	for p, s := range f {
		m[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return m
}

func TestStreamRepository(t *testing.T) {
	if got := compareStream(t, plandata.Sources(), source.DefaultLimits); len(got) > 0 {
		t.Errorf("repository sources: %d issues", len(got))
	}
}

func TestStreamBroken(t *testing.T) {
	for _, c := range []struct {
		name  string
		edits []edit
		want  []want   // some of the issues of Check, to show the case tests what it says
		head  []string // the first issues of Check, exactly
	}{
		{name: "baseline"},
		{
			name: "duplicate ids across two plan files",
			edits: []edit{
				put("plans/iiswg-2023.yaml", plan2023YAML+"tasks:\n  - {id: iiswg-2022-m01, summary_en: x, confidence: high, sources: [s01]}\n"+
					"categories:\n  - {id: iiswg-2022-m01-t1, seq: 1, name_status: inferred, confidence: low, sources: [s01]}\n"),
				put("plans/iiswg-2024.yaml", strings.ReplaceAll(plan2023YAML, "2023", "2022")),
			},
			want: []want{
				{"plans/iiswg-2023.yaml", "{id: |iiswg-2022-m01,", `duplicate-id: task id "iiswg-2022-m01" is already used by a task`},
				{"plans/iiswg-2023.yaml", "{id: |iiswg-2022-m01-t1", `duplicate-id: category id "iiswg-2022-m01-t1" is already used by a target`},
				{"plans/iiswg-2024.yaml", "{id: |iiswg-2022,", `duplicate-id: plan id "iiswg-2022" is used twice`},
			},
		},
		{
			name:  "YAML syntax error in a plan file",
			edits: []edit{put("plans/iiswg-2023.yaml", "plan:\n\tid: iiswg-2023\n")},
		},
		{
			name:  "missing reference file",
			edits: []edit{mv(agenciesF, "old-agencies.yaml")},
		},
		{
			name: "source checks and issues without a position",
			edits: []edit{
				put(source.ChecksFile, "checks:\n  - {source_id: s01, url: \"https://example.org/plan-2022\", checked_at: yesterday}\n  - {source_id: s01, url: x, checked_at: 2024-01-01T00:00:00Z}\n  - {source_id: s02, url: y}\n"),
				put("plans/iiswg-2023.yaml", "plan: {id: iiswg-2023, series: iiswg, year: 2023, title_zh: x, title_en: y, confidence: high, sources: [s01]}\ncategories:\n  - {id: iiswg-2023-c01, seq: 1, name_status: named_in_source, sources: [s01]}\n"),
			},
			// A check without checked_at and a category without confidence give issues without
			// a position; they keep the order Check finds them in: plans before source checks.
			head: []string{
				`:0:0: bad-value: confidence "" is not one of high, medium, low`,
				`:0:0: bad-date: checked_at "" is not an RFC 3339 time`,
			},
			want: []want{
				{source.ChecksFile, "checked_at: |yesterday", `bad-date: checked_at "yesterday" is not an RFC 3339 time`},
				{source.ChecksFile, "{source_id: |s01, url: x", `duplicate-id: source "s01" is checked twice`},
			},
		},
		{
			name: "problems everywhere",
			edits: []edit{
				repl(sourcesF, "reliability: medium", "reliability: mid"),
				repl(agenciesF, "parent: miit", "parent: cast"),
				repl(planF, "categories: 15", "categories: 1"),
				repl(planF, "date: 2022-09-06", "date: 2022-09-31"),
				put("plans/iiswg-2023.yaml", plan2023YAML+"tasks:\n  - {id: iiswg-2023-m01, summary_en: x, confidence: sure, sources: []}\n"),
				mv(planF, "plans/iiswg-2021.yaml"),
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := baseline()
			f.apply(t, c.edits...)
			got := compareStream(t, mapFS(f), source.DefaultLimits)
			if len(got) < len(c.head) || !slices.Equal(c.head, got[:len(c.head)]) {
				t.Errorf("issues start %q, want %q", got, c.head)
			}
			for _, w := range f.expect(t, c.want) {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("no issue %q among %q", w, got)
				}
			}
		})
	}
}

// TestStreamHostile runs the hostile corpus (../source/testdata/hostile) through both ways.
func TestStreamHostile(t *testing.T) {
	const dir = "../source/testdata/hostile"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("no hostile corpus: %v", err)
	}
	base := readTree(t, os.DirFS(dir+"/_base"))
	n := 0
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			m := fstest.MapFS{}
			for p, b := range base {
				m[p] = &fstest.MapFile{Data: b}
			}
			if over, err := fs.Sub(os.DirFS(dir+"/"+e.Name()), "sources"); err == nil {
				for p, b := range readTree(t, over) {
					m[p] = &fstest.MapFile{Data: b}
				}
			}
			lim := source.DefaultLimits
			if e.Name() == "total-too-large" {
				lim.MaxTotalBytes = 3000
			}
			compareStream(t, m, lim)
		})
		n++
	}
	if n == 0 {
		t.Errorf("no cases in %s", dir)
	}
}

// readTree reads every file under fsys, by path.
func readTree(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return fs.SkipAll // the case changes nothing under sources/
			}
			return err
		}
		if e.IsDir() || !e.Type().IsRegular() {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out[path.Clean(p)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

package source_test

import (
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata"
	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/source"
)

// streamed is what Open, then LoadPlan and Drop for every plan file in order, gives.
type streamed struct {
	d      *source.Docs
	issues []string
	plans  []*plan.PlanFile
	pos    [][]string // per plan, the positions of all its values, read before Drop
}

func stream(t *testing.T, fsys fs.FS, lim source.Limits) streamed {
	t.Helper()
	d, issues, err := source.Open(fsys, lim)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s := streamed{d: d, issues: strs(issues)}
	for _, p := range d.PlanPaths() {
		pf, iss, err := d.LoadPlan(p)
		if err != nil {
			t.Fatalf("LoadPlan(%s): %v", p, err)
		}
		s.issues = append(s.issues, strs(iss)...)
		if pf == nil {
			continue
		}
		if got := d.PlanPath(pf); got != p {
			t.Errorf("PlanPath = %q, want %q", got, p)
		}
		s.plans = append(s.plans, pf)
		s.pos = append(s.pos, allPos(d, pf))
		d.Drop(pf)
		if got := d.Pos(pf); got != (plan.Pos{}) {
			t.Errorf("%s: Pos(the plan file) after Drop = %v, want the zero Pos", p, got)
		}
		if got := d.Pos(&pf.Plan.ID); got != (plan.Pos{}) {
			t.Errorf("%s: Pos(plan id) after Drop = %v, want the zero Pos", p, got)
		}
		if got := d.PlanPath(pf); got != "" {
			t.Errorf("%s: PlanPath after Drop = %q, want \"\"", p, got)
		}
	}
	return s
}

// reversed loads the plans last to first and returns the issues sorted by SortIssues.
func reversed(t *testing.T, fsys fs.FS, lim source.Limits) []string {
	t.Helper()
	d, issues, err := source.Open(fsys, lim)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	paths := d.PlanPaths()
	for i := len(paths) - 1; i >= 0; i-- {
		pf, iss, err := d.LoadPlan(paths[i])
		if err != nil {
			t.Fatalf("LoadPlan(%s): %v", paths[i], err)
		}
		issues = append(issues, iss...)
		d.Drop(pf)
	}
	return strs(source.SortIssues(issues, d))
}

// allPos lists the position of every value reachable from pf, as "path: position", in a
// fixed order.
func allPos(d *source.Docs, pf *plan.PlanFile) []string {
	var out []string
	var walk func(name string, v reflect.Value)
	record := func(name string, p any) {
		out = append(out, name+": "+d.Pos(p).String())
	}
	walk = func(name string, v reflect.Value) {
		record(name, v.Addr().Interface())
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				record(name+"*", v.Interface())
				walk(name+"*", v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(name+"."+v.Type().Field(i).Name, v.Field(i))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(fmt.Sprintf("%s[%d]", name, i), v.Index(i))
			}
		}
	}
	record("file", pf)
	walk("", reflect.ValueOf(pf).Elem())
	return out
}

// checkStream compares streaming with Load on fsys: the same issues in the same order, the
// same Files, the same plans and the same positions of every value.
func checkStream(t *testing.T, fsys fs.FS, lim source.Limits) (load *source.Docs, s streamed) {
	t.Helper()
	load, loadIssues := loadFS(t, fsys, lim)
	s = stream(t, fsys, lim)
	if diff := cmp.Diff(loadIssues, s.issues); diff != "" {
		t.Errorf("issues (-Load +streaming):\n%s", diff)
	}
	if diff := cmp.Diff(load.Files, s.d.Files); diff != "" {
		t.Errorf("Files (-Load +streaming):\n%s", diff)
	}
	if diff := cmp.Diff(load.Plans, s.plans); diff != "" {
		t.Errorf("plans (-Load +streaming):\n%s", diff)
	}
	if len(s.d.Plans) != 0 {
		t.Errorf("LoadPlan added %d plans to Plans, want none", len(s.d.Plans))
	}
	for _, c := range []struct {
		name       string
		load, strm any
	}{
		{"Sources", load.Sources, s.d.Sources},
		{"Agencies", load.Agencies, s.d.Agencies},
		{"Regions", load.Regions, s.d.Regions},
		{"Checks", load.Checks, s.d.Checks},
	} {
		if diff := cmp.Diff(c.load, c.strm); diff != "" {
			t.Errorf("%s (-Load +streaming):\n%s", c.name, diff)
		}
	}
	if t.Failed() {
		return load, s
	}
	for i, pf := range load.Plans {
		want := allPos(load, pf)
		known := 0
		for _, p := range want {
			if !strings.HasSuffix(p, ": :0:0") {
				known++
			}
		}
		if known == 0 {
			t.Errorf("plan %d: Load knows no position", i)
		}
		if diff := cmp.Diff(want, s.pos[i]); diff != "" {
			t.Errorf("positions in %s (-Load +streaming):\n%s", load.PlanPath(pf), diff)
		}
	}
	// The reference files keep their positions when the plans are dropped.
	if len(load.Sources) > 0 {
		want, got := load.Pos(&load.Sources[0].ID), s.d.Pos(&s.d.Sources[0].ID)
		if want == (plan.Pos{}) || got != want {
			t.Errorf("Pos(first source id) = %v after streaming, %v after Load; want the same known position", got, want)
		}
	}
	return load, s
}

func TestStreamRepository(t *testing.T) {
	load, s := checkStream(t, plandata.Sources(), source.DefaultLimits)
	if len(load.Plans) < 2 || len(s.issues) > 0 {
		t.Errorf("repository sources: %d plans, %d issues; want several plans and no issue", len(load.Plans), len(s.issues))
	}
}

func TestStreamBroken(t *testing.T) {
	plan2021 := strings.NewReplacer("2022", "2021").Replace(planYAML)
	refBytes := int64(len(sourcesYAML) + len(agenciesYAML) + len(regionsYAML))
	for _, c := range []struct {
		name       string
		edits      []edit
		lim        func(*source.Limits)
		wantIssues bool
		inOrder    bool // the issues depend on the order the plans are read in
	}{
		{name: "valid, two plans", edits: []edit{put("plans/iiswg-2021.yaml", plan2021)}},
		{
			name: "the same ids in two plan files",
			edits: []edit{
				put("plans/iiswg-2021.yaml", planYAML),
				put("plans/iiswg-2023.yaml", planYAML),
			},
		},
		{
			name:       "YAML syntax error in a plan file",
			edits:      []edit{put("plans/iiswg-2021.yaml", strings.Replace(plan2021, "plan:\n  id:", "plan:\n\tid:", 1))},
			wantIssues: true,
		},
		{
			name:       "decoding problems in two plan files",
			edits:      []edit{put("plans/iiswg-2021.yaml", plan2021+"owner: x\n"), repl(planPath, "year: 2022", "year: [2022]")},
			wantIssues: true,
		},
		{
			name:       "issues found out of line order",
			edits:      []edit{repl(planPath, "    summary_en: \"Build ten 5G fully-connected factories.\"\n", "    owner: x\n")},
			wantIssues: true,
		},
		{name: "missing reference file", edits: []edit{del(source.AgenciesFile)}, wantIssues: true},
		{name: "problems in a reference file and a plan", edits: []edit{
			repl(source.SourcesFile, "    kind: news\n", "    kind: news\n    kind: wire\n"),
			repl(planPath, "    deadline: 2022年12月底\n", "    deadline: 2022年12月底\n    owner: miit\n"),
		}, wantIssues: true},
		{name: "stray files", edits: []edit{put("notes.txt", "x"), put("plans/a.yml", "x"), put("plans/old/a.yaml", "x")}, wantIssues: true},
		{name: "empty plan file", edits: []edit{put("plans/iiswg-2021.yaml", "\n")}, wantIssues: true},
		{name: "source checks", edits: []edit{put(source.ChecksFile, "checks:\n  - {source_id: s01, checked_at: 2024-01-01T00:00:00Z, status: 200}\n  - {}\n")}, wantIssues: true},
		{
			name:       "over MaxTotalBytes in the second plan",
			edits:      []edit{put("plans/iiswg-2021.yaml", plan2021)},
			lim:        func(l *source.Limits) { l.MaxTotalBytes = refBytes + int64(len(plan2021)) + 10 },
			wantIssues: true,
			inOrder:    true,
		},
		{
			name:       "over MaxTotalBytes in the reference files",
			edits:      []edit{put("plans/iiswg-2021.yaml", plan2021)},
			lim:        func(l *source.Limits) { l.MaxTotalBytes = refBytes - 10 },
			wantIssues: true,
		},
		{
			name:       "over MaxNodes",
			edits:      []edit{put("plans/iiswg-2021.yaml", plan2021)},
			lim:        func(l *source.Limits) { l.MaxNodes = 30 },
			wantIssues: true,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := baseFiles()
			f.apply(t, c.edits...)
			lim := source.DefaultLimits
			if c.lim != nil {
				c.lim(&lim)
			}
			_, s := checkStream(t, f.fs(), lim)
			if got := len(s.issues) > 0; got != c.wantIssues {
				t.Errorf("issues: %q; want some: %v", s.issues, c.wantIssues)
			}
			if got := reversed(t, f.fs(), lim); !c.inOrder && !cmp.Equal(s.issues, got) {
				t.Errorf("plans loaded in reverse order, SortIssues: %q, want %q", got, s.issues)
			}
		})
	}
	t.Run("unreadable plan file", func(t *testing.T) {
		m := baseFiles().fs()
		m["plans/iiswg-2021.yaml"] = &fstest.MapFile{Data: []byte(planYAML)}
		_, s := checkStream(t, failFS{MapFS: m, open: "plans/iiswg-2021.yaml"}, source.DefaultLimits)
		if want := []string{"plans/iiswg-2021.yaml:1:1: unreadable: open plans/iiswg-2021.yaml: permission denied"}; !cmp.Equal(want, s.issues) {
			t.Errorf("issues = %q, want %q", s.issues, want)
		}
		if len(s.plans) != 1 {
			t.Errorf("%d plans, want the readable one", len(s.plans))
		}
	})
}

// TestStreamPositions: positions of a plan hold while it is loaded, whatever else is loaded or
// dropped, and are gone once it is dropped.
func TestStreamPositions(t *testing.T) {
	f := baseFiles()
	f["plans/iiswg-2021.yaml"] = strings.NewReplacer("2022", "2021").Replace(planYAML)
	d, issues, err := source.Open(f.fs(), source.DefaultLimits)
	if err != nil || len(issues) > 0 {
		t.Fatalf("Open: %v %v", err, issues)
	}
	if want := []string{"plans/iiswg-2021.yaml", planPath}; !cmp.Equal(want, d.PlanPaths()) {
		t.Fatalf("PlanPaths = %q, want %q", d.PlanPaths(), want)
	}
	if len(d.Files) != 3 {
		t.Errorf("Files after Open: %+v, want the three reference files", d.Files)
	}
	a, _, err := d.LoadPlan("plans/iiswg-2021.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := d.LoadPlan(planPath)
	if err != nil {
		t.Fatal(err)
	}
	yearA, yearB := f.at(t, "plans/iiswg-2021.yaml", "year: |2021"), f.at(t, planPath, "year: |2022")
	termB := f.at(t, planPath, "[|5G全连接工厂]")
	check := func(when string, p any, want string) {
		t.Helper()
		if got := d.Pos(p).String(); got != want {
			t.Errorf("%s: Pos = %s, want %s", when, got, want)
		}
	}
	check("both loaded, first plan", &a.Plan.Year, yearA)
	check("both loaded, second plan", &b.Plan.Year, yearB)
	check("both loaded, second plan's key term", &b.Tasks[0].KeyTermsZH[0], termB)
	check("both loaded, a source", &d.Sources[1].URL, f.at(t, source.SourcesFile, `url: |"https://example.org/report"`))
	d.Drop(a)
	check("first dropped, first plan", &a.Plan.Year, ":0:0")
	check("first dropped, first plan's task", &a.Tasks[0], ":0:0")
	check("first dropped, second plan", &b.Plan.Year, yearB)
	check("first dropped, second plan's key term", &b.Tasks[0].KeyTermsZH[0], termB)
	d.Drop(b)
	check("both dropped, second plan", &b.Plan.Year, ":0:0")
	check("both dropped, a source", &d.Sources[1].URL, f.at(t, source.SourcesFile, `url: |"https://example.org/report"`))
	d.Drop(b) // a second Drop does nothing

	if _, _, err := d.LoadPlan("plans/iiswg-2020.yaml"); err == nil {
		t.Errorf("LoadPlan of a file that is not listed: no error")
	}
	if _, _, err := d.LoadPlan(source.SourcesFile); err == nil {
		t.Errorf("LoadPlan of a reference file: no error")
	}
}

func TestHash(t *testing.T) {
	check := func(name string, fsys fs.FS) {
		t.Helper()
		files, ok, err := source.Hash(fsys, source.DefaultLimits)
		if err != nil || !ok {
			t.Fatalf("%s: Hash: ok %v, %v", name, ok, err)
		}
		d, issues := loadFS(t, fsys, source.DefaultLimits)
		if len(issues) > 0 {
			t.Fatalf("%s: Load: %q", name, issues)
		}
		if diff := cmp.Diff(d.Files, files); diff != "" {
			t.Errorf("%s: Hash (-Load's Files +Hash):\n%s", name, diff)
		}
	}
	check("repository", plandata.Sources())
	f := baseFiles()
	f["README.md"] = "# Sources\n"
	f["plans/iiswg-2021.yaml"] = strings.NewReplacer("2022", "2021").Replace(planYAML)
	f[source.ChecksFile] = "checks:\n  - {source_id: s01, url: \"https://example.org/plan-2022\", checked_at: 2024-01-01T00:00:00Z, status: 200}\n"
	check("all kinds of files", f.fs())

	// A change of one byte changes the hash of that file.
	before, _, _ := source.Hash(f.fs(), source.DefaultLimits)
	f[planPath] = strings.Replace(f[planPath], "10个", "11个", 1)
	after, _, _ := source.Hash(f.fs(), source.DefaultLimits)
	if len(before) != len(after) || before[len(before)-1] == after[len(after)-1] || before[0] != after[0] {
		t.Errorf("after a change to the last plan: %+v, before %+v", after, before)
	}

	for _, c := range []struct {
		name string
		fsys func() fs.FS
		lim  func(*source.Limits)
	}{
		{name: "stray file", fsys: func() fs.FS { f := baseFiles(); f["notes.txt"] = "x"; return f.fs() }},
		{name: "stray folder", fsys: func() fs.FS { f := baseFiles(); f["old/sources.yaml"] = sourcesYAML; return f.fs() }},
		{name: "missing file", fsys: func() fs.FS { f := baseFiles(); delete(f, source.RegionsFile); return f.fs() }},
		{name: "symbolic link", fsys: func() fs.FS {
			m := baseFiles().fs()
			m["plans/iiswg-2021.yaml"] = &fstest.MapFile{Data: []byte("../x.yaml"), Mode: fs.ModeSymlink}
			return m
		}},
		{name: "empty file", fsys: func() fs.FS { f := baseFiles(); f[planPath] = " \n"; return f.fs() }},
		{name: "not UTF-8", fsys: func() fs.FS { f := baseFiles(); f[planPath] = "plan: \xff\n"; return f.fs() }},
		{name: "unreadable", fsys: func() fs.FS { return failFS{MapFS: baseFiles().fs(), open: planPath} }},
		{name: "file too large", fsys: func() fs.FS { return baseFiles().fs() }, lim: func(l *source.Limits) { l.MaxFileBytes = int64(len(planYAML)) - 1 }},
		{name: "all too large", fsys: func() fs.FS { return baseFiles().fs() }, lim: func(l *source.Limits) { l.MaxTotalBytes = 100 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			lim := source.DefaultLimits
			if c.lim != nil {
				c.lim(&lim)
			}
			files, ok, err := source.Hash(c.fsys(), lim)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if ok {
				t.Errorf("Hash: ok with %d files, want not ok", len(files))
			}
			// Load does report an issue here.
			if _, issues, err := source.Load(c.fsys(), lim); err != nil || len(issues) == 0 {
				t.Errorf("Load: %v, %d issues; want some", err, len(issues))
			}
		})
	}
}

// FuzzStream: for any plan file, loading it with Open and LoadPlan gives what Load gives.
func FuzzStream(f *testing.F) {
	f.Add([]byte(planYAML))
	f.Add([]byte("plan: {id: x\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		src := baseFiles()
		src["plans/iiswg-2021.yaml"] = string(in)
		checkStream(t, src.fs(), fuzzLimits)
	})
}

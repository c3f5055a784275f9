package synth_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/plandata/plandata"
	"github.com/plandata/plandata/pipeline"
	"github.com/plandata/plandata/pipeline/synth"
)

// TestTables builds the tables of a small synthetic folder: no issues, and the row counts
// the shape promises.
func TestTables(t *testing.T) {
	const measures = 500 // 6 full plans and one of 20
	dir := t.TempDir()
	if err := synth.Write(dir, measures, 1); err != nil {
		t.Fatal(err)
	}
	set, _, err := pipeline.Tables(pipeline.Config{Sources: os.DirFS(dir)})
	if issues, ok := pipeline.IsInvalid(err); ok {
		for _, is := range issues[:min(len(issues), 20)] {
			t.Error(is)
		}
		t.Fatalf("%d issues", len(issues))
	}
	if err != nil {
		t.Fatal(err)
	}
	ref, _, err := pipeline.Tables(pipeline.Config{Sources: plandata.Sources()})
	if err != nil {
		t.Fatal(err)
	}
	plans := synth.Plans(measures)
	want := map[string]int{
		"plans":           plans,
		"aspects":         4 * plans,
		"task_categories": synth.CategoriesPerPlan * plans,
		"tasks":           measures,
		"tasks_flat":      measures,
	}
	for _, name := range []string{"sources", "agencies", "agency_aliases", "regions", "region_aliases"} {
		want[name] = ref.Table(name).Len()
	}
	for name, n := range want {
		if got := set.Table(name).Len(); got != n {
			t.Errorf("%s: %d rows, want %d", name, got, n)
		}
	}
	// The optional parts of a measure all occur.
	for _, name := range []string{"targets", "task_outcomes", "plan_members", "task_agencies", "task_regions", "evidence"} {
		if set.Table(name).Len() == 0 {
			t.Errorf("%s: no rows", name)
		}
	}
	if got, want := set.Table("evidence").Len(), ref.Table("evidence").Len()+measures; got < want {
		t.Errorf("evidence: %d rows, want at least one per measure (%d)", got, want)
	}
}

// TestDeterministic checks that the same arguments give the same bytes, and another seed
// other bytes.
func TestDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, x := range []struct {
		dir  string
		seed int64
	}{{a, 7}, {b, 7}, {c, 8}} {
		if err := synth.Write(x.dir, 170, x.seed); err != nil {
			t.Fatal(err)
		}
	}
	ta, tb, tc := files(t, a), files(t, b), files(t, c)
	if len(ta) != 3+synth.Plans(170) {
		t.Errorf("%d files, want %d", len(ta), 3+synth.Plans(170))
	}
	for name, want := range ta {
		if !bytes.Equal(tb[name], want) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if len(tb) != len(ta) {
		t.Errorf("%d files, then %d", len(ta), len(tb))
	}
	if bytes.Equal(ta["plans/syn1-2000.yaml"], tc["plans/syn1-2000.yaml"]) {
		t.Error("seeds 7 and 8 give the same plan")
	}
}

func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPlanID(t *testing.T) {
	for i, want := range map[int]string{0: "syn1-2000", 99: "syn1-2099", 100: "syn2-2000", 12499: "syn125-2099"} {
		if got := synth.PlanID(i); got != want {
			t.Errorf("PlanID(%d) = %s, want %s", i, got, want)
		}
	}
}

package write_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/schemas"
)

var info = table.Info{
	Dataset:   "plandata",
	ReleaseID: "2022-04-13-000000000000",
	Date:      table.Date(2022, 4, 13),
	Version:   "test",
}

// TestConformance runs every format through the same checks: what it writes reads back to the
// same rows, every path it reports exists, and no temporary file is left behind.
func TestConformance(t *testing.T) {
	s := schemas.MustLoad()
	want := tabletest.Sample(s)
	for _, f := range write.All() {
		t.Run(f.Name(), func(t *testing.T) {
			dir := t.TempDir()
			files, err := f.Write(dir, want, info)
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if len(files) == 0 || !slices.IsSorted(files) {
				t.Fatalf("Write returned %q: want a sorted, non-empty list", files)
			}
			for _, p := range files {
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
					t.Errorf("reported file %s: %v", p, err)
				}
			}
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && strings.HasPrefix(d.Name(), atomic.TempPrefix) {
					t.Errorf("temporary file left behind: %s", p)
				}
				return nil
			})
			got, err := f.Read(dir, s, info)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			for _, wt := range want.Tables {
				gt := got.Table(wt.Name())
				if gt == nil {
					t.Errorf("table %s not read back", wt.Name())
					continue
				}
				if diff := cmp.Diff(table.Dump(wt), table.Dump(gt)); diff != "" {
					t.Errorf("table %s read back differently (-want +got):\n%s", wt.Name(), diff)
				}
			}
		})
	}
}

package write_test

import (
	"os"
	"path"
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

var info = tabletest.Info

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

// TestConformanceWriteErrors puts something in the way of each format's files: Write must
// fail, name the file it could not write, return no paths, and leave no temporary file.
func TestConformanceWriteErrors(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s)
	for _, f := range write.All() {
		files, err := f.Write(t.TempDir(), set, info)
		if err != nil {
			t.Fatalf("%s: Write: %v", f.Name(), err)
		}
		first, last := files[0], files[len(files)-1]
		cases := []struct {
			name    string
			prepare func(dir string) error
			file    string
		}{
			{"last file's place is a folder", func(dir string) error {
				return os.MkdirAll(filepath.Join(dir, filepath.FromSlash(last), "keep"), 0o755)
			}, path.Base(last)},
		}
		if sub := path.Dir(first); sub != "." {
			cases = append(cases, struct {
				name    string
				prepare func(dir string) error
				file    string
			}{"its folder is a file", func(dir string) error {
				return os.WriteFile(filepath.Join(dir, sub), nil, 0o644)
			}, sub})
		}
		for _, c := range cases {
			t.Run(f.Name()+"/"+c.name, func(t *testing.T) {
				dir := t.TempDir()
				if err := c.prepare(dir); err != nil {
					t.Fatal(err)
				}
				got, err := f.Write(dir, set, info)
				if err == nil {
					t.Fatalf("Write returned %q and no error", got)
				}
				if !strings.Contains(err.Error(), c.file) {
					t.Errorf("error %q does not name %s", err, c.file)
				}
				if got != nil {
					t.Errorf("Write returned %q with its error", got)
				}
				filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
					if err == nil && strings.HasPrefix(d.Name(), atomic.TempPrefix) {
						t.Errorf("temporary file left behind: %s", p)
					}
					return nil
				})
			})
		}
	}
}

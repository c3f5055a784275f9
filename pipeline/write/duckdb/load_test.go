package duckdb

import (
	"os"
	"strings"
	"testing"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// withLoad runs the test with other loading parameters.
func withLoad(t *testing.T, nLoaders, segment, checkpoint int) {
	t.Helper()
	l, s, c := loaders, segmentRows, checkpointRows
	loaders, segmentRows, checkpointRows = nLoaders, segment, checkpoint
	t.Cleanup(func() { loaders, segmentRows, checkpointRows = l, s, c })
}

// TestLoadSegments writes a synthetic set in segments of a few rows, checkpointing every few
// segments, one and two tables at a time, and reads every base table back.
func TestLoadSegments(t *testing.T) {
	s := schemas.MustLoad()
	set, err := benchSet(s, 200, "")
	if err != nil {
		t.Fatal(err)
	}
	info := table.Info{Dataset: "plandata"}
	for _, tc := range []struct {
		name                         string
		loaders, segment, checkpoint int
	}{
		{"one loader, small segments", 1, 7, 50},
		{"two loaders, small segments", 2, 7, 50},
		{"two loaders, a checkpoint at every segment", 2, 100, 1},
		{"three loaders, one segment a table", 3, 1 << 20, 1 << 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withLoad(t, tc.loaders, tc.segment, tc.checkpoint)
			dir := t.TempDir()
			if _, err := (Writer{}).Write(dir, set, info); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("files beside the database: %v", entries)
			}
			got, err := Writer{}.Read(dir, s, info)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			for _, want := range set.Tables {
				if want.Schema.View {
					continue
				}
				gt := got.Table(want.Name())
				if gt.Len() != want.Len() {
					t.Errorf("%s: %d rows read back, want %d", want.Name(), gt.Len(), want.Len())
				}
				wd, err := table.Digest(want)
				if err != nil {
					t.Fatal(err)
				}
				gd, err := table.Digest(gt)
				if err != nil {
					t.Fatal(err)
				}
				if gd != wd {
					t.Errorf("%s: rows read back differ", want.Name())
				}
			}
		})
	}
}

// TestLoadFails checks that a row that breaks a foreign key late in a large table fails the
// write, whichever loader meets it, and that the other loader stops.
func TestLoadFails(t *testing.T) {
	s := schemas.MustLoad()
	for _, tc := range []struct {
		table string
		row   map[string]any
	}{
		{"evidence", map[string]any{"subject_table": "tasks", "subject_id": "syn1-2001-m07", "source_id": "no-such-source"}},
		{"task_agencies", map[string]any{"task_id": "syn1-2001-m07", "agency_id": "no-such-agency", "role": "lead", "as_written": "某部", "confidence": "high"}},
	} {
		t.Run(tc.table, func(t *testing.T) {
			withLoad(t, 2, 5, 40)
			set, err := benchSet(s, 200, "")
			if err != nil {
				t.Fatal(err)
			}
			b := newRowOf(s.Table(tc.table))
			for k, v := range tc.row {
				b.set(k, v)
			}
			if err := set.Table(tc.table).Append(b.row); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			files, err := Writer{}.Write(dir, set, table.Info{Dataset: "plandata"})
			if err == nil {
				t.Fatalf("Write returned %q and no error", files)
			}
			if want := "load " + tc.table + ": "; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name the table (%q)", err, want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}

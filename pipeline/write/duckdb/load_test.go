package duckdb

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
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
			if views := loadViews(t, filepath.Join(dir, "plandata.duckdb")); len(views) > 0 {
				t.Errorf("views of the load left in the file: %v", views)
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

// TestLoadFails checks that a row that breaks a primary key late in a large table fails the
// write, whichever loader meets it, that the error names the table and the rows of the
// segment, and that nothing is left behind.
func TestLoadFails(t *testing.T) {
	s := schemas.MustLoad()
	for _, name := range []string{"evidence", "task_agencies"} {
		t.Run(name, func(t *testing.T) {
			withLoad(t, 2, 5, 40)
			set, err := benchSet(s, 200, "")
			if err != nil {
				t.Fatal(err)
			}
			tt := set.Table(name)
			rows, err := tt.All()
			if err != nil {
				t.Fatal(err)
			}
			last := len(rows) - 1 // the copy sorts beside it, in the last segment
			if err := tt.Append(rows[last]); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			files, err := Writer{}.Write(dir, set, table.Info{Dataset: "plandata"})
			if err == nil {
				t.Fatalf("Write returned %q and no error", files)
			}
			first := (last + 1) / 5 * 5
			for _, want := range []string{fmt.Sprintf("load %s: rows %d to %d: ", name, first, last+1), "PRIMARY KEY or UNIQUE constraint violation"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}

// loadViews lists the views of the database at path that are not the file's own.
func loadViews(t *testing.T, path string) []string {
	t.Helper()
	c, err := connect(path, readOptions)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	own := map[string]bool{"foreign_keys": true}
	for _, v := range extraViews {
		own[v.Name] = true
	}
	for _, ts := range schemas.MustLoad().Tables {
		own[ts.Name] = ts.View
	}
	rows, err := db.Query("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var other []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !own[name] {
			other = append(other, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return other
}

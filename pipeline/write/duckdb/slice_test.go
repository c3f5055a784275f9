package duckdb

import (
	"slices"
	"testing"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

// A table read in ranges of row ids, and a view read in ranges of its key, give the rows
// they give at once; the view in key order when asked.
func TestViewReadInSlices(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s)
	dir := t.TempDir()
	if _, err := (Writer{}).Write(dir, set, tabletest.Info); err != nil {
		t.Fatal(err)
	}
	want, err := table.Digest(set.Table("tasks_flat"))
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { viewSliceRows = n }(viewSliceRows)
	for _, n := range []int{1, 2, tabletest.Rows, 1000} {
		viewSliceRows = n
		var d table.Digester
		var keys []string
		if _, err := (Writer{}).ScanTable(dir, s.Table("tasks_flat"), tabletest.Info, func(r table.Row) error {
			keys = append(keys, r[0].(string))
			return d.Add(r)
		}); err != nil {
			t.Fatalf("%d rows a slice: %v", n, err)
		}
		if got, _ := d.Sum(); got != want || d.Rows() != tabletest.Rows {
			t.Errorf("%d rows a slice: %d rows, digest %s; want %d rows, %s", n, d.Rows(), got, tabletest.Rows, want)
		}
		got, err := (Writer{}).Read(dir, s, tabletest.Info)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := got.Table("tasks_flat").All()
		if err != nil {
			t.Fatal(err)
		}
		var readKeys []string
		for _, r := range rows {
			readKeys = append(readKeys, r[0].(string))
		}
		if !slices.IsSorted(readKeys) || len(readKeys) != tabletest.Rows {
			t.Errorf("%d rows a slice: Read gives keys %q", n, readKeys)
		}
		if n == 1 && !slices.IsSorted(keys) {
			t.Errorf("slices of one row come out of key order: %q", keys)
		}
		for _, name := range []string{"tasks", "evidence", "agencies"} {
			want, err := table.Digest(set.Table(name))
			if err != nil {
				t.Fatal(err)
			}
			var d table.Digester
			if _, err := (Writer{}).ScanTable(dir, s.Table(name), tabletest.Info, d.Add); err != nil {
				t.Fatalf("%s, %d rows a slice: %v", name, n, err)
			}
			if got, _ := d.Sum(); got != want || d.Rows() != set.Table(name).Len() {
				t.Errorf("%s, %d rows a slice: %d rows, digest %s; want %d rows, %s", name, n, d.Rows(), got, set.Table(name).Len(), want)
			}
		}
	}
}

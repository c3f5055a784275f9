package write_test

import (
	"testing"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/schemas"
)

// scanner is what release checks a release through, one row at a time.
type scanner interface {
	ScanTable(dir string, ts *schemas.Table, info table.Info, fn func(table.Row) error) (bool, error)
}

// TestScanTable checks that every format scans, table by table, the rows it reads back.
func TestScanTable(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s)
	for _, f := range write.All() {
		t.Run(f.Name(), func(t *testing.T) {
			sc, ok := f.(scanner)
			if !ok {
				t.Fatal("no ScanTable method")
			}
			dir := t.TempDir()
			if _, err := f.Write(dir, set, info); err != nil {
				t.Fatal(err)
			}
			got, err := f.Read(dir, s, info)
			if err != nil {
				t.Fatal(err)
			}
			for _, ts := range s.Tables {
				var d table.Digester
				found, err := sc.ScanTable(dir, ts, info, d.Add)
				if err != nil || !found {
					t.Fatalf("%s: found %t, %v", ts.Name, found, err)
				}
				want := got.Table(ts.Name)
				wantSum, err := table.Digest(want)
				if err != nil {
					t.Fatalf("%s: digest of what Read gives: %v", ts.Name, err)
				}
				sum, err := d.Sum()
				if err != nil || d.Rows() != want.Len() || sum != wantSum {
					t.Errorf("%s: scanned %d rows, digest %s (%v); Read gives %d, %s", ts.Name, d.Rows(), sum, err, want.Len(), wantSum)
				}
			}
		})
	}
}

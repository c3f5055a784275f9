package xlsx

import (
	"archive/zip"
	"bufio"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

// sheetsAsExcelize reads every sheet of a workbook through excelize, raw values, one row per
// row the sheet has.
func sheetsAsExcelize(t testing.TB, path string) map[string][][]string {
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var all [][]string
		for rows.Next() {
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for len(cells) > 0 && cells[len(cells)-1] == "" {
				cells = cells[:len(cells)-1]
			}
			all = append(all, cells)
		}
		rows.Close()
		out[sheet] = all
	}
	return out
}

// testBook opens the workbook at path for the package's own reader; it is closed when the
// test ends.
func testBook(t testing.TB, path string) *book {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zr.Close() })
	b, err := openBook(&zr.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sheetsAsScanned reads every sheet with scanSheet.
func sheetsAsScanned(t testing.TB, path string) map[string][][]string {
	b := testBook(t, path)
	out := map[string][][]string{}
	for sheet, part := range b.sheets {
		rc, err := b.files[part].Open()
		if err != nil {
			t.Fatal(err)
		}
		var all [][]string
		err = scanSheet(bufio.NewReaderSize(rc, 16), b, func(cells []string) error {
			all = append(all, slices.Clone(cells))
			return nil
		})
		rc.Close()
		if err != nil {
			t.Fatalf("sheet %s: %v", sheet, err)
		}
		out[sheet] = all
	}
	return out
}

// TestScanSheetAsExcelize reads every sheet of the sample workbook, README and dictionary
// included, both ways: the scanner sees the cells excelize sees.
func TestScanSheetAsExcelize(t *testing.T) {
	set := tabletest.Sample(schemas.MustLoad())
	path := write(t, set, info)
	want, got := sheetsAsExcelize(t, path), sheetsAsScanned(t, path)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("scanned sheets differ from excelize's reading (-want +got):\n%s", diff)
	}
}

func FuzzScanSheet(f *testing.F) {
	for _, s := range []string{"plain", "=A1", "_x0041_ and _x005F_x0041_", "tab\tcr\r\nlf\n", " lead", "trail ",
		"<&>\"'", "]]>", "工业互联网", "\u00a0", "a\u2028b", "&amp;", "_x000D_"} {
		f.Add(s)
	}
	cols := []schemas.Column{{Name: "id", Type: schemas.Text, Required: true}, {Name: "l", Type: schemas.TextList}}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := valuesTable(cols, table.Row{"x" + s, []string{s + "y"}})
		if err != nil || checkText(s) != nil {
			return
		}
		dir := t.TempDir()
		if _, err := (Writer{}).Write(dir, set, info); err != nil {
			return // text a cell cannot hold
		}
		path := dir + "/" + info.Dataset + ".xlsx"
		if diff := cmp.Diff(sheetsAsExcelize(t, path)["values"], sheetsAsScanned(t, path)["values"], cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%q: (-excelize +scanned):\n%s", s, diff)
		}
	})
}

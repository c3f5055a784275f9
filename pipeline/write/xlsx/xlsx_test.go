package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var info = tabletest.Info

// write writes set into a new temporary folder and returns the workbook's path.
func write(t *testing.T, set *table.Set, info table.Info) string {
	t.Helper()
	dir := t.TempDir()
	files, err := Writer{}.Write(dir, set, info)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if want := []string{info.Dataset + ".xlsx"}; !slices.Equal(files, want) {
		t.Fatalf("Write returned %q, want %q", files, want)
	}
	return filepath.Join(dir, files[0])
}

// TestGolden compares a text dump of the sample workbook, read back through excelize, with
// testdata/sample.golden: sheets, panes, filters, widths, styles and every cell's type and
// value. Refresh it with go test -update.
func TestGolden(t *testing.T) {
	path := write(t, tabletest.Sample(schemas.MustLoad()), info)
	got := dump(t, path)
	golden := filepath.Join("testdata", "sample.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("workbook differs from %s (-want +got):\n%s", golden, diff)
	}
}

// dump is the text form of a workbook that the golden file holds.
func dump(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "properties: title=%q subject=%q creator=%q created=%s modified=%s\n",
		props.Title, props.Subject, props.Creator, props.Created, props.Modified)
	font, err := f.GetDefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "default font: %s\n", font)
	fmt.Fprintf(&b, "sheets: %s\n", strings.Join(f.GetSheetList(), " | "))
	filters, titles := map[string]string{}, map[string]string{}
	for _, d := range f.GetDefinedName() {
		switch d.Name {
		case "_xlnm._FilterDatabase":
			filters[d.Scope] = d.RefersTo
		case "_xlnm.Print_Titles":
			titles[d.Scope] = d.RefersTo
		}
	}
	styles := map[int]bool{}
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "\n== sheet %s\n", sheet)
		dim, _ := f.GetSheetDimension(sheet)
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "dimension %s; panes freeze=%t ySplit=%d topLeft=%s; filter %s\n",
			dim, panes.Freeze, panes.YSplit, panes.TopLeftCell, orNone(filters[sheet]))
		fmt.Fprintf(&b, "print %s; titles %s\n", describePrint(t, f, sheet), orNone(titles[sheet]))
		if merged, _ := f.GetMergeCells(sheet); len(merged) > 0 {
			var refs []string
			for _, m := range merged {
				refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
			}
			fmt.Fprintf(&b, "merged %s\n", strings.Join(refs, " "))
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		var widths []string
		for c := 1; c <= maxLen(rows); c++ {
			name, _ := excelize.ColumnNumberToName(c)
			w, _ := f.GetColWidth(sheet, name)
			widths = append(widths, fmt.Sprintf("%s=%g", name, w))
		}
		fmt.Fprintf(&b, "widths %s\n", strings.Join(widths, " "))
		for i, row := range rows {
			if h, _ := f.GetRowHeight(sheet, i+1); h != 15 && h != 0 {
				fmt.Fprintf(&b, "row %d height %g\n", i+1, h)
			}
			for j, raw := range row {
				if raw == "" {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				typ, _ := f.GetCellType(sheet, ref)
				style, _ := f.GetCellStyle(sheet, ref)
				shown, _ := f.GetCellValue(sheet, ref)
				formula, _ := f.GetCellFormula(sheet, ref)
				styles[style] = true
				fmt.Fprintf(&b, "%s %s s%d %q", ref, cellTypes[typ], style, raw)
				if shown != raw {
					fmt.Fprintf(&b, " shown %q", shown)
				}
				if formula != "" {
					fmt.Fprintf(&b, " FORMULA %q", formula)
				}
				b.WriteByte('\n')
			}
		}
	}
	b.WriteString("\n== styles\n")
	ids := make([]int, 0, len(styles))
	for id := range styles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "s%d %s\n", id, describeStyle(s))
	}
	return b.String()
}

var cellTypes = map[excelize.CellType]string{
	excelize.CellTypeUnset:        "number",
	excelize.CellTypeBool:         "bool",
	excelize.CellTypeDate:         "date",
	excelize.CellTypeError:        "error",
	excelize.CellTypeFormula:      "formula",
	excelize.CellTypeInlineString: "inlineStr",
	excelize.CellTypeNumber:       "number",
	excelize.CellTypeSharedString: "sharedStr",
}

func describeStyle(s *excelize.Style) string {
	var parts []string
	if s.Font != nil {
		f := fmt.Sprintf("font=%q %g", s.Font.Family, s.Font.Size)
		if s.Font.Bold {
			f += " bold"
		}
		parts = append(parts, f)
	}
	if len(s.Fill.Color) > 0 {
		parts = append(parts, "fill="+strings.Join(s.Fill.Color, ","))
	}
	if s.Alignment != nil && s.Alignment.Horizontal != "" {
		parts = append(parts, s.Alignment.Horizontal)
	}
	if s.Alignment != nil && s.Alignment.WrapText {
		parts = append(parts, "wrap")
	}
	if s.CustomNumFmt != nil {
		parts = append(parts, fmt.Sprintf("numfmt=%q", *s.CustomNumFmt))
	} else if s.NumFmt != 0 {
		parts = append(parts, fmt.Sprintf("numfmt=%d", s.NumFmt))
	}
	return strings.Join(parts, " ")
}

// describePrint is the page setup of a sheet: paper, orientation, fitting, page order,
// margins and footer.
func describePrint(t *testing.T, f *excelize.File, sheet string) string {
	t.Helper()
	layout, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	props, err := f.GetSheetProps(sheet)
	if err != nil {
		t.Fatal(err)
	}
	margins, err := f.GetPageMargins(sheet)
	if err != nil {
		t.Fatal(err)
	}
	footer, err := f.GetHeaderFooter(sheet)
	if err != nil {
		t.Fatal(err)
	}
	d := fmt.Sprintf("paper=%d %s", *layout.Size, *layout.Orientation)
	if props.FitToPage != nil && *props.FitToPage {
		d += fmt.Sprintf(" fit=%dx%d", deref(layout.FitToWidth), deref(layout.FitToHeight))
	}
	if layout.PageOrder != nil {
		d += " " + *layout.PageOrder
	}
	d += fmt.Sprintf(" margins=%g/%g/%g/%g", *margins.Left, *margins.Right, *margins.Top, *margins.Bottom)
	if footer != nil && footer.OddFooter != "" {
		d += fmt.Sprintf(" footer=%q", footer.OddFooter)
	}
	return d
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func maxLen(rows [][]string) int {
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	return n
}

// TestTableSheets checks every table sheet as a user sees it: one bold, filled header row of
// column names, frozen, with a filter over the whole table.
func TestTableSheets(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s)
	f, err := excelize.OpenFile(write(t, set, info))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{readmeSheet, dictionarySheet}
	for _, ts := range s.Tables {
		if !ts.View {
			want = append(want, ts.Name)
		}
	}
	for _, ts := range s.Tables {
		if ts.View {
			want = append(want, ts.Name)
		}
	}
	if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	filters := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filters[d.Scope] = d.RefersTo
		}
	}
	for _, tb := range set.Tables {
		t.Run(tb.Name(), func(t *testing.T) {
			sheet := tb.Name()
			panes, err := f.GetPanes(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
				t.Errorf("panes %+v: want the first row frozen", panes)
			}
			last, _ := excelize.CoordinatesToCellName(len(tb.Schema.Columns), tb.Len()+1)
			if got, want := filters[sheet], "'"+sheet+"'!"+absRef("A1")+":"+absRef(last); got != want {
				t.Errorf("filter %q, want %q", got, want)
			}
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range tb.Schema.Columns {
				names = append(names, c.Name)
			}
			if diff := cmp.Diff(names, rows[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			for j := range names {
				ref, _ := excelize.CoordinatesToCellName(j+1, 1)
				id, _ := f.GetCellStyle(sheet, ref)
				st, err := f.GetStyle(id)
				if err != nil {
					t.Fatal(err)
				}
				if st.Font == nil || !st.Font.Bold || st.Font.Family != font || len(st.Fill.Color) == 0 {
					t.Errorf("header %s: style %s, want bold %s with a fill", ref, describeStyle(st), font)
				}
				col, _ := excelize.ColumnNumberToName(j + 1)
				if w, _ := f.GetColWidth(sheet, col); w < minWidth || w > maxWidth {
					t.Errorf("column %s width %g, want %d..%d", col, w, minWidth, maxWidth)
				}
			}
			if len(rows) != tb.Len()+1 {
				t.Errorf("%d rows, want a header and %d", len(rows), tb.Len())
			}
		})
	}
}

// absRef turns B4 into $B$4.
func absRef(ref string) string {
	col, row, err := excelize.SplitCellName(ref)
	if err != nil {
		panic(err)
	}
	return "$" + col + "$" + strconv.Itoa(row)
}

// TestDeterministic writes the same set several times, the last after the clock has moved by
// more than the two seconds a zip time can tell apart, and wants the same bytes every time,
// with every zip entry dated the release date and [Content_Types].xml first.
func TestDeterministic(t *testing.T) {
	set := tabletest.Sample(schemas.MustLoad())
	first, err := os.ReadFile(write(t, set, info))
	if err != nil {
		t.Fatal(err)
	}
	runs := []string{"again", "again", "again"}
	if !testing.Short() {
		runs = append(runs, "after 2.1s")
	}
	for i, name := range runs {
		t.Run(fmt.Sprintf("%d %s", i, name), func(t *testing.T) {
			if name != "again" {
				time.Sleep(2100 * time.Millisecond)
			}
			got, err := os.ReadFile(write(t, set, info))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, got) {
				t.Errorf("bytes differ between two writes of the same set (%d and %d bytes); entries %v and %v",
					len(first), len(got), entries(t, first), entries(t, got))
			}
		})
	}
	for _, d := range []time.Time{info.Date, table.Date(2026, 11, 27)} {
		t.Run("dated "+d.Format(time.DateOnly), func(t *testing.T) {
			in := info
			in.Date = d
			b, err := os.ReadFile(write(t, set, in))
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if zr.File[0].Name != "[Content_Types].xml" {
				t.Errorf("first entry %s, want [Content_Types].xml", zr.File[0].Name)
			}
			var names []string
			for _, zf := range zr.File {
				names = append(names, zf.Name)
				if !zf.Modified.Equal(d) {
					t.Errorf("entry %s dated %v, want %v", zf.Name, zf.Modified, d)
				}
			}
			if !slices.IsSorted(names[1:]) {
				t.Errorf("entries not in name order: %q", names)
			}
		})
	}
}

// entries lists the names of the zip entries of b, for failure messages.
func entries(t *testing.T, b []byte) []string {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}

// sheetXML is what TestNoFormula reads from a worksheet part.
type sheetXML struct {
	Rows []struct {
		Cells []struct {
			Ref     string    `xml:"r,attr"`
			Type    string    `xml:"t,attr"`
			Formula *struct{} `xml:"f"`
			Value   string    `xml:"v"`
			Inline  string    `xml:"is>t"`
		} `xml:"c"`
	} `xml:"sheetData>row"`
}

// TestNoFormula reads the raw sheet XML: no cell anywhere has a formula, every cell of a text
// column is a string cell (so text like "=SUM(A1:A2)", "+86 010" and the code "010000" stay
// text), and every cell of a number or date column is a number cell.
func TestNoFormula(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s)
	b, err := os.ReadFile(write(t, set, info))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	z := &zipWriter{parts: map[string]*bytes.Buffer{}}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		z.parts[zf.Name] = bytes.NewBuffer(data)
		if strings.HasPrefix(zf.Name, "xl/worksheets/") && bytes.Contains(data, []byte("<f")) {
			t.Errorf("%s holds an <f> element", zf.Name)
		}
	}
	paths, err := z.sheetPaths()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tb := range set.Tables {
		t.Run(tb.Name(), func(t *testing.T) {
			var sx sheetXML
			if err := xml.Unmarshal(z.parts[paths[tb.Name()]].Bytes(), &sx); err != nil {
				t.Fatal(err)
			}
			for _, row := range sx.Rows[1:] {
				for _, c := range row.Cells {
					col, _, err := excelize.CellNameToCoordinates(c.Ref)
					if err != nil {
						t.Fatal(err)
					}
					typ := tb.Schema.Columns[col-1].Type
					if c.Formula != nil {
						t.Errorf("%s: formula", c.Ref)
					}
					switch typ {
					case schemas.Text, schemas.TextList:
						if c.Type != "inlineStr" && c.Type != "s" {
							t.Errorf("%s (%s): t=%q, want a string cell", c.Ref, typ, c.Type)
						}
						seen[c.Inline] = true
					default:
						if c.Type != "" && c.Type != "n" {
							t.Errorf("%s (%s): t=%q, want a number cell", c.Ref, typ, c.Type)
						}
						if _, err := strconv.ParseFloat(c.Value, 64); err != nil {
							t.Errorf("%s (%s): value %q is not a number", c.Ref, typ, c.Value)
						}
					}
				}
			}
		})
	}
	for _, s := range []string{"=SUM(A1:A2)", "=1+1", "010000", "+86 010; \"quoted\", comma\nsecond line"} {
		if !seen[s] {
			t.Errorf("no string cell holds %q", s)
		}
	}
}

// TestDoubleText reads the raw XML of double cells: every digit of the value, in the shortest
// form that reads back the same, with an exponent for very large and very small values.
func TestDoubleText(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{1.0 / 3, "0.3333333333333333"},
		{10.0 / 83, "0.12048192771084337"},
		{2.5e6, "2500000"},
		{-3, "-3"},
		{0.1, "0.1"},
		{1e300, "1E+300"},
		{5e-324, "5E-324"},
		{-1.5e-10, "-1.5E-10"},
		{123456789012345678, "123456789012345680"},
	}
	cols := []schemas.Column{{Name: "id", Type: schemas.Text, Required: true}, {Name: "x", Type: schemas.Double}}
	var rows []table.Row
	for i, tc := range tests {
		rows = append(rows, table.Row{strconv.Itoa(i), tc.x})
	}
	b, err := os.ReadFile(write(t, oneTable(t, cols, rows...), info))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("xl/worksheets/sheet3.xml") // README, dictionary, values
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	var sx sheetXML
	if err := xml.Unmarshal(data, &sx); err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			c := sx.Rows[i+1].Cells[1]
			if c.Value != tc.want || c.Type != "" {
				t.Errorf("%s: t=%q v=%q, want a number cell %q", c.Ref, c.Type, c.Value, tc.want)
			}
		})
	}
}

// valuesTable is a set with one table, values, of the given columns and rows, or the error
// of the first row the table refuses.
func valuesTable(cols []schemas.Column, rows ...table.Row) (*table.Set, error) {
	ts := &schemas.Table{Name: "values", DescriptionEN: "Values.", DescriptionZH: "值。", PrimaryKey: []string{cols[0].Name}, Columns: cols}
	set := table.NewSet(&schemas.Set{Version: 1, Tables: []*schemas.Table{ts}})
	for _, r := range rows {
		if err := set.Tables[0].Append(r); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// oneTable is valuesTable for rows that fit the columns.
func oneTable(t testing.TB, cols []schemas.Column, rows ...table.Row) *table.Set {
	t.Helper()
	set, err := valuesTable(cols, rows...)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestRoundTrip writes values that spreadsheets like to change and reads them back unchanged.
func TestRoundTrip(t *testing.T) {
	cols := []schemas.Column{
		{Name: "id", Type: schemas.Text, Required: true},
		{Name: "n", Type: schemas.Integer},
		{Name: "x", Type: schemas.Double},
		{Name: "d", Type: schemas.Date},
		{Name: "l", Type: schemas.TextList},
	}
	long := strings.Repeat("长", maxCellChars)
	tests := []struct {
		name string
		row  table.Row
	}{
		{"nulls", table.Row{"a", nil, nil, nil, nil}},
		{"thirds", table.Row{"b", int64(0), 1.0 / 3, table.Date(2022, 4, 13), []string{"x"}}},
		{"coverage", table.Row{"c", int64(83), 10.0 / 83, table.Date(1900, 3, 1), []string{" spaced ", "b"}}},
		{"sum", table.Row{"d", int64(math.MaxInt64), 0.30000000000000004, table.Date(1900, 2, 28), []string{"=A1", "@x", "-1", "+1"}}}, // 0.1 + 0.2 in float64
		{"huge", table.Row{"e", int64(math.MinInt64), 1e300, table.Date(1900, 1, 1), []string{"0012"}}},
		{"tiny", table.Row{"f", int64(-1), -1.2345678901234567e-250, table.Date(1899, 12, 31), []string{"_x0041_"}}},
		{"big", table.Row{"g", int64(1) << 53, float64(123456789012345678), table.Date(9999, 12, 31), nil}},
		{"ancient", table.Row{"h", nil, 5e-324, table.Date(1, 1, 1), nil}},
		{"space", table.Row{" i ", nil, math.MaxFloat64, nil, nil}},
		{"formula id", table.Row{"=HYPERLINK(\"x\")", nil, -0.0, nil, nil}},
		{"controls", table.Row{"tab\there\r\nand _x005F_ and \u00a0", nil, nil, nil, nil}},
		{"number-like id", table.Row{"0012", nil, nil, nil, nil}},
		{"longest text", table.Row{long, nil, nil, nil, nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := oneTable(t, cols, tc.row)
			dir := filepath.Dir(write(t, set, info))
			got, err := Writer{}.Read(dir, set.Schema, info)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(table.Dump(set.Tables[0]), table.Dump(got.Tables[0])); diff != "" {
				t.Errorf("read back differently (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWriteErrors: what a cell cannot hold is an error, and nothing is left behind. A row of
// the wrong shape or type never reaches the writer: the table refuses it.
func TestWriteErrors(t *testing.T) {
	cols := []schemas.Column{{Name: "id", Type: schemas.Text, Required: true}, {Name: "n", Type: schemas.Integer}}
	tests := []struct {
		name    string
		row     table.Row
		want    string
		refused bool // by the table, before any writing
	}{
		{"control character", table.Row{"a\x01b", nil}, "U+0001", false},
		{"too long", table.Row{strings.Repeat("x", maxCellChars+1), nil}, "longer than the 32767", false},
		{"wrong type", table.Row{"a", 1.5}, "float64 is not a integer", true},
		{"short row", table.Row{"a"}, "1 cells for 2 columns", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := valuesTable(cols, tc.row)
			if tc.refused {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Append: %v, want an error with %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			_, err = Writer{}.Write(dir, set, info)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write: %v, want an error with %q", err, tc.want)
			}
			left, _ := os.ReadDir(dir)
			for _, e := range left {
				t.Errorf("left behind: %s", e.Name())
			}
		})
	}
	t.Run("no dataset name", func(t *testing.T) {
		if _, err := (Writer{}).Write(t.TempDir(), oneTable(t, cols), table.Info{}); err == nil {
			t.Error("Write without a dataset name: no error")
		}
	})
}

// TestReadErrors: a workbook that does not match the schema is an error, not a guess.
func TestReadErrors(t *testing.T) {
	cols := []schemas.Column{{Name: "id", Type: schemas.Text, Required: true}, {Name: "n", Type: schemas.Integer}}
	set := oneTable(t, cols, table.Row{"a", int64(1)})
	dir := filepath.Dir(write(t, set, info))
	renamed := slices.Clone(cols)
	renamed[1].Name = "m"
	retyped := slices.Clone(cols)
	retyped[0].Type = schemas.Date
	tests := []struct {
		name string
		s    *schemas.Set
		want string
	}{
		{"renamed column", oneTable(t, renamed).Schema, "header"},
		{"text read as a date", oneTable(t, retyped).Schema, `"a" is not a date`},
		{"missing table", &schemas.Set{Tables: []*schemas.Table{{Name: "other", PrimaryKey: []string{"id"}, Columns: cols}}}, "no sheet other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Writer{}.Read(dir, tc.s, info)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Read: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestContinuation lowers the rows a sheet holds and checks that long tables continue on
// "<table> (2)" and further sheets, each with the header, that the README names them, and
// that everything reads back.
func TestContinuation(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s) // tabletest.Rows rows in every table
	empty := table.NewSet(s)
	saved := rowsPerSheet
	t.Cleanup(func() { rowsPerSheet = saved })
	tests := []struct {
		name   string
		set    *table.Set
		limit  int
		sheets int // sheets per table
		last   int // data rows on the last sheet of a table
	}{
		{"one row a sheet", set, 1, tabletest.Rows, 1},
		{"two rows a sheet", set, 2, 2, tabletest.Rows - 2},
		{"exact fit", set, tabletest.Rows, 1, tabletest.Rows},
		{"room to spare", set, 100, 1, tabletest.Rows},
		{"empty tables", empty, 2, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rowsPerSheet = tc.limit
			path := write(t, tc.set, info)
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want := []string{readmeSheet, dictionarySheet}
			for _, tb := range sheetTables(tc.set.Tables) {
				for n := range tc.sheets {
					want = append(want, sheetName(tb.Name(), n))
				}
			}
			if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
				t.Fatalf("sheets (-want +got):\n%s", diff)
			}
			for _, tb := range tc.set.Tables {
				for n := range tc.sheets {
					sheet := sheetName(tb.Name(), n)
					rows, err := f.GetRows(sheet)
					if err != nil {
						t.Fatal(err)
					}
					wantRows := tc.limit
					if n == tc.sheets-1 {
						wantRows = tc.last
					}
					if len(rows) != wantRows+1 || rows[0][0] != tb.Schema.Columns[0].Name {
						t.Errorf("sheet %s: %d rows starting %q, want a header and %d", sheet, len(rows), rows[0], wantRows)
					}
					if p, _ := f.GetPanes(sheet); !p.Freeze {
						t.Errorf("sheet %s: header not frozen", sheet)
					}
				}
			}
			readme, err := f.GetRows(readmeSheet)
			if err != nil {
				t.Fatal(err)
			}
			text := fmt.Sprint(readme)
			if tc.sheets > 1 {
				if !strings.Contains(text, "These tables continue on further sheets: plans, aspects,") || !strings.Contains(text, "plans (2)") {
					t.Errorf("README does not name the continued tables")
				}
			} else if !strings.Contains(text, "No table continues on a further sheet.") {
				t.Errorf("README does not say that no table continues")
			}
			got, err := Writer{}.Read(filepath.Dir(path), s, info)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			for _, wt := range tc.set.Tables {
				if diff := cmp.Diff(table.Dump(wt), table.Dump(got.Table(wt.Name()))); diff != "" {
					t.Errorf("table %s read back differently (-want +got):\n%s", wt.Name(), diff)
				}
			}
		})
	}
}

// TestReadme checks the figures the README computes from the tables.
func TestReadme(t *testing.T) {
	s := schemas.MustLoad()
	set := table.NewSet(s)
	plans := set.Table("plans")
	row := make(table.Row, len(plans.Schema.Columns))
	for col, v := range map[string]any{
		"plan_id": "iiswg-2022", "series": "iiswg", "year": int64(2022), "title_zh": "2022年工业互联网专项工作组工作计划",
		"title_en": "2022 work plan", "categories_declared": int64(15), "measures_declared": int64(83),
		"members_declared": int64(20), "categories_recorded": int64(15), "categories_named": int64(15),
		"measures_recorded": int64(10), "members_recorded": int64(3), "measures_coverage": 10.0 / 83, "confidence": "high",
	} {
		row[plans.Schema.Index(col)] = v
	}
	if err := plans.Append(row); err != nil {
		t.Fatal(err)
	}
	srcs := set.Table("sources")
	for i := range 2 {
		r := make(table.Row, len(srcs.Schema.Columns))
		for j, c := range srcs.Schema.Columns {
			if c.Required {
				r[j] = fmt.Sprintf("%s-%d", c.Name, i)
			}
		}
		if err := srcs.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	f, err := excelize.OpenFile(write(t, set, info))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(readmeSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	find := func(label string) []string {
		for _, r := range rows {
			if len(r) > 0 && r[0] == label {
				return r
			}
		}
		t.Fatalf("README has no row %q", label)
		return nil
	}
	tests := []struct {
		label string
		want  []string
	}{
		{"Plan", []string{"Plan", "计划", "iiswg-2022"}},
		{"Task categories (行动) declared", []string{"Task categories (行动) declared", "声明的任务类别数", "15"}},
		{"Measures recorded", []string{"Measures recorded", "已收录的具体举措数", "10"}},
		{"Measures coverage (recorded / declared)", []string{"Measures coverage (recorded / declared)", "举措覆盖率（已收录 / 声明）", "0.12048192771084337"}},
		{"Member units declared", []string{"Member units declared", "声明的成员单位数", "20"}},
		{"Release id", []string{"Release id", "发布编号", info.ReleaseID}},
		{"Release date", []string{"Release date", "发布日期", "44664"}},
		{"Sources cited (sheet sources)", []string{"Sources cited (sheet sources)", "引用来源数（sources 表）", "2"}},
		{"high: stated explicitly in a near-primary or well-attributed source", []string{"high: stated explicitly in a near-primary or well-attributed source", "high：在接近原始或出处明确的来源中明确写明", "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.label, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, find(tc.label)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	shown, _ := f.GetCellValue(readmeSheet, "C"+strconv.Itoa(slices.IndexFunc(rows, func(r []string) bool {
		return len(r) > 0 && r[0] == "Measures coverage (recorded / declared)"
	})+1))
	if shown != "12.0%" {
		t.Errorf("coverage shown as %q, want 12.0%%", shown)
	}
}

func TestDateSerial(t *testing.T) {
	tests := []struct {
		date   time.Time
		serial int64
		ok     bool
	}{
		{table.Date(1899, 12, 31), 0, false},
		{table.Date(1900, 1, 1), 0, false}, // serial 1 in Excel, 1899-12-31 in LibreOffice
		{table.Date(1900, 2, 28), 0, false},
		{table.Date(1900, 3, 1), 61, true},
		{table.Date(2022, 4, 13), 44664, true},
		{table.Date(9999, 12, 31), 2958465, true},
		{table.Date(10000, 1, 1), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.date.Format(time.DateOnly), func(t *testing.T) {
			n, ok := dateSerial(tc.date)
			if n != tc.serial || ok != tc.ok {
				t.Fatalf("dateSerial = %d, %t; want %d, %t", n, ok, tc.serial, tc.ok)
			}
			if !ok {
				return
			}
			d, err := serialDate(float64(n))
			if err != nil || !d.Equal(tc.date) {
				t.Errorf("serialDate(%d) = %v, %v; want %v", n, d, err, tc.date)
			}
		})
	}
	if d, err := serialDate(1); err != nil || !d.Equal(table.Date(1900, 1, 1)) {
		t.Errorf("serialDate(1) = %v, %v; want 1900-01-01 as Excel reads it", d, err)
	}
	for _, bad := range []float64{0, 60, 1.5, -3, 2958466} {
		if d, err := serialDate(bad); err == nil {
			t.Errorf("serialDate(%v) = %v, want an error", bad, d)
		}
	}
}

// TestWrapLines: digits are 1.1 units wide (a tenth wider on screen), CJK characters 2, and a
// line of a column w wide holds w-1.3 units.
func TestWrapLines(t *testing.T) {
	zeros := func(n int) string { return strings.Repeat("0", n) }
	tests := []struct {
		s     string
		width float64
		bold  bool
		want  int
	}{
		{"short", 20, false, 1},
		{"", 10, false, 1},
		{"first\nsecond", 60, false, 2},
		{strings.Repeat("工", 20), 21.3, false, 2}, // 40 units in lines of 20
		{strings.Repeat("工", 20), 20, false, 3},   // lines of 9 characters
		{"0000 0000 0000", 11.3, false, 2},        // words wrap at spaces
		{zeros(45), 11.3, false, 5},               // a long word at any character, 9 a line
		{zeros(10), 12.5, false, 1},
		{zeros(10), 12.5, true, 2},            // bold is wider
		{"00 " + zeros(18), 11.3, false, 3},   // a long word starts a new line
		{"00000/00000/00000", 11.3, false, 3}, // LibreOffice breaks after slashes
		{"工业互联网，工业互联网", 11.3, false, 3},       // 10 units a line
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q/%g/%t", tc.s, tc.width, tc.bold), func(t *testing.T) {
			if got := wrapLines(tc.s, tc.width, tc.bold); got != tc.want {
				t.Errorf("wrapLines = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestTextWidth(t *testing.T) {
	tests := []struct {
		s    string
		want float64
	}{
		{"0123456789", 11},
		{"工业互联网", 10},
		{"ＡＢ", 4}, // full-width forms
		{"", 0},
	}
	for _, tc := range tests {
		if got := textWidth(tc.s); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("textWidth(%q) = %g, want %g", tc.s, got, tc.want)
		}
	}
	if a, b := textWidth("iiii"), textWidth("MMMM"); a >= b {
		t.Errorf("iiii %g wide, MMMM %g: want proportional widths", a, b)
	}
}

// TestContinuationRows lowers the rows a sheet holds and checks that the sheets of a table
// hold exactly its rows, in key order, each sheet the next rowsPerSheet of them: doubles with
// more digits than excelize writes read back exact on every sheet, and ScanTable gives every
// row once, in order.
func TestContinuationRows(t *testing.T) {
	saved := rowsPerSheet
	t.Cleanup(func() { rowsPerSheet = saved })
	rowsPerSheet = 4
	cols := []schemas.Column{
		{Name: "id", Type: schemas.Text, Required: true},
		{Name: "n", Type: schemas.Integer},
		{Name: "x", Type: schemas.Double},
		{Name: "d", Type: schemas.Date},
		{Name: "l", Type: schemas.TextList},
		{Name: "s", Type: schemas.Text},
	}
	const n = 11
	var rows []table.Row
	for _, i := range []int{7, 2, 10, 0, 5, 9, 1, 3, 8, 6, 4} { // appended out of key order
		rows = append(rows, table.Row{fmt.Sprintf("row-%02d", i), int64(i * 1000), float64(i) / 3,
			table.Date(2020+i, 1, 1+i), []string{"项目" + strconv.Itoa(i), "b"}, fmt.Sprintf("工业互联网 %d\nsecond line", i)})
	}
	set := oneTable(t, cols, rows...)
	want, err := set.Tables[0].All()
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != n {
		t.Fatalf("%d rows, want %d", len(want), n)
	}
	path := write(t, set, info)

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{readmeSheet, dictionarySheet, "values", "values (2)", "values (3)"}, f.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	b := testBook(t, path)
	for k := range 3 {
		sheet := sheetName("values", k)
		var wantSheet, gotSheet, wantIDs []string
		for _, r := range want[k*rowsPerSheet : min((k+1)*rowsPerSheet, n)] {
			wantSheet = append(wantSheet, table.CanonRow(r))
			wantIDs = append(wantIDs, r[0].(string))
		}
		row := make(table.Row, len(cols))
		err := b.scanRows(sheet, set.Schema.Tables[0], func() table.Row { clear(row); return row }, func(r table.Row) error {
			gotSheet = append(gotSheet, table.CanonRow(r))
			return nil
		})
		if err != nil {
			t.Fatalf("sheet %s: %v", sheet, err)
		}
		if diff := cmp.Diff(wantSheet, gotSheet); diff != "" {
			t.Errorf("sheet %s (-want +got):\n%s", sheet, diff)
		}
		cells, err := f.GetRows(sheet) // the ids as excelize reads them
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, c := range cells[1:] {
			gotIDs = append(gotIDs, c[0])
		}
		if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
			t.Errorf("sheet %s ids through excelize (-want +got):\n%s", sheet, diff)
		}
	}
	var scanned []string
	found, err := Writer{}.ScanTable(filepath.Dir(path), set.Schema.Tables[0], info, func(r table.Row) error {
		scanned = append(scanned, table.CanonRow(r))
		return nil
	})
	if err != nil || !found {
		t.Fatalf("ScanTable: %t, %v", found, err)
	}
	var all []string
	for _, r := range want {
		all = append(all, table.CanonRow(r))
	}
	if diff := cmp.Diff(all, scanned); diff != "" {
		t.Errorf("ScanTable (-want +got):\n%s", diff)
	}
}

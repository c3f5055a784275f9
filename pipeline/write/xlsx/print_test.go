package xlsx

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

// printTitles maps sheets to the RefersTo of their _xlnm.Print_Titles.
func printTitles(f *excelize.File) map[string]string {
	titles := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm.Print_Titles" {
			titles[d.Scope] = d.RefersTo
		}
	}
	return titles
}

// colWidths reads the widths of the first n columns of a sheet.
func colWidths(t *testing.T, f *excelize.File, sheet string, n int) []float64 {
	t.Helper()
	w := make([]float64, n)
	for j := range w {
		name, _ := excelize.ColumnNumberToName(j + 1)
		x, err := f.GetColWidth(sheet, name)
		if err != nil {
			t.Fatal(err)
		}
		w[j] = x
	}
	return w
}

// checkPage checks the page every sheet prints on: A4 landscape, narrow margins, fitted
// across (fitToPage, fitToHeight 0), with a footer; it returns the pages across.
func checkPage(t *testing.T, f *excelize.File, sheet string) int {
	t.Helper()
	layout, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if *layout.Size != paperA4 || *layout.Orientation != "landscape" {
		t.Errorf("paper %d %s, want A4 (%d) landscape", *layout.Size, *layout.Orientation, paperA4)
	}
	props, err := f.GetSheetProps(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("fitToPage is off")
	}
	if layout.FitToWidth == nil || *layout.FitToWidth < 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 {
		t.Fatalf("fit to %d wide, %d tall; want at least 1 wide and as many tall as it takes (0)", deref(layout.FitToWidth), deref(layout.FitToHeight))
	}
	across := *layout.FitToWidth
	if across > 1 && (layout.PageOrder == nil || *layout.PageOrder != "overThenDown") {
		t.Errorf("%d pages across printed down first: want overThenDown", across)
	}
	margins, err := f.GetPageMargins(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if *margins.Left != sideMarginIn || *margins.Right != sideMarginIn || *margins.Top != topMarginIn || *margins.Bottom != topMarginIn {
		t.Errorf("margins %g/%g/%g/%g", *margins.Left, *margins.Right, *margins.Top, *margins.Bottom)
	}
	if footer, err := f.GetHeaderFooter(sheet); err != nil || footer == nil || !strings.Contains(footer.OddFooter, "&P") {
		t.Errorf("footer %+v, %v: want the page number", footer, err)
	}
	return across
}

// TestPrintSetup reads the page setup of every sheet back through excelize: A4 landscape,
// fitted to the pages across that the column widths need at the smallest print scale, the
// header row repeated on every page of a table sheet, and the key columns too when a table
// prints on several pages across.
func TestPrintSetup(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s)
	// A wide table: more long text than one page holds at minPrintScale.
	cols := []schemas.Column{{Name: "id", Type: schemas.Text, Required: true}, {Name: "n", Type: schemas.Integer}}
	row := table.Row{"row-1", int64(1)}
	for i := range 10 {
		cols = append(cols, schemas.Column{Name: fmt.Sprintf("text_%d", i), Type: schemas.Text})
		row = append(row, strings.Repeat(fmt.Sprintf("word%d ", i), 40))
	}
	wide := oneTable(t, cols, row, table.Row{"row-2", int64(2), "short", nil, nil, nil, nil, nil, nil, nil, nil, nil})
	for name, set := range map[string]*table.Set{"sample": set, "wide": wide} {
		t.Run(name, func(t *testing.T) {
			f, err := excelize.OpenFile(write(t, set, info))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			titles := printTitles(f)
			t.Run(readmeSheet, func(t *testing.T) {
				if across := checkPage(t, f, readmeSheet); across != 1 {
					t.Errorf("README prints %d pages across, want 1", across)
				}
				if titles[readmeSheet] != "" {
					t.Errorf("README repeats %s on every page", titles[readmeSheet])
				}
			})
			for _, sheet := range f.GetSheetList()[1:] {
				t.Run(sheet, func(t *testing.T) {
					across := checkPage(t, f, sheet)
					keys := 2 // the dictionary's table and column
					var ts *schemas.Table
					if sheet != dictionarySheet {
						ts = set.Table(sheet).Schema
						keys = keyColumns(ts)
					}
					rows, err := f.GetRows(sheet)
					if err != nil {
						t.Fatal(err)
					}
					w := colWidths(t, f, sheet, len(rows[0]))
					if got := pagesAcross(w, keys); got != across {
						t.Errorf("fit to %d pages across; the widths %v need %d", across, w, got)
					}
					quoted := "'" + sheet + "'!"
					want := quoted + "$1:$1"
					if across > 1 {
						last, _ := excelize.ColumnNumberToName(keys)
						want = quoted + "$A:$" + last + "," + want
					}
					if titles[sheet] != want {
						t.Errorf("print titles %q, want %q", titles[sheet], want)
					}
				})
			}
			if name == "wide" {
				if got := checkPage(t, f, "values"); got < 2 {
					t.Errorf("the wide table prints %d page across, want several", got)
				}
			}
		})
	}
}

// TestFitColumns lays out tables for print: a narrow one keeps the widths its content
// needs, one page across; a wide one narrows its text columns, no further than their floor
// (header, longest word, minTextWidth), to as few pages across as hold them.
func TestFitColumns(t *testing.T) {
	t.Run("narrow", func(t *testing.T) {
		cols := []schemas.Column{{Name: "id", Type: schemas.Text}, {Name: "name", Type: schemas.Text}, {Name: "n", Type: schemas.Integer}}
		rows := []table.Row{{"a-1", "Industrial internet platform", int64(3)}, {"a-2", "工业互联网平台", int64(12)}}
		layout := measure(cols, rows)
		natural := widths(layout)
		if got := fitColumns(layout, rows, 1); got != 1 {
			t.Errorf("%d pages across, want 1", got)
		}
		if got := widths(layout); !slices.Equal(got, natural) {
			t.Errorf("widths %v, want %v", got, natural)
		}
	})
	t.Run("wide", func(t *testing.T) {
		cols := []schemas.Column{{Name: "id", Type: schemas.Text}}
		var rows []table.Row
		for i := range 20 {
			rows = append(rows, table.Row{"row-" + strconv.Itoa(i)})
		}
		for j := range 12 {
			cols = append(cols, schemas.Column{Name: "text_" + strconv.Itoa(j), Type: schemas.Text})
			for i := range rows {
				rows[i] = append(rows[i], strings.Repeat("a few words of text ", 2+(i*j)%9)+"supercalifragilistic")
			}
		}
		layout := measure(cols, rows)
		natural := widths(layout)
		across := fitColumns(layout, rows, 1)
		w := widths(layout)
		if got := pagesAcross(w, 1); got != across || across < 2 {
			t.Errorf("fitColumns says %d pages across, the widths need %d; want several", across, got)
		}
		floors := make([]float64, len(layout))
		for j, l := range layout {
			floors[j] = l.floor
			if w[j] < l.floor || w[j] > natural[j] {
				t.Errorf("column %d: width %g outside %g..%g", j, w[j], l.floor, natural[j])
			}
			if w[j] < natural[j] && !l.wrap {
				t.Errorf("column %d narrowed to %g without wrapping", j, w[j])
			}
			if word := textWidth("supercalifragilistic") + cellPadding; j > 0 && l.floor < word {
				t.Errorf("column %d: floor %g narrower than its longest word %g", j, l.floor, word)
			}
		}
		if least := pagesAcross(floors, 1); across > least+1 {
			t.Errorf("%d pages across; %d would hold the columns", across, least)
		}
	})
}

// TestReadmeLayout checks the README as it prints: every column it uses has a width, the
// widths fit one A4 page across at minReadmeScale, no figure or header is wider than its
// column, text that may be longer wraps, titles and field values span the sheet, figures are
// centred, and a long list of plans goes on in blocks.
func TestReadmeLayout(t *testing.T) {
	s := schemas.MustLoad()
	set := tabletest.Sample(s)
	plans := set.Table("plans")
	first, err := plans.All()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(first); i < 9; i++ {
		r := slices.Clone(first[0])
		r[plans.Schema.Index("plan_id")] = fmt.Sprintf("iiswg-%d", 2016+i)
		if err := plans.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if plans.Len() != 9 {
		t.Fatalf("%d plans, want 9", plans.Len())
	}
	f, err := excelize.OpenFile(write(t, set, info))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(readmeSheet)
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	blocks := 0
	for _, r := range rows {
		used = max(used, len(r))
		if len(r) > 0 && r[0] == "Plan" {
			blocks++
			if n := len(r) - 2; n > plansPerBlock {
				t.Errorf("a block of %d plans, want at most %d", n, plansPerBlock)
			}
		}
	}
	if blocks != 3 {
		t.Errorf("9 plans in %d blocks, want 3", blocks)
	}
	w := colWidths(t, f, readmeSheet, used)
	total := 0.0
	for j, x := range w {
		total += x
		col, _ := excelize.ColumnNumberToName(j + 1)
		if x < minWidth {
			t.Errorf("column %s: width %g, want it set from its content", col, x)
		}
	}
	if total > readmePrintWidth {
		t.Errorf("columns %v are %g wide; a page holds %g at %g%%", w, total, readmePrintWidth, minReadmeScale*100)
	}
	merged := map[string]string{}
	ms, err := f.GetMergeCells(readmeSheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		merged[m.GetStartAxis()] = m.GetEndAxis()
	}
	lastCol, _ := excelize.ColumnNumberToName(used)
	for i, r := range rows {
		for j, v := range r {
			if v == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			id, _ := f.GetCellStyle(readmeSheet, ref)
			st, err := f.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			wraps := st.Alignment != nil && st.Alignment.WrapText
			switch {
			case i < 2: // the titles
				if merged[ref] != lastCol+strconv.Itoa(i+1) {
					t.Errorf("title %s spans to %q, want %s%d", ref, merged[ref], lastCol, i+1)
				}
			case j >= 2 && merged[ref] != "": // a field's value
				if j != 2 || merged[ref] != lastCol+strconv.Itoa(i+1) {
					t.Errorf("value %s spans to %q, want %s%d", ref, merged[ref], lastCol, i+1)
				}
			case j >= 2: // a figure or a header of figures
				if st.Alignment == nil || st.Alignment.Horizontal != "center" {
					t.Errorf("%s %q is not centred", ref, v)
				}
				shown, _ := f.GetCellValue(readmeSheet, ref)
				need, _ := linesWidth(shown)
				if st.Font != nil && st.Font.Bold {
					need *= boldFactor
				}
				if need+cellPadding > w[j] && !(wraps && w[j] == maxFigureWidth) {
					t.Errorf("%s %q needs %g, column is %g wide", ref, shown, need+cellPadding, w[j])
				}
			default: // text in A and B
				if !wraps {
					t.Errorf("%s %q does not wrap", ref, v)
				}
			}
		}
	}
	if across := checkPage(t, f, readmeSheet); across != 1 {
		t.Errorf("README prints %d pages across, want 1", across)
	}
}

// TestRowHeights: a row of wrapped text is as tall as its estimated lines, a row of one line
// keeps the default height.
func TestRowHeights(t *testing.T) {
	long := strings.Repeat("Several words of English text, ", 30) + strings.Repeat("工业互联网", 30)
	cols := []schemas.Column{{Name: "id", Type: schemas.Text, Required: true}, {Name: "text", Type: schemas.Text}}
	f, err := excelize.OpenFile(write(t, oneTable(t, cols, table.Row{"a", "short"}, table.Row{"b", long}), info))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := colWidths(t, f, "values", 2)
	if w[1] != maxWidth {
		t.Fatalf("text column %g wide, want %d", w[1], maxWidth)
	}
	if h, _ := f.GetRowHeight("values", 2); h != 15 {
		t.Errorf("one line: height %g, want the default", h)
	}
	lines := wrapLines(long, w[1], false)
	// At least the lines the text takes at its plain width, at most two more.
	least := int(math.Ceil(textWidth(long) / (w[1] - textMargin)))
	if lines < least || lines > least+2 {
		t.Errorf("%d lines estimated, want %d to %d", lines, least, least+2)
	}
	if h, _ := f.GetRowHeight("values", 3); h != rowHeight(lines) {
		t.Errorf("%d lines: height %g, want %g", lines, h, rowHeight(lines))
	}
}

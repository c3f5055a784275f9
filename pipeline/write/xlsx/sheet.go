package xlsx

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// font is the font of every style: it has Chinese glyphs, ships with Windows and Microsoft
// Office, and applications without it substitute another CJK font.
const font = "Microsoft YaHei"

const (
	fontSize   = 11
	dateFormat = "yyyy-mm-dd"
	minWidth   = 8
	maxWidth   = 60
	headerFill = "DDEBF7"
	// maxCellChars is the most UTF-16 units a cell holds; excelize would cut longer text.
	maxCellChars = excelize.TotalCellChars
	// exactDigits is the most significant digits excelize writes for a double; values that
	// need more are patched in the sheet XML (see exactText).
	exactDigits = 15
)

// styles holds the style ids of the workbook.
type styles struct {
	header, text, wrap, integer, double, date int
	strongText, strongWrap                    int
	// The README: its titles, section headings, labels and paragraphs; the header and cells of
	// its tables of figures from the third column on, centred; and the values of its fields.
	title, heading, label, prose            int
	figureHeader, figureText, figureInteger int
	figureDouble, figurePercent             int
	fieldInteger, fieldDate                 int
}

func newStyles(f *excelize.File) (*styles, error) {
	top := func(wrap bool) *excelize.Alignment {
		return &excelize.Alignment{Vertical: "top", WrapText: wrap}
	}
	centre := func(wrap bool) *excelize.Alignment {
		return &excelize.Alignment{Horizontal: "center", Vertical: "top", WrapText: wrap}
	}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "top"}
	border := []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}
	plain := &excelize.Font{Family: font, Size: fontSize}
	bold := &excelize.Font{Family: font, Size: fontSize, Bold: true}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}}
	date, percent := dateFormat, "0.0%"
	s := &styles{}
	for _, d := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.header, excelize.Style{Font: bold, Fill: fill, Alignment: top(true), Border: border}},
		{&s.text, excelize.Style{Font: plain, Alignment: top(false)}},
		{&s.wrap, excelize.Style{Font: plain, Alignment: top(true)}},
		{&s.strongText, excelize.Style{Font: bold, Alignment: top(false)}},
		{&s.strongWrap, excelize.Style{Font: bold, Alignment: top(true)}},
		{&s.integer, excelize.Style{Font: plain, Alignment: top(false), NumFmt: 1}},
		{&s.double, excelize.Style{Font: plain, Alignment: top(false)}},
		{&s.date, excelize.Style{Font: plain, Alignment: top(false), CustomNumFmt: &date}},
		{&s.title, excelize.Style{Font: &excelize.Font{Family: font, Size: 15, Bold: true}, Alignment: top(false)}},
		{&s.heading, excelize.Style{Font: &excelize.Font{Family: font, Size: 12, Bold: true}, Fill: fill, Alignment: top(true)}},
		{&s.label, excelize.Style{Font: bold, Alignment: top(true)}},
		{&s.prose, excelize.Style{Font: plain, Alignment: top(true)}},
		{&s.figureHeader, excelize.Style{Font: bold, Fill: fill, Alignment: centre(true), Border: border}},
		{&s.figureText, excelize.Style{Font: plain, Alignment: centre(true)}},
		{&s.figureInteger, excelize.Style{Font: plain, Alignment: centre(false), NumFmt: 1}},
		{&s.figureDouble, excelize.Style{Font: plain, Alignment: centre(false)}},
		{&s.figurePercent, excelize.Style{Font: plain, Alignment: centre(false), CustomNumFmt: &percent}},
		{&s.fieldInteger, excelize.Style{Font: plain, Alignment: left, NumFmt: 1}},
		{&s.fieldDate, excelize.Style{Font: plain, Alignment: left, CustomNumFmt: &date}},
	} {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return nil, fmt.Errorf("add style: %w", err)
		}
		*d.id = id
	}
	return s, nil
}

// column is how one column of a sheet is laid out.
type column struct {
	width float64
	wrap  bool
	// text columns may narrow down to floor, and wrap, for the sheet to print on fewer pages.
	text  bool
	floor float64
}

// measure lays out columns from their names and the text of every cell: as wide as the
// widest line, between minWidth and maxWidth, wrapped when a cell is wider or holds a line
// break. A text column may narrow down to the widest of its header, minTextWidth and its
// longest word (up to maxWordWidth), but no further than its width.
func measure(cols []schemas.Column, rows []table.Row) []column {
	m := newMeasurer(cols)
	for _, r := range rows {
		m.add(r)
	}
	return m.layout()
}

// measurer is measure over rows added one at a time: it keeps, per column, the widest cell,
// the longest word and whether a cell has several lines.
type measurer struct {
	cols          []schemas.Column
	head, w, word []float64
	wrap          []bool
}

func newMeasurer(cols []schemas.Column) *measurer {
	m := &measurer{cols: cols, head: make([]float64, len(cols)), w: make([]float64, len(cols)),
		word: make([]float64, len(cols)), wrap: make([]bool, len(cols))}
	for j, c := range cols {
		m.head[j] = textWidth(c.Name)*boldFactor + filterButton
		m.w[j] = m.head[j]
	}
	return m
}

func (m *measurer) add(r table.Row) {
	for j, v := range r[:len(m.cols)] {
		cw, multi, word := cellMeasure(v)
		m.w[j] = max(m.w[j], cw+cellPadding)
		m.word[j] = max(m.word[j], word+cellPadding)
		m.wrap[j] = m.wrap[j] || multi
	}
}

// layout is the layout of the columns from the rows added so far.
func (m *measurer) layout() []column {
	out := make([]column, len(m.cols))
	for j, c := range m.cols {
		w, wrap := math.Ceil(m.w[j]), m.wrap[j]
		if w > maxWidth {
			wrap = true
		}
		width := min(max(w, minWidth), maxWidth)
		out[j] = column{
			width: width,
			wrap:  wrap,
			text:  c.Type == schemas.Text || c.Type == schemas.TextList,
			floor: min(width, math.Ceil(max(m.head[j], minTextWidth, min(m.word[j], maxWordWidth)))),
		}
	}
	return out
}

// cellMeasure is the width of a cell's widest line, whether it has several lines, and for
// text the width of its longest word: the longest run that no application breaks (but at any
// character when it is longer than a line).
func cellMeasure(v any) (width float64, multi bool, word float64) {
	switch x := v.(type) {
	case string:
		return textMeasure(x)
	case []string:
		return textMeasure(strings.Join(x, listSep))
	case int64:
		var b [20]byte
		return asciiWidth(strconv.AppendInt(b[:0], x, 10)), false, 0
	case float64:
		var b [32]byte
		return min(asciiWidth(strconv.AppendFloat(b[:0], x, 'g', -1, 64)), 12), false, 0
	case time.Time:
		return dateWidth, false, 0
	}
	return 0, false, 0
}

// dateWidth is the width of a date cell.
var dateWidth = textWidth(dateFormat)

// exactValue is a double cell whose text excelize writes wrong: cut to 15 significant
// digits, or as hundreds of digits where an exponent belongs. The zip writer puts the exact
// text in.
type exactValue struct {
	sheet, ref, value string
}

// rowScan calls fn with every row of a sheet, in order; the row passed may be reused by the
// next call.
type rowScan func(fn func(table.Row) error) error

// scanSlice is the rowScan of rows held in memory.
func scanSlice(rows []table.Row) rowScan {
	return func(fn func(table.Row) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// writeSheet writes one table-shaped sheet: a frozen, filtered header row of column names,
// then one row per row of scan, which gives n rows. The text of rows for which strong is true
// is bold; strong may be nil. Printed, the header row repeats on every page.
func writeSheet(f *excelize.File, st *styles, sheet string, cols []schemas.Column, n int, scan rowScan, layout []column, pages printSetup, strong func(table.Row) bool, exact *[]exactValue) error {
	last, err := excelize.CoordinatesToCellName(len(cols), n+1)
	if err != nil {
		return err
	}
	if err := setFitToPage(f, sheet, pages); err != nil {
		return err
	}
	sw, err := newStreamWriter(f, sheet, "A1:"+last, widths(layout))
	if err != nil {
		return err
	}
	if err := sw.SetPanes(headerPanes()); err != nil {
		return err
	}
	if err := setPrint(f, sheet, pages); err != nil {
		return err
	}
	header := make([]any, len(cols))
	for j, c := range cols {
		header[j] = excelize.Cell{StyleID: st.header, Value: c.Name}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	values := make([]any, len(cols))
	i := 0 // rows written
	err = scan(func(r table.Row) error {
		if i == n {
			return fmt.Errorf("more than the %d rows the sheet was laid out for", n)
		}
		if len(r) != len(cols) {
			return fmt.Errorf("row %d: %d cells for %d columns", i+1, len(r), len(cols))
		}
		bold := strong != nil && strong(r)
		for j, c := range cols {
			v, err := cellValue(st, c, layout[j], bold, r[j])
			if err != nil {
				return fmt.Errorf("row %d column %s: %w", i+1, c.Name, err)
			}
			values[j] = v
			if x, ok := r[j].(float64); ok {
				if text, patch := exactText(x); patch {
					ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
					*exact = append(*exact, exactValue{sheet: sheet, ref: ref, value: text})
				}
			}
		}
		i++
		return sw.SetRow("A"+strconv.Itoa(i+1), values, rowOpts(lineHeight, rowLines(layout, r)))
	})
	if err != nil {
		return err
	}
	if i != n {
		return fmt.Errorf("%d rows, not the %d the sheet was laid out for", i, n)
	}
	if err := f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return fmt.Errorf("add filter: %w", err)
	}
	// Codes such as "110000" are text on purpose: no "number stored as text" warnings.
	if err := f.AddIgnoredErrors(sheet, "A1:"+last, excelize.IgnoredErrorsNumberStoredAsText); err != nil {
		return err
	}
	return sw.Flush()
}

// newStreamWriter starts writing a sheet whose cells span dimension, with the given column
// widths.
func newStreamWriter(f *excelize.File, sheet, dimension string, widths []float64) (*excelize.StreamWriter, error) {
	// The stream writer writes the dimension when it starts.
	if err := f.SetSheetDimension(sheet, dimension); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	// excelize puts each new column first: set them from the last so they come out in order.
	for j := len(widths) - 1; j >= 0; j-- {
		if err := sw.SetColWidth(j+1, j+1, widths[j]); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

func widths(layout []column) []float64 {
	w := make([]float64, len(layout))
	for i, c := range layout {
		w[i] = c.width
	}
	return w
}

// rowLines is the number of lines the tallest wrapped cell of a row takes.
func rowLines(layout []column, r table.Row) int {
	n := 1
	for j, v := range r {
		if !layout[j].wrap {
			continue
		}
		n = max(n, cellLines(v, layout[j].width))
	}
	return n
}

// headerPanes freezes the first row.
func headerPanes() *excelize.Panes {
	return &excelize.Panes{
		Freeze:      true,
		YSplit:      1,
		TopLeftCell: "A2",
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}
}

// cellValue is the stream-writer value of one table cell. Text goes in as a Go string, which
// excelize always writes as an inline string: never a formula, never a number.
func cellValue(st *styles, c schemas.Column, l column, strong bool, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	textStyle := st.text
	switch {
	case l.wrap && strong:
		textStyle = st.strongWrap
	case l.wrap:
		textStyle = st.wrap
	case strong:
		textStyle = st.strongText
	}
	switch c.Type {
	case schemas.Text:
		s, ok := v.(string)
		if !ok {
			break
		}
		if err := checkText(s); err != nil {
			return nil, err
		}
		return excelize.Cell{StyleID: textStyle, Value: s}, nil
	case schemas.TextList:
		l, ok := v.([]string)
		if !ok {
			break
		}
		s := strings.Join(l, listSep)
		if err := checkText(s); err != nil {
			return nil, err
		}
		return excelize.Cell{StyleID: textStyle, Value: s}, nil
	case schemas.Integer:
		if n, ok := v.(int64); ok {
			return excelize.Cell{StyleID: st.integer, Value: n}, nil
		}
	case schemas.Double:
		if x, ok := v.(float64); ok {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("double %v is not finite", x)
			}
			return excelize.Cell{StyleID: st.double, Value: x}, nil
		}
	case schemas.Date:
		d, ok := v.(time.Time)
		if !ok {
			break
		}
		if n, ok := dateSerial(d); ok {
			return excelize.Cell{StyleID: st.date, Value: n}, nil
		}
		return excelize.Cell{StyleID: st.text, Value: d.Format(time.DateOnly)}, nil
	default:
		return nil, fmt.Errorf("unknown column type %q", c.Type)
	}
	return nil, fmt.Errorf("%T is not a %s", v, c.Type)
}

// checkText rejects text a cell cannot hold unchanged.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("text is not valid UTF-8")
	}
	units := 0 // UTF-16 units
	for _, r := range s {
		if !(r == '\t' || r == '\n' || r == '\r' || 0x20 <= r && r <= 0xD7FF || 0xE000 <= r && r <= 0xFFFD || r >= 0x10000) {
			return fmt.Errorf("text holds %U, which XML cannot carry", r)
		}
		units += utf16.RuneLen(r)
	}
	if units > maxCellChars {
		return fmt.Errorf("text of %d characters is longer than the %d a cell holds", units, maxCellChars)
	}
	return nil
}

// exactText is the cell text of x, and whether it differs from what excelize writes.
func exactText(x float64) (string, bool) {
	a := math.Abs(x)
	return formatDouble(x), digits(x) > exactDigits || a != 0 && (a < minPlain || a >= maxPlain)
}

// digits is the number of significant digits of the shortest decimal form of x.
func digits(x float64) int {
	m, _, _ := strings.Cut(strconv.FormatFloat(x, 'e', -1, 64), "e")
	return len(strings.NewReplacer("-", "", ".", "").Replace(m))
}

// Doubles from minPlain up to maxPlain are written without an exponent.
const minPlain, maxPlain = 1e-9, 1e21

// formatDouble is the exact cell text of x: the shortest decimal that reads back as x.
func formatDouble(x float64) string {
	if a := math.Abs(x); a == 0 || minPlain <= a && a < maxPlain {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'E', -1, 64)
}

// Excel's 1900 date system counts 1900-01-01 as day 1 and keeps the fictitious 1900-02-29
// as day 60, so serials from 61 on count from 1899-12-30. Other applications (LibreOffice)
// read serials below 61 as one day earlier, so dates before 1900-03-01 are written as text.
var (
	epoch     = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	firstDate = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
	lastDate  = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// dateSerial is the date serial of d, or false when d is before 1900-03-01 or after
// 9999-12-31 and so has no serial every application reads the same.
func dateSerial(d time.Time) (int64, bool) {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	if d.Before(firstDate) || d.After(lastDate) {
		return 0, false
	}
	return (d.Unix() - epoch.Unix()) / 86400, true
}

// serialDate is the date of serial n, as Excel reads it.
func serialDate(n float64) (time.Time, error) {
	days := int(n)
	switch {
	case float64(days) != n:
		return time.Time{}, fmt.Errorf("date serial %v has a time of day", n)
	case days < 1 || days == 60 || days > 2958465:
		return time.Time{}, fmt.Errorf("date serial %v is not a date", n)
	case days < 60:
		days++
	}
	return epoch.AddDate(0, 0, days), nil
}

// writeDictionary writes one row per table and one per column of every table, in sheet order.
func writeDictionary(f *excelize.File, st *styles, set *table.Set, exact *[]exactValue) error {
	names := []string{"table", "column", "kind", "type", "required", "primary_key", "references", "description_en", "description_zh"}
	cols := make([]schemas.Column, len(names))
	for i, n := range names {
		cols[i] = schemas.Column{Name: n, Type: schemas.Text}
	}
	yes := func(b bool) any {
		if b {
			return "yes"
		}
		return "no"
	}
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var rows []table.Row
	for _, t := range sheetTables(set.Tables) {
		ts := t.Schema
		kind := "table"
		if ts.View {
			kind = "view"
		}
		rows = append(rows, table.Row{ts.Name, nil, kind, nil, nil, orNull(strings.Join(ts.PrimaryKey, ", ")), nil, ts.DescriptionEN, ts.DescriptionZH})
		for _, c := range ts.Columns {
			key := false
			for _, k := range ts.PrimaryKey {
				key = key || k == c.Name
			}
			rows = append(rows, table.Row{ts.Name, c.Name, "column", string(c.Type), yes(c.Required), yes(key), orNull(c.References), c.DescriptionEN, c.DescriptionZH})
		}
	}
	strong := func(r table.Row) bool { return r[1] == nil } // a table's own row
	layout := measure(cols, rows)
	const keys = 2 // table and column
	pages := printSetup{across: fitColumns(layout, rows, keys), titleRows: 1, titleCols: keys}
	return writeSheet(f, st, dictionarySheet, cols, len(rows), scanSlice(rows), layout, pages, strong, exact)
}

package xlsx

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
)

// Widths are in column units, the unit of a column's width: the width of the digit 0 of the
// default font. Text widths are estimated from the advance widths of DejaVu Sans, the widest
// of the common sans-serif fonts and the one LibreOffice puts in place of Microsoft YaHei
// where that font is missing, so that estimates err on the wide side: a column made wide
// enough for a text holds it on screen, and a row given the lines a text needs in a column
// does not cut it off. On screen LibreOffice sets text a tenth wider than the advance widths
// say (glyphs take whole pixels), so other than CJK text counts a tenth wider.

// asciiWidths is the width of the printable ASCII characters, from the space to ~, in
// hundredths of a digit.
var asciiWidths = [95]uint8{
	50, 63, 72, 132, 100, 149, 123, 43, 61, 61, 79, 132, 50, 57, 50, 53, // space to /
	100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 53, 53, 132, 132, 132, 83, // 0 to ?
	157, 108, 108, 110, 121, 99, 90, 122, 118, 46, 46, 103, 88, 136, 118, 124, // @ to O
	95, 124, 109, 100, 96, 115, 108, 155, 108, 96, 108, 61, 53, 61, 132, 79, // P to _
	79, 96, 100, 86, 100, 97, 55, 100, 100, 44, 44, 91, 44, 153, 100, 96, // ` to o
	100, 100, 65, 82, 62, 100, 93, 129, 93, 93, 83, 100, 53, 100, 132, // p to ~
}

// boldFactor is how much wider bold text is than regular text.
const boldFactor = 1.12

// runeWidth is the width of r in column units: East Asian wide and full-width characters
// take two (a CJK font draws them 1.6 to 1.9 digits wide).
func runeWidth(r rune) float64 {
	switch {
	case r >= ' ' && r <= '~':
		return float64(asciiWidths[r-' ']) / 100 * screenFactor
	case r == '\t':
		return 4 * screenFactor
	case r < ' ':
		return 0
	case r == '—' || r == '…':
		return 1.6 * screenFactor
	case wide(r):
		return 2
	}
	return screenFactor
}

// screenFactor is how much wider than its advance widths LibreOffice sets text on screen.
const screenFactor = 1.1

// wide reports whether r is an East Asian wide or full-width character.
func wide(r rune) bool {
	return 0x1100 <= r && r <= 0x115F || // Hangul Jamo
		0x2E80 <= r && r <= 0x303E || // CJK radicals, punctuation
		0x3041 <= r && r <= 0x33FF || // kana, CJK compatibility
		0x3400 <= r && r <= 0x4DBF || // CJK extension A
		0x4E00 <= r && r <= 0x9FFF || // CJK unified ideographs
		0xA000 <= r && r <= 0xA4CF || // Yi
		0xAC00 <= r && r <= 0xD7A3 || // Hangul syllables
		0xF900 <= r && r <= 0xFAFF || // CJK compatibility ideographs
		0xFE30 <= r && r <= 0xFE4F || // CJK compatibility forms
		0xFF00 <= r && r <= 0xFF60 || // full-width forms
		0xFFE0 <= r && r <= 0xFFE6 ||
		0x20000 <= r && r <= 0x3FFFD // CJK extensions B and later
}

// textWidth is the width of the one-line text s in column units.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// asciiWidth is textWidth of ASCII text held in bytes.
func asciiWidth(b []byte) float64 {
	w := 0.0
	for _, c := range b {
		w += runeWidth(rune(c))
	}
	return w
}

// textMeasure is, in one pass over s, what measure needs of a text cell: the width of its
// widest line, whether it has several lines, and the width of its longest word, the longest
// token eachToken gives with slashes, less trailing spaces. Each width is summed rune by
// rune from the start of its line or token, as textWidth sums it, so it is the same number.
func textMeasure(s string) (width float64, multi bool, word float64) {
	line := 0.0              // the current line so far
	tok, trimmed := 0.0, 0.0 // the current token so far, and up to its last rune but a space
	for _, r := range s {
		w := runeWidth(r)
		if r == '\n' {
			width, line, multi = max(width, line), 0, true
		} else {
			line += w
		}
		switch {
		case wide(r): // a token of its own
			word = max(word, trimmed, w)
			tok, trimmed = 0, 0
		case r == ' ' || r == '/' || r == '-': // ends a token
			tok += w
			if r != ' ' {
				trimmed = tok
			}
			word = max(word, trimmed)
			tok, trimmed = 0, 0
		default:
			tok += w
			trimmed = tok
		}
	}
	return max(width, line), multi, max(word, trimmed)
}

// linesWidth is the width of the widest line of s and whether s has several lines.
func linesWidth(s string) (float64, bool) {
	w := 0.0
	lines := strings.Split(s, "\n")
	for _, l := range lines {
		w = max(w, textWidth(l))
	}
	return w, len(lines) > 1
}

const (
	// cellPadding is the room a cell leaves around its text: a column this much wider than a
	// text shows it whole.
	cellPadding = 1.6
	// filterButton is the room the filter button of a header cell takes.
	filterButton = 2.2
	// textMargin is the part of a column's width that wrapped text does not use.
	textMargin = 1.3
)

// wrapLines estimates the lines s takes in a wrapped cell of the given width; bold text is
// wider. Applications break lines in different places: Excel at spaces, LibreOffice also
// after / and - (so that URLs wrap at their slashes), both within CJK text at any character,
// and in a word longer than a line at any character. The estimate is the larger of the two.
func wrapLines(s string, width float64, bold bool) int {
	scale := 1.0
	if bold {
		scale = boldFactor
	}
	limit := max(width-textMargin, 1)
	n := 0
	for rest, more := s, true; more; {
		var para string
		para, rest, more = strings.Cut(rest, "\n")
		lines := paraLines(para, false, limit, scale)
		if strings.ContainsAny(para, "/-") { // else LibreOffice breaks it where Excel does
			lines = max(lines, paraLines(para, true, limit, scale))
		}
		n += lines
	}
	return n
}

// paraLines is fillLines of the tokens of para, without gathering them: the layout measures
// every cell of a sheet several times over.
func paraLines(para string, slashes bool, limit, scale float64) int {
	f := lineFiller{lines: 1, limit: limit, scale: scale}
	eachToken(para, slashes, f.add)
	return f.lines
}

// fillLines is the number of lines tokens take when each line holds as many as fit in limit;
// a token longer than a line starts a new line and breaks at any character.
func fillLines(toks []string, limit, scale float64) int {
	f := lineFiller{lines: 1, limit: limit, scale: scale}
	for _, tok := range toks {
		f.add(tok)
	}
	return f.lines
}

// lineFiller counts the lines of tokens added one at a time, as fillLines does.
type lineFiller struct {
	lines        int
	cur          float64
	limit, scale float64
}

func (f *lineFiller) add(tok string) {
	full, trimmed := tokenWidths(tok)
	word := trimmed * f.scale
	switch {
	case f.cur+word <= f.limit:
		f.cur += full * f.scale
		return
	case f.cur > 0:
		f.lines++
		f.cur = 0
	}
	if word <= f.limit {
		f.cur = full * f.scale
		return
	}
	for _, r := range tok {
		w := runeWidth(r) * f.scale
		if f.cur > 0 && f.cur+w > f.limit && r != ' ' {
			f.lines++
			f.cur = 0
		}
		f.cur += w
	}
}

// tokenWidths is, in one pass, textWidth(tok) and textWidth(strings.TrimRight(tok, " ")).
func tokenWidths(tok string) (full, trimmed float64) {
	for _, r := range tok {
		full += runeWidth(r)
		if r != ' ' {
			trimmed = full
		}
	}
	return full, trimmed
}

// eachToken splits text where a line may break, after spaces, around wide characters and,
// if slashes, after / and -, and calls fn with the tokens in order, without gathering them.
func eachToken(s string, slashes bool, fn func(string)) {
	start := 0
	for i, r := range s {
		switch {
		case wide(r):
			if start < i {
				fn(s[start:i])
			}
			start = i + utf8.RuneLen(r)
			fn(s[i:start])
		case r == ' ' || slashes && (r == '/' || r == '-'):
			fn(s[start : i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		fn(s[start:])
	}
}

// Line heights in points, for rows of wrapped text: one line of the 11-point font and of the
// larger fonts of the README, and the room above and below the lines. LibreOffice sets 11-point
// lines 13.5 points apart, Excel with Microsoft YaHei about 14.5. Rows are given a height
// because LibreOffice keeps the default height of a row that has none, cutting wrapped text.
const (
	lineHeight        = 15.0
	titleLineHeight   = 22.0
	headingLineHeight = 18.0
	rowPadding        = 3.0
	maxRowHeight      = excelize.MaxRowHeight
)

// rowOpts gives a row of several lines of wrapped text the height they need; rows of one
// line keep the default height.
func rowOpts(perLine float64, lines int) excelize.RowOpts {
	if lines <= 1 {
		return excelize.RowOpts{}
	}
	return excelize.RowOpts{Height: min(float64(lines)*perLine+rowPadding, maxRowHeight)}
}

// The printed page: A4 landscape, with narrow margins.
const (
	paperA4        = 9 // the paperSize of A4 in SpreadsheetML
	pageWidthMM    = 297.0
	sideMarginIn   = 0.25
	topMarginIn    = 0.5
	footerMarginIn = 0.25
	unitMM         = 2.47 // a column unit on paper at 100%: the digit width of an 11-point font
	// Tables print at 70% or larger, their 11-point text at 7.7 points or larger; the README
	// at 75% or larger, 8.25 points.
	minPrintScale  = 0.70
	minReadmeScale = 0.75
)

// pageWidth is the printable width of a page at 100%; printWidth and readmePrintWidth are the
// most column units a page holds at the smallest scale.
var (
	pageWidth        = (pageWidthMM - 2*sideMarginIn*25.4) / unitMM
	printWidth       = math.Floor(pageWidth / minPrintScale)
	readmePrintWidth = math.Floor(pageWidth / minReadmeScale)
)

// Text columns may narrow down to minTextWidth, or their header or longest word if wider,
// to print a sheet on fewer pages; a word wider than maxWordWidth breaks.
const (
	minTextWidth = 16
	maxWordWidth = 30
)

// fitSample is the most rows fitColumns looks at: rows spread evenly over the table.
const fitSample = 200

// sampleAt is the row (from 0) of a table of n rows, more than fitSample, that sample row i
// of fitColumns is.
func sampleAt(i, n int) int { return i * n / fitSample }

// sampler keeps the rows of a table of n rows that fitColumns looks at, from the rows added
// one at a time in order: every row of a table of up to fitSample rows, else the rows at
// sampleAt, fitSample of them whatever the length of the table.
type sampler struct {
	n, seen int
	rows    []table.Row
}

func newSampler(n int) *sampler { return &sampler{n: n} }

// add offers the next row; a row it keeps is copied.
func (s *sampler) add(r table.Row) {
	if s.n <= fitSample || len(s.rows) < fitSample && s.seen == sampleAt(len(s.rows), s.n) {
		s.rows = append(s.rows, slices.Clone(r))
	}
	s.seen++
}

// pagesAcross is the number of pages across that columns of the given widths print on, at
// printWidth units a page, when the first keys columns repeat on every page.
func pagesAcross(widths []float64, keys int) int {
	keyWidth := 0.0
	for _, w := range widths[:min(keys, len(widths))] {
		keyWidth += w
	}
	pages, base, used := 1, 0.0, 0.0
	for j, w := range widths {
		if used+w > printWidth && used > base && j >= keys {
			pages++
			base, used = keyWidth, keyWidth
		}
		used += w
	}
	return pages
}

// fitColumns lays a sheet out for print, on A4 landscape at minPrintScale or larger, and
// returns the number of pages across; the first keys columns repeat on every page.
//
// A sheet whose columns fit across one page keeps the widths its content needs. Otherwise
// its text columns may narrow, each down to its floor, and wrap. fitColumns tries every way of cutting the columns into the fewest pages across that
// hold them at those widths, and one page more; for each cut it widens the text columns, one
// step at a time the column that shortens the rows the most for its width, for as long as
// the pages hold them. It keeps the widths that print on the fewest pages: pages across times
// the height of the rows (of a sample of rows, for long tables: rows are the table's rows,
// or the rows a sampler kept of them, which are the same sample).
func fitColumns(layout []column, rows []table.Row, keys int) int {
	natural := widths(layout)
	if pagesAcross(natural, keys) == 1 {
		return 1
	}
	sample := rows
	if len(rows) > fitSample {
		sample = make([]table.Row, fitSample)
		for i := range sample {
			sample[i] = rows[sampleAt(i, len(rows))]
		}
	}
	f := newFitter(layout, sample, keys)
	least := pagesAcross(f.floor, keys)
	var best []float64
	bestScore := math.Inf(1)
	for pages := least; pages <= min(least+1, len(layout)); pages++ {
		f.cuts(pages, func(starts []int) {
			w, height := f.widen(starts)
			if score := float64(pages) * height; score < bestScore {
				best, bestScore = w, score
			}
		})
	}
	if best == nil { // no cut: a key column alone is wider than a page
		best = f.floor
	}
	for j := range layout {
		if best[j] < layout[j].width {
			layout[j].width, layout[j].wrap = best[j], true
		}
	}
	return pagesAcross(best, keys)
}

// fitter holds what fitColumns works from.
type fitter struct {
	keys           int
	floor, natural []float64
	grow           []int // the text columns that may narrow
	// lines[g][k][i] is the lines the cell of column grow[g] in sample row i takes at its
	// floor width plus k; base[i] is the most lines any other cell of row i takes.
	lines [][][]int
	base  []int
	// maxCuts bounds the cuts tried, so that sheets of many columns are laid out in time.
	maxCuts int
}

func newFitter(layout []column, sample []table.Row, keys int) *fitter {
	f := &fitter{keys: keys, natural: widths(layout), base: make([]int, len(sample)), maxCuts: 2000}
	f.floor = slices.Clone(f.natural)
	for j, l := range layout {
		// Key columns keep their width: they repeat on every page.
		if l.text && l.floor < l.width && j >= keys {
			f.floor[j] = l.floor
			floor := l.floor
			f.grow = append(f.grow, j)
			var lines [][]int
			for x := floor; x <= l.width; x++ {
				n := make([]int, len(sample))
				for i, r := range sample {
					n[i] = cellLines(r[j], x)
				}
				lines = append(lines, n)
			}
			f.lines = append(f.lines, lines)
			continue
		}
		for i, r := range sample {
			if l.wrap {
				f.base[i] = max(f.base[i], cellLines(r[j], l.width))
			}
		}
	}
	return f
}

// cuts calls try with every way of cutting the columns into the given number of pages that
// hold them at their floor widths: starts holds the first column of every page after the
// first.
func (f *fitter) cuts(pages int, try func(starts []int)) {
	keyWidth := 0.0
	for _, w := range f.floor[:min(f.keys, len(f.floor))] {
		keyWidth += w
	}
	starts := make([]int, 0, pages-1)
	tried := 0
	var next func(from int, used float64)
	next = func(from int, used float64) {
		if tried >= f.maxCuts {
			return
		}
		if len(starts) == pages-1 { // the last page takes the rest
			for _, w := range f.floor[from:] {
				used += w
			}
			if used <= printWidth {
				tried++
				try(starts)
			}
			return
		}
		// the next page starts at column end, after the columns from..end-1 on this page
		for end := from + 1; end < len(f.floor); end++ {
			used += f.floor[end-1]
			if used > printWidth {
				return
			}
			if end < f.keys {
				continue
			}
			starts = append(starts, end)
			next(end, keyWidth)
			starts = starts[:len(starts)-1]
		}
	}
	next(0, 0)
}

// rowHeight is the height in points of a row of the given lines.
func rowHeight(lines int) float64 {
	if lines <= 1 {
		return lineHeight
	}
	return float64(lines)*lineHeight + rowPadding
}

// widen widens the text columns from their floor widths while the pages cut at starts hold
// them, and returns the widths and the height of the sample rows in points.
func (f *fitter) widen(starts []int) ([]float64, float64) {
	w := slices.Clone(f.floor)
	page := make([]int, len(w)) // the page of every column
	for j := range page {
		for p, s := range starts {
			if j >= s {
				page[j] = p + 1
			}
		}
	}
	room := make([]float64, len(starts)+1) // what every page has left
	for p := range room {
		room[p] = printWidth
		if p > 0 {
			for _, x := range w[:f.keys] {
				room[p] -= x
			}
		}
	}
	for j, x := range w {
		room[page[j]] -= x
	}
	at := make([]int, len(f.grow)) // how far every text column has widened
	rows := len(f.base)
	// top and second are the most lines a cell of every row takes and the most in any other
	// column than top's, topCol that column.
	top, second, topCol := make([]int, rows), make([]int, rows), make([]int, rows)
	cells := 0 // the lines of all text cells, to choose between steps that leave the rows as tall
	rank := func() {
		cells = 0
		for i := range rows {
			top[i], second[i], topCol[i] = f.base[i], f.base[i], -1
			for g := range f.grow {
				n := f.lines[g][at[g]][i]
				cells += n
				switch {
				case n > top[i]:
					top[i], second[i], topCol[i] = n, top[i], g
				case n > second[i]:
					second[i] = n
				}
			}
		}
	}
	rank()
	tie := 1 / float64(len(f.grow)*rows+1) / 1000
	for {
		best, bestK, bestGain := -1, 0, 0.0
		for g, j := range f.grow {
			// the next width at which the column's cells take fewer lines
			now := f.lines[g][at[g]]
			k := 1
			for at[g]+k < len(f.lines[g]) && slices.Equal(f.lines[g][at[g]+k], now) {
				k++
			}
			if at[g]+k >= len(f.lines[g]) || float64(k) > room[page[j]] {
				continue
			}
			wider := f.lines[g][at[g]+k]
			gain := 0.0
			for i := range rows {
				other := top[i]
				if topCol[i] == g {
					other = second[i]
				}
				gain += rowHeight(max(top[i], 1)) - rowHeight(max(other, wider[i], 1))
				gain += float64(now[i]-wider[i]) * tie
			}
			if gain /= float64(k); gain > bestGain {
				best, bestK, bestGain = g, k, gain
			}
		}
		if best < 0 {
			break // no wider column shortens anything
		}
		at[best] += bestK
		w[f.grow[best]] += float64(bestK)
		room[page[f.grow[best]]] -= float64(bestK)
		rank()
	}
	height := 0.0
	for i := range rows {
		height += rowHeight(top[i])
	}
	return w, height
}

// cellLines is the lines a table cell takes in a wrapped column of the given width.
func cellLines(v any, width float64) int {
	switch x := v.(type) {
	case string:
		return wrapLines(x, width, false)
	case []string:
		return wrapLines(strings.Join(x, listSep), width, false)
	}
	return 1
}

// printSetup is how a sheet prints.
type printSetup struct {
	across    int // pages across; 0 prints at 100%
	titleRows int // rows that repeat at the top of every page
	titleCols int // columns that repeat at the left of every page, when across > 1
}

// setFitToPage turns on fitting to p.across pages across. It comes before the stream writer
// starts: the stream writer writes the sheet properties first.
func setFitToPage(f *excelize.File, sheet string, p printSetup) error {
	if p.across == 0 {
		return nil
	}
	yes := true
	return f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &yes})
}

// setPrint sets the page of a sheet: A4 landscape, narrow margins, p.across pages across and
// as many down as it takes, the title rows and columns on every page, and a footer with the
// sheet name and the page number.
func setPrint(f *excelize.File, sheet string, p printSetup) error {
	size, landscape := paperA4, "landscape"
	opts := &excelize.PageLayoutOptions{Size: &size, Orientation: &landscape}
	if p.across > 0 {
		down := 0
		opts.FitToWidth, opts.FitToHeight = &p.across, &down
	}
	if p.across > 1 {
		order := "overThenDown" // the pages of the same rows follow each other
		opts.PageOrder = &order
	}
	if err := f.SetPageLayout(sheet, opts); err != nil {
		return err
	}
	side, top, footer := sideMarginIn, topMarginIn, footerMarginIn
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &top, Bottom: &top, Header: &footer, Footer: &footer,
	}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&L&8&A&R&8&P / &N"}); err != nil {
		return err
	}
	var titles []string
	quoted := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!"
	if p.across > 1 && p.titleCols > 0 {
		last, err := excelize.ColumnNumberToName(p.titleCols)
		if err != nil {
			return err
		}
		titles = append(titles, quoted+"$A:$"+last)
	}
	if p.titleRows > 0 {
		titles = append(titles, quoted+"$1:$"+strconv.Itoa(p.titleRows))
	}
	if len(titles) == 0 {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: strings.Join(titles, ","), Scope: sheet})
}

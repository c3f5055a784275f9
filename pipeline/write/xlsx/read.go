package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// Reading back is part of every build (the formats are compared row by row), so it has to
// keep pace with writing a million rows. The workbook is read as a zip archive and each table
// sheet's XML is scanned as a stream, keeping nothing of the sheet but the rows of the table
// being read. Cells are read as excelize reads them with RawCellValue: shared, inline and
// formula strings with their _xHHHH_ escapes undone, anything else as the text of <v>.

// read reads every table of s from the workbook at path.
func read(path string, s *schemas.Set) (*table.Set, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	wb, err := openBook(&zr.Reader)
	if err != nil {
		return nil, err
	}
	set := table.NewSet(s)
	for _, t := range set.Tables {
		if !wb.has(t.Name()) {
			return nil, fmt.Errorf("no sheet %s", t.Name())
		}
		for n := 0; wb.has(sheetName(t.Name(), n)); n++ {
			if err := wb.readSheet(sheetName(t.Name(), n), t); err != nil {
				return nil, fmt.Errorf("sheet %s: %w", sheetName(t.Name(), n), err)
			}
		}
	}
	return set, nil
}

// book is an open workbook: its parts, and where each sheet is.
type book struct {
	files  map[string]*zip.File
	sheets map[string]string // sheet name -> part
	sst    []string          // shared strings, read when a cell needs them
	sstOK  bool
}

func openBook(zr *zip.Reader) (*book, error) {
	b := &book{files: map[string]*zip.File{}}
	for _, f := range zr.File {
		b.files[f.Name] = f
	}
	sheets, err := sheetParts(b.part)
	if err != nil {
		return nil, err
	}
	b.sheets = sheets
	return b, nil
}

func (b *book) has(sheet string) bool { _, ok := b.sheets[sheet]; return ok }

// part reads a small part whole.
func (b *book) part(name string) ([]byte, error) {
	f, ok := b.files[name]
	if !ok {
		return nil, fmt.Errorf("no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// sharedString returns shared string i; the table is read on first use.
func (b *book) sharedString(i int) (string, error) {
	if !b.sstOK {
		b.sstOK = true
		if _, ok := b.files["xl/sharedStrings.xml"]; ok {
			data, err := b.part("xl/sharedStrings.xml")
			if err != nil {
				return "", err
			}
			var sst struct {
				SI []struct {
					T *string `xml:"t"`
					R []struct {
						T *string `xml:"t"`
					} `xml:"r"`
				} `xml:"si"`
			}
			if err := xml.Unmarshal(data, &sst); err != nil {
				return "", fmt.Errorf("parse shared strings: %w", err)
			}
			for _, si := range sst.SI {
				var v strings.Builder
				if si.T != nil {
					v.WriteString(*si.T)
				}
				for _, r := range si.R {
					if r.T != nil {
						v.WriteString(*r.T)
					}
				}
				b.sst = append(b.sst, bstrUnmarshal(v.String()))
			}
		}
	}
	if i < 0 || i >= len(b.sst) {
		return "", fmt.Errorf("shared string %d does not exist", i)
	}
	return b.sst[i], nil
}

// readSheet appends the rows of one sheet to t, after checking its header; a row that does
// not fit the table's schema is an error.
func (b *book) readSheet(sheet string, t *table.Table) error {
	row := make(table.Row, len(t.Schema.Columns))
	n := 1 // the sheet row of the last row read, the header first
	return b.scanRows(sheet, t.Schema, func() table.Row { clear(row); return row },
		func(r table.Row) error {
			n++
			if err := t.Append(r); err != nil { // Append copies the row
				return fmt.Errorf("row %d: %w", n, err)
			}
			return nil
		})
}

// scanRows checks the header of one sheet and calls fn with every row after it, in a row
// that newRow gives.
func (b *book) scanRows(sheet string, ts *schemas.Table, newRow func() table.Row, fn func(table.Row) error) error {
	f, ok := b.files[b.sheets[sheet]]
	if !ok {
		return fmt.Errorf("no part %s", b.sheets[sheet])
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	cols := ts.Columns
	want := make([]string, len(cols))
	for i, c := range cols {
		want[i] = c.Name
	}
	n := 0 // rows read, the header included
	row := func(cells []string) error {
		n++
		if n == 1 {
			if !slices.Equal(want, cells) {
				return fmt.Errorf("header %q is not the columns of %s %q", cells, ts.Name, want)
			}
			return nil
		}
		if len(cells) > len(cols) {
			return fmt.Errorf("row %d: %d cells for %d columns", n, len(cells), len(cols))
		}
		r := newRow()
		for j, c := range cols {
			if j >= len(cells) || cells[j] == "" {
				continue
			}
			var err error
			if r[j], err = parseCell(c.Type, cells[j]); err != nil {
				ref, _ := excelize.CoordinatesToCellName(j+1, n)
				return fmt.Errorf("cell %s (%s): %w", ref, c.Name, err)
			}
		}
		return fn(r)
	}
	return scanSheet(bufio.NewReaderSize(rc, 1<<20), b, row)
}

// scanSheet calls row with the cells of every row of the sheet XML read from r, in order,
// an empty row for every row number the sheet skips. Cells are placed by their reference;
// trailing empty cells are dropped.
func scanSheet(r *bufio.Reader, b *book, row func([]string) error) error {
	sc := &scanner{r: r}
	var (
		cells   []string
		rowNum  int  // number of the last row passed to row
		inRow   bool // inside <row>
		inCell  bool
		inV     bool // inside <v>
		inIS    bool // inside <is>
		inT     bool // inside <t> of <is>, not of a phonetic run
		inRPh   bool // inside <rPh>
		cellCol int  // column (from 0) of the current cell
		cellT   string
		v, is   []byte
		hasIS   bool
		nextCol int // column of a cell without a reference
	)
	emit := func() error {
		for len(cells) > 0 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		err := row(cells)
		cells = cells[:0]
		return err
	}
	for {
		tok, err := sc.next()
		if err == io.EOF {
			if inRow {
				return errors.New("sheet XML ends inside a row")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.kind {
		case tokText:
			switch {
			case inV:
				v = append(v, tok.text...)
			case inT:
				is = append(is, tok.text...)
			}
		case tokStart:
			switch string(tok.name) {
			case "row":
				n := rowNum + 1
				if ref := tok.attr("r"); ref != nil {
					if n, err = strconv.Atoi(string(ref)); err != nil || n <= rowNum || n > excelize.TotalRows {
						return fmt.Errorf("row number %q out of order", ref)
					}
				}
				for rowNum+1 < n { // rows the sheet skips are empty
					if err := emit(); err != nil {
						return err
					}
					rowNum++
				}
				rowNum = n
				inRow, nextCol = true, 0
				if tok.empty {
					inRow = false
					if err := emit(); err != nil {
						return err
					}
				}
			case "c":
				if !inRow {
					return errors.New("cell outside a row")
				}
				cellCol = nextCol
				if ref := tok.attr("r"); ref != nil {
					col, _, err := excelize.CellNameToCoordinates(string(ref))
					if err != nil {
						return fmt.Errorf("cell reference %q: %w", ref, err)
					}
					cellCol = col - 1
				}
				cellT = string(tok.attr("t"))
				v, is, hasIS = v[:0], is[:0], false
				inCell = !tok.empty
				if tok.empty {
					if err := setCell(&cells, cellCol, cellT, false, nil, nil, b); err != nil {
						return err
					}
					nextCol = cellCol + 1
				}
			case "v":
				inV = inCell && !tok.empty
			case "is":
				inIS, hasIS = inCell && !tok.empty, inCell
			case "rPh":
				inRPh = inIS && !tok.empty
			case "t":
				inT = inIS && !inRPh && !tok.empty
			}
		case tokEnd:
			switch string(tok.name) {
			case "row":
				if inRow {
					inRow = false
					if err := emit(); err != nil {
						return err
					}
				}
			case "c":
				if inCell {
					inCell = false
					if err := setCell(&cells, cellCol, cellT, hasIS, v, is, b); err != nil {
						return err
					}
					nextCol = cellCol + 1
				}
			case "v":
				inV = false
			case "is":
				inIS = false
			case "rPh":
				inRPh = false
			case "t":
				inT = false
			}
		}
	}
}

// setCell puts the value of a cell at column col, as excelize reads it raw.
func setCell(cells *[]string, col int, typ string, hasIS bool, v, is []byte, b *book) error {
	var val string
	switch typ {
	case "s":
		if len(v) > 0 {
			i, _ := strconv.Atoi(strings.TrimSpace(string(v)))
			s, err := b.sharedString(i)
			if err != nil {
				return err
			}
			val = s
		}
	case "inlineStr":
		if hasIS {
			val = bstrUnmarshal(string(is))
		} else {
			val = string(v)
		}
	default:
		val = string(v)
	}
	for len(*cells) <= col {
		*cells = append(*cells, "")
	}
	(*cells)[col] = val
	return nil
}

// bstrExp and bstrUnmarshal undo the _xHHHH_ escapes excelize writes for characters XML
// cannot carry, exactly as excelize (lib.go) does.
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

func bstrUnmarshal(s string) (result string) {
	if !strings.Contains(s, "_x") {
		return s
	}
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			result += "_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			v, _ := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`)
			result += v
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}

// A token of sheet XML: character data (entities decoded, line ends normalised), a start tag
// with its raw attributes, or an end tag.
type tokenKind int

const (
	tokText tokenKind = iota
	tokStart
	tokEnd
)

type token struct {
	kind  tokenKind
	name  []byte // local name, without prefix
	attrs []byte // the raw text after the name
	empty bool   // <x/>
	text  []byte
}

// attr returns the decoded value of the attribute with the given local name, or nil.
func (t *token) attr(name string) []byte {
	s := t.attrs
	for {
		s = bytes.TrimLeft(s, " \t\r\n")
		eq := bytes.IndexByte(s, '=')
		if eq < 0 {
			return nil
		}
		key := bytes.TrimRight(s[:eq], " \t\r\n")
		if i := bytes.IndexByte(key, ':'); i >= 0 {
			key = key[i+1:]
		}
		s = bytes.TrimLeft(s[eq+1:], " \t\r\n")
		if len(s) == 0 || s[0] != '"' && s[0] != '\'' {
			return nil
		}
		end := bytes.IndexByte(s[1:], s[0])
		if end < 0 {
			return nil
		}
		val := s[1 : 1+end]
		s = s[2+end:]
		if string(key) == name {
			out, err := unescape(nil, val, false)
			if err != nil {
				return nil
			}
			return out
		}
	}
}

// scanner splits sheet XML into tokens. It knows as much XML as worksheets use: tags with
// attributes, character data with entity and character references, CDATA sections, and
// declarations, processing instructions and comments, which it skips.
type scanner struct {
	r    *bufio.Reader
	buf  []byte
	text []byte
	tok  token
}

// next returns the next token; its slices are valid until the next call.
func (sc *scanner) next() (*token, error) {
	for {
		raw, err := sc.until('<')
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(raw) > 0 {
			text, derr := unescape(sc.text[:0], raw, true)
			if derr != nil {
				return nil, derr
			}
			sc.text = text
			sc.tok = token{kind: tokText, text: text}
			return &sc.tok, nil
		}
		if err == io.EOF {
			return nil, io.EOF
		}
		sc.r.ReadByte() // '<'
		c, err := sc.r.ReadByte()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		switch c {
		case '?':
			if err := sc.skipPast("?>"); err != nil {
				return nil, err
			}
			continue
		case '!':
			if err := sc.bang(); err != nil {
				return nil, err
			}
			if sc.tok.kind == tokText {
				return &sc.tok, nil
			}
			continue
		}
		sc.r.UnreadByte()
		tag, err := sc.until('>')
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		sc.r.ReadByte() // '>'
		sc.tok = token{kind: tokStart}
		if len(tag) > 0 && tag[0] == '/' {
			sc.tok.kind, tag = tokEnd, tag[1:]
		} else if len(tag) > 0 && tag[len(tag)-1] == '/' {
			sc.tok.empty, tag = true, tag[:len(tag)-1]
		}
		name := tag
		if i := bytes.IndexAny(tag, " \t\r\n"); i >= 0 {
			name, sc.tok.attrs = tag[:i], tag[i:]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		sc.tok.name = name
		return &sc.tok, nil
	}
}

// until reads up to, not including, the next delim; the bytes are valid until the next read.
func (sc *scanner) until(delim byte) ([]byte, error) {
	sc.buf = sc.buf[:0]
	for {
		b, err := sc.r.ReadSlice(delim)
		if err == nil {
			if len(sc.buf) == 0 {
				out := b[:len(b)-1]
				sc.r.UnreadByte()
				return out, nil
			}
			sc.buf = append(sc.buf, b[:len(b)-1]...)
			sc.r.UnreadByte()
			return sc.buf, nil
		}
		sc.buf = append(sc.buf, b...)
		if err != bufio.ErrBufferFull {
			return sc.buf, err
		}
	}
}

// skipPast reads past the next occurrence of end.
func (sc *scanner) skipPast(end string) error {
	matched := 0
	for matched < len(end) {
		c, err := sc.r.ReadByte()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch {
		case c == end[matched]:
			matched++
		case c == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
	return nil
}

// bang reads what follows "<!": a comment or a declaration (skipped) or a CDATA section
// (returned as text in sc.tok).
func (sc *scanner) bang() error {
	sc.tok = token{}
	peek, _ := sc.r.Peek(7)
	switch {
	case bytes.HasPrefix(peek, []byte("--")):
		sc.r.Discard(2)
		return sc.skipPast("-->")
	case bytes.HasPrefix(peek, []byte("[CDATA[")):
		sc.r.Discard(7)
		var text []byte
		for {
			chunk, err := sc.until(']')
			if err != nil {
				return unexpectedEOF(err)
			}
			text = append(text, chunk...)
			sc.r.ReadByte()
			if p, _ := sc.r.Peek(2); bytes.Equal(p, []byte("]>")) {
				sc.r.Discard(2)
				break
			}
			text = append(text, ']')
		}
		sc.text = normaliseNewlines(append(sc.text[:0], text...))
		sc.tok = token{kind: tokText, text: sc.text}
		return nil
	}
	return sc.skipPast(">")
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// normaliseNewlines turns \r\n and lone \r into \n, as an XML parser must.
func normaliseNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := b[:0]
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// unescape appends raw character data to dst with entity and character references decoded;
// text says whether line ends are normalised (character data) or not (attribute values,
// whose white space this reader does not need).
func unescape(dst, raw []byte, text bool) ([]byte, error) {
	if text {
		raw = normaliseNewlines(raw)
	}
	for {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i+1:]
		end := bytes.IndexByte(raw, ';')
		if end < 0 {
			return nil, errors.New("unterminated entity reference")
		}
		ent := string(raw[:end])
		raw = raw[end+1:]
		switch ent {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return nil, fmt.Errorf("unknown entity &%s;", ent)
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				return nil, fmt.Errorf("bad character reference &%s;", ent)
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
}

// parseCell converts the raw text of a non-empty cell to the Go type of its column.
func parseCell(typ schemas.Type, s string) (any, error) {
	switch typ {
	case schemas.Text:
		return s, nil
	case schemas.TextList:
		return strings.Split(s, listSep), nil
	case schemas.Integer:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		return int64(x), nil
	case schemas.Double:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return x, nil
	case schemas.Date:
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			return d, nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date", s)
		}
		return serialDate(x)
	}
	return nil, fmt.Errorf("unknown column type %q", typ)
}

// ScanTable calls fn with every row of one table as Read reads it, from its sheet and the
// sheets it continues on, without holding the table; the row passed to fn is reused.
func (Writer) ScanTable(dir string, ts *schemas.Table, info table.Info, fn func(table.Row) error) (found bool, err error) {
	name, err := fileName(info)
	if err != nil {
		return false, err
	}
	path := filepath.Join(dir, name)
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false, fmt.Errorf("xlsx: read %s: %w", path, err)
	}
	defer zr.Close()
	wb, err := openBook(&zr.Reader)
	if err != nil {
		return false, fmt.Errorf("xlsx: read %s: %w", path, err)
	}
	if !wb.has(ts.Name) {
		return false, fmt.Errorf("xlsx: read %s: no sheet %s", path, ts.Name)
	}
	row := make(table.Row, len(ts.Columns))
	for n := 0; wb.has(sheetName(ts.Name, n)); n++ {
		err := wb.scanRows(sheetName(ts.Name, n), ts, func() table.Row { clear(row); return row }, fn)
		if err != nil {
			return true, fmt.Errorf("xlsx: read %s: sheet %s: %w", path, sheetName(ts.Name, n), err)
		}
	}
	return true, nil
}

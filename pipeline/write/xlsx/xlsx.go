// Package xlsx writes the tables of a release as one Excel workbook, <dataset>.xlsx, and reads
// them back.
//
// The workbook opens on a README sheet (what the data is, the release, coverage per plan and
// per category, confidence levels, licence, how to cite, one line per sheet), then a
// dictionary sheet with every table and column of the schema, then one sheet per table in
// schema order, views last. A table sheet has one bold header row of column names, frozen and
// filtered, and one row per table row:
//
//   - text is always a string cell, never a formula or a number, so IDs, GB/T 2260 codes and
//     text beginning with =, +, - or @ stay text;
//   - integers and doubles are number cells, written with every digit of the value (doubles
//     in the shortest form that reads back the same);
//   - dates are date serials shown as yyyy-mm-dd; dates without a serial that Excel and
//     LibreOffice read alike (before 1900-03-01, after 9999-12-31) are ISO text, yyyy-mm-dd;
//   - text lists are joined with "; " (items never hold ';');
//   - NULL is an empty cell.
//
// A table longer than a sheet continues on sheets named "<table> (2)", "<table> (3)" and so
// on, each with the header row.
//
// Every sheet prints on A4 landscape with its text at about 8 points or larger (see
// fitColumns): one page across where its columns fit, with long text columns narrowed and
// wrapped where that saves pages, otherwise on a few pages across that repeat the key
// columns. The header row repeats on every printed page, and rows of wrapped text are as
// tall as their estimated lines (LibreOffice does not size them when it opens a workbook).
//
// The bytes depend only on the set and the Info: document dates are the release date, and the
// zip entries are written in a fixed order with the release date as their time.
package xlsx

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

const (
	readmeSheet     = "README"
	dictionarySheet = "dictionary"
	listSep         = "; "
)

// rowsPerSheet is the number of data rows a table sheet holds below its header: Excel's
// 1,048,576 rows less the header. Longer tables continue on further sheets. Tests lower it.
var rowsPerSheet = excelize.TotalRows - 1

// Writer is the xlsx format.
type Writer struct{}

// Name is the format's short name.
func (Writer) Name() string { return "xlsx" }

// Write writes every table of set into one workbook, <info.Dataset>.xlsx, under dir.
func (Writer) Write(dir string, set *table.Set, info table.Info) ([]string, error) {
	name, err := fileName(info)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	err = atomic.WriteFile(path, func(w io.Writer) error {
		if err := build(w, set, info); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return []string{name}, nil
}

func fileName(info table.Info) (string, error) {
	if info.Dataset == "" {
		return "", errors.New("xlsx: release info has no dataset name")
	}
	return info.Dataset + ".xlsx", nil
}

// part is the rows of a table that one sheet holds: rows lo up to, not including, hi.
type part struct {
	sheet  string
	table  *table.Table
	lo, hi int
}

// sheetName is the name of the n-th sheet (from 0) of a table.
func sheetName(tableName string, n int) string {
	if n == 0 {
		return tableName
	}
	return fmt.Sprintf("%s (%d)", tableName, n+1)
}

// sheetTables lists the tables in sheet order: tables in schema order, then views.
func sheetTables(tables []*table.Table) []*table.Table {
	var out, views []*table.Table
	for _, t := range tables {
		if t.Schema.View {
			views = append(views, t)
		} else {
			out = append(out, t)
		}
	}
	return append(out, views...)
}

// layout splits every table into the sheets that hold it, in sheet order.
func layout(set *table.Set) ([]part, error) {
	seen := map[string]bool{readmeSheet: true, dictionarySheet: true}
	var parts []part
	for _, t := range sheetTables(set.Tables) {
		rows := t.Len()
		for n, start := 0, 0; n == 0 || start < rows; n, start = n+1, start+rowsPerSheet {
			name := sheetName(t.Name(), n)
			if len(utf16.Encode([]rune(name))) > excelize.MaxSheetNameLength {
				return nil, fmt.Errorf("sheet name %q is longer than %d characters", name, excelize.MaxSheetNameLength)
			}
			if seen[name] {
				return nil, fmt.Errorf("two sheets named %q", name)
			}
			seen[name] = true
			parts = append(parts, part{sheet: name, table: t, lo: start, hi: min(start+rowsPerSheet, rows)})
		}
	}
	return parts, nil
}

// build writes the workbook of set to w. Every table is read twice, never held: a first pass
// lays out its sheets and counts what the README says of it, a second writes its sheets.
func build(w io.Writer, set *table.Set, info table.Info) error {
	parts, err := layout(set)
	if err != nil {
		return err
	}
	surveys := map[*table.Table]*survey{}
	for _, t := range sheetTables(set.Tables) {
		if surveys[t], err = surveyTable(t); err != nil {
			return fmt.Errorf("table %s: %w", t.Name(), err)
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDefaultFont(font); err != nil {
		return fmt.Errorf("set default font: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName(f.GetSheetName(0), readmeSheet); err != nil {
		return fmt.Errorf("name sheet %s: %w", readmeSheet, err)
	}
	for _, name := range append([]string{dictionarySheet}, sheetNames(parts)...) {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("add sheet %s: %w", name, err)
		}
	}
	var exact []exactValue // doubles to write with all their digits
	if err := writeReadme(f, st, set, info, parts, surveys, &exact); err != nil {
		return fmt.Errorf("sheet %s: %w", readmeSheet, err)
	}
	if err := writeDictionary(f, st, set, &exact); err != nil {
		return fmt.Errorf("sheet %s: %w", dictionarySheet, err)
	}
	for _, p := range parts {
		sv := surveys[p.table] // every sheet of a table has the same layout
		scan := func(fn func(table.Row) error) error { return p.table.ScanRange(p.lo, p.hi, fn) }
		if err := writeSheet(f, st, p.sheet, p.table.Schema.Columns, p.hi-p.lo, scan, sv.columns, sv.pages, nil, &exact); err != nil {
			return fmt.Errorf("sheet %s: %w", p.sheet, err)
		}
	}
	if err := setProperties(f, info); err != nil {
		return err
	}
	// excelize hands the zip writer a memory buffer and copies it to w at the end, which for
	// a large workbook holds all of it in memory: the zip writer writes to w itself, and the
	// buffer stays empty.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		return newZipWriter(w, zipTime(info.Date), exact)
	})
	return f.Write(w)
}

// survey is what the first pass over a table finds: how its sheets are laid out, and the
// figures the README gives for it.
type survey struct {
	columns []column
	pages   printSetup
	rows    int64
	nulls   int64            // empty cells
	levels  map[string]int64 // rows per confidence level; nil without a confidence column
}

// surveyTable reads t once: the column widths that measure gives for all its rows, fitted
// for print on the rows fitColumns samples, and the README's counts. It keeps no more than
// the sample of rows.
func surveyTable(t *table.Table) (*survey, error) {
	cols := t.Schema.Columns
	m, sample := newMeasurer(cols), newSampler(t.Len())
	sv := &survey{}
	conf := -1
	if !t.Schema.View {
		if conf = t.Schema.Index("confidence"); conf >= 0 {
			sv.levels = map[string]int64{}
		}
	}
	err := t.Scan(func(r table.Row) error {
		m.add(r)
		sample.add(r)
		sv.rows++
		for _, v := range r {
			if v == nil {
				sv.nulls++
			}
		}
		if conf >= 0 {
			if s, ok := r[conf].(string); ok {
				sv.levels[s]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	keys := keyColumns(t.Schema)
	sv.columns = m.layout()
	sv.pages = printSetup{across: fitColumns(sv.columns, sample.rows, keys), titleRows: 1, titleCols: keys}
	return sv, nil
}

// keyColumns is the number of leading columns of a table that belong to its primary key, at
// least one: they identify a row on every printed page.
func keyColumns(ts *schemas.Table) int {
	n := 0
	for n < len(ts.Columns) && slices.Contains(ts.PrimaryKey, ts.Columns[n].Name) {
		n++
	}
	return max(n, 1)
}

func sheetNames(parts []part) []string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.sheet
	}
	return names
}

// setProperties sets the document properties; created and modified are the release date.
func setProperties(f *excelize.File, info table.Info) error {
	props := &excelize.DocProperties{
		Title:       "plandata: Industrial Internet Special Working Group work plans",
		Subject:     "Annual work plans of China's Industrial Internet Special Working Group (工业互联网专项工作组), release " + info.ReleaseID,
		Creator:     "plandata",
		Identifier:  info.ReleaseID,
		Version:     info.Version,
		Keywords:    "industrial internet; 工业互联网; MIIT; work plan; 工作计划",
		Description: "Tables of the plandata release " + info.ReleaseID + "; see the README sheet.",
		Language:    "en",
	}
	if !info.Date.IsZero() {
		props.Created = info.Date.UTC().Format("2006-01-02T15:04:05Z")
		props.Modified = props.Created
	}
	if err := f.SetDocProps(props); err != nil {
		return fmt.Errorf("set document properties: %w", err)
	}
	return nil
}

// Read reads back what Write wrote under dir: every table of s from its sheet and the sheets
// it continues on.
func (Writer) Read(dir string, s *schemas.Set, info table.Info) (*table.Set, error) {
	name, err := fileName(info)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	set, err := read(path, s)
	if err != nil {
		return nil, fmt.Errorf("xlsx: read %s: %w", path, err)
	}
	return set, nil
}

// Package csv writes and reads the CSV files of a release: csv/<table>.csv for every table of
// the set, tasks_flat included.
//
// The files are RFC 4180 as written by encoding/csv, UTF-8 without a byte order mark, with a
// header row of column names. Records end in "\n" rather than RFC 4180's "\r\n": every CSV
// reader in use (encoding/csv, Python's csv and pandas, R, DuckDB, spreadsheets) accepts it,
// it is what they write themselves, and it keeps line breaks inside quoted text as the data
// has them.
//
// A cell is written as follows; Read reverses it using the column types of the schema.
//
//   - NULL is an empty field. Text is never empty in a checked set, so this is unambiguous.
//   - Text is written exactly as it is: codes stay text ("010000"), and nothing is escaped
//     for spreadsheets (a text starting with "=" stays as it is). A text holding "\r\n" is
//     refused, because encoding/csv reads it back as "\n".
//   - Integers are decimal, doubles the shortest form that reads back exactly
//     (strconv 'g', -1), dates YYYY-MM-DD.
//   - A text list is a JSON array of strings, such as ["网络","平台"].
package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// folder holds the files under the release folder.
const folder = "csv"

const dateLayout = "2006-01-02"

// Writer is the csv format.
type Writer struct{}

// Name is the format's short name.
func (Writer) Name() string { return "csv" }

// rel is the path of a table's file relative to the release folder.
func rel(name string) string { return folder + "/" + name + ".csv" }

// Write writes every table of set under dir as csv/<table>.csv.
func (Writer) Write(dir string, set *table.Set, info table.Info) ([]string, error) {
	var files []string
	for _, t := range set.Tables {
		p := filepath.Join(dir, filepath.FromSlash(rel(t.Name())))
		if err := atomic.WriteFile(p, func(w io.Writer) error { return writeTable(w, t) }); err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		files = append(files, rel(t.Name()))
	}
	slices.Sort(files)
	return files, nil
}

// writeTable writes the header and the rows of a table, in key order.
func writeTable(w io.Writer, t *table.Table) error {
	cw := stdcsv.NewWriter(w)
	rec := make([]string, len(t.Schema.Columns))
	for j, c := range t.Schema.Columns {
		rec[j] = c.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	i := 0
	err := t.Scan(func(r table.Row) error {
		for j, c := range t.Schema.Columns {
			f, err := field(c, r[j])
			if err != nil {
				return fmt.Errorf("%s row %d column %s: %w", t.Name(), i, c.Name, err)
			}
			rec[j] = f
		}
		i++
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// errCRLF refuses text that encoding/csv cannot read back.
var errCRLF = errors.New(`text holds "\r\n", which does not read back from CSV`)

// field is the CSV text of a cell of a table (Append has checked its type).
func field(c schemas.Column, v any) (string, error) {
	if v == nil {
		return "", nil
	}
	switch c.Type {
	case schemas.Text:
		s := v.(string)
		if strings.Contains(s, "\r\n") {
			return "", errCRLF
		}
		return s, nil
	case schemas.Integer:
		return strconv.FormatInt(v.(int64), 10), nil
	case schemas.Double:
		return strconv.FormatFloat(v.(float64), 'g', -1, 64), nil
	case schemas.Date:
		return v.(time.Time).Format(dateLayout), nil
	case schemas.TextList:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v.([]string)); err != nil {
			return "", err
		}
		return strings.TrimSuffix(b.String(), "\n"), nil
	}
	panic(fmt.Sprintf("csv: no field conversion for column type %q", c.Type))
}

// Read reads back what Write wrote: every declared table that has a file under dir, in schema
// order. A table without a file is left out of the set; a missing csv folder is an error.
// A cell that does not parse is reported as a *csv.ParseError (encoding/csv) with its line
// and column.
func (Writer) Read(dir string, s *schemas.Set, info table.Info) (*table.Set, error) {
	root := filepath.Join(dir, folder)
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	set := &table.Set{Schema: s}
	for _, ts := range s.Tables {
		p := filepath.Join(dir, filepath.FromSlash(rel(ts.Name)))
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read csv: %w", err)
		}
		t, err := readTable(f, ts)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		set.Tables = append(set.Tables, t)
	}
	return set, nil
}

// readTable reads one file: a header that names the columns of ts in order, then the rows.
// A row that parses but that the table refuses (a list item holding ';', say) is reported
// with the line its record starts on.
func readTable(r io.Reader, ts *schemas.Table) (*table.Table, error) {
	t := table.New(ts)
	row := make(table.Row, len(ts.Columns))
	err := scanTable(r, ts, func(rec []string, fieldPos func(int) (int, int)) error {
		if err := parseRecord(row, rec, ts, fieldPos); err != nil {
			return err
		}
		if err := t.Append(row); err != nil {
			line, _ := fieldPos(0)
			return fmt.Errorf("record on line %d: %w", line, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// scanTable checks the header of a file and calls fn with every record after it, and with
// the reader's FieldPos for error positions.
func scanTable(r io.Reader, ts *schemas.Table, fn func(rec []string, fieldPos func(int) (int, int)) error) error {
	cr := stdcsv.NewReader(r)
	cr.FieldsPerRecord = len(ts.Columns)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return &stdcsv.ParseError{StartLine: 1, Line: 1, Column: 1, Err: errors.New("no header")}
	}
	if err != nil {
		return err
	}
	for j, c := range ts.Columns {
		if header[j] != c.Name {
			line, col := cr.FieldPos(j)
			return &stdcsv.ParseError{StartLine: line, Line: line, Column: col,
				Err: fmt.Errorf("header: column %d is %q, want %q", j+1, header[j], c.Name)}
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rec, cr.FieldPos); err != nil {
			return err
		}
	}
}

// parseRecord converts the fields of a record into row.
func parseRecord(row table.Row, rec []string, ts *schemas.Table, fieldPos func(int) (int, int)) error {
	for j, c := range ts.Columns {
		v, err := parse(c, rec[j])
		if err != nil {
			line, col := fieldPos(j)
			start, _ := fieldPos(0)
			return &stdcsv.ParseError{StartLine: start, Line: line, Column: col,
				Err: fmt.Errorf("column %s: %w", c.Name, err)}
		}
		row[j] = v
	}
	return nil
}

// parse converts a field to a cell of column c.
func parse(c schemas.Column, f string) (any, error) {
	if f == "" {
		if c.Required {
			return nil, errors.New("empty field (NULL) in a required column")
		}
		return nil, nil
	}
	switch c.Type {
	case schemas.Text:
		return f, nil
	case schemas.Integer:
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("integer %q: %w", f, numError(err))
		}
		return n, nil
	case schemas.Double:
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("double %q: %w", f, numError(err))
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("double %q is not finite", f)
		}
		return x, nil
	case schemas.Date:
		d, err := time.Parse(dateLayout, f)
		if err != nil {
			return nil, fmt.Errorf("date %q is not YYYY-MM-DD", f)
		}
		return d, nil
	case schemas.TextList:
		var l []string
		if err := json.Unmarshal([]byte(f), &l); err != nil || l == nil {
			return nil, fmt.Errorf("list %q is not a JSON array of strings", f)
		}
		if len(l) == 0 {
			return nil, errors.New("empty list (NULL is an empty field)")
		}
		return l, nil
	}
	panic(fmt.Sprintf("csv: no field conversion for column type %q", c.Type))
}

// numError drops strconv's repetition of the function and the input.
func numError(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return ne.Err
	}
	return err
}

// ScanTable calls fn with every row of one table as Read reads it, without holding the
// table; the row passed to fn is reused. found is false when the release has no file for the
// table.
func (Writer) ScanTable(dir string, ts *schemas.Table, info table.Info, fn func(table.Row) error) (found bool, err error) {
	p := filepath.Join(dir, filepath.FromSlash(rel(ts.Name)))
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read csv: %w", err)
	}
	defer f.Close()
	row := make(table.Row, len(ts.Columns))
	err = scanTable(bufio.NewReaderSize(f, 1<<20), ts, func(rec []string, fieldPos func(int) (int, int)) error {
		if err := parseRecord(row, rec, ts, fieldPos); err != nil {
			return err
		}
		return fn(row)
	})
	if err != nil {
		return true, fmt.Errorf("read %s: %w", p, err)
	}
	return true, nil
}

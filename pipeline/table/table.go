// Package table holds the typed tables that every writer consumes, and the one canonical text
// form of a cell that the golden dumps and the cross-format row digests use. A table keeps its
// rows encoded, in primary-key order; past a few megabytes it keeps them in temporary files
// (see Set.Spill), so that a set of millions of rows is written and read in bounded memory.
package table

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/plandata/plandata/schemas"
)

// Row is one row; cell i belongs to column i of the table's schema. A nil cell is NULL;
// otherwise the Go type follows the column type: string (text), int64 (integer),
// float64 (double), time.Time at UTC midnight (date), []string (text_list).
type Row []any

// Info describes the release a Set is written for. Writers use it for document properties
// and README texts; it never comes from the wall clock inside the library.
type Info struct {
	Dataset   string    // file name stem, "plandata"
	ReleaseID string    // e.g. 2026-11-27-3f9a1c2b7d10
	Date      time.Time // release date (from SOURCE_DATE_EPOCH when set), UTC
	Version   string    // pipeline version
}

// Set is every table of a release, in schema order.
type Set struct {
	Schema *schemas.Set
	Tables []*Table
}

// NewSet returns a Set with an empty table for every declared table, held in memory.
func NewSet(s *schemas.Set) *Set {
	set := &Set{Schema: s}
	for _, ts := range s.Tables {
		set.Tables = append(set.Tables, New(ts))
	}
	return set
}

// Spill makes every table of the set keep its rows in unlinked temporary files in dir once
// they pass a few megabytes. Call it before rows are appended.
func (s *Set) Spill(dir string) {
	for _, t := range s.Tables {
		t.Spill(dir)
	}
}

// Close releases the temporary files of every table; the set is empty afterwards.
func (s *Set) Close() {
	for _, t := range s.Tables {
		t.Reset()
	}
}

// Table returns the named table or nil.
func (s *Set) Table(name string) *Table {
	for _, t := range s.Tables {
		if t.Name() == name {
			return t
		}
	}
	return nil
}

// Date returns the date y-m-d as a cell value.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func checkCell(c schemas.Column, v any) error {
	if v == nil {
		if c.Required {
			return fmt.Errorf("NULL in a required column")
		}
		return nil
	}
	ok := false
	switch c.Type {
	case schemas.Text:
		var s string
		s, ok = v.(string)
		if ok && s == "" {
			return fmt.Errorf("empty text (use NULL)")
		}
	case schemas.Integer:
		_, ok = v.(int64)
	case schemas.Double:
		var f float64
		f, ok = v.(float64)
		if ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return fmt.Errorf("non-finite double")
		}
	case schemas.Date:
		var d time.Time
		d, ok = v.(time.Time)
		if ok && (d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0) {
			return fmt.Errorf("date %v is not UTC midnight", d)
		}
	case schemas.TextList:
		var l []string
		l, ok = v.([]string)
		if ok && len(l) == 0 {
			return fmt.Errorf("empty list (use NULL)")
		}
		for _, s := range l {
			if s == "" || strings.Contains(s, ";") {
				return fmt.Errorf("list item %q is empty or holds ';'", s)
			}
		}
	}
	if !ok {
		return fmt.Errorf("%T is not a %s", v, c.Type)
	}
	return nil
}

// Canon is the canonical text of a cell: NULL is "null", text and lists are JSON, integers
// and doubles use the shortest exact decimal form, dates are YYYY-MM-DD. Every format's
// reader maps its cells back to Go values and through Canon, so equal data gives equal text.
func Canon(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string, []string:
		// JSON without HTML escaping, so that text such as ">=" stays readable.
		return string(AppendCanon(nil, x))
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.Format("2006-01-02")
	default:
		panic(fmt.Sprintf("table: no canonical form for %T", v))
	}
}

// CanonRow joins the canonical cells of a row with tabs.
func CanonRow(r Row) string { return string(AppendCanonRow(nil, r)) }

// Dump is the canonical text of a table: the header, then one line per row, rows sorted.
// Golden files and test comparisons use it; a table that cannot be read dumps as the error.
func Dump(t *Table) string {
	var l lines
	err := t.Scan(func(r Row) error {
		l.buf = AppendCanonRow(l.buf, r)
		l.ends = append(l.ends, len(l.buf))
		return nil
	})
	if err != nil {
		return "error: " + err.Error()
	}
	names := make([]string, len(t.Schema.Columns))
	for i, c := range t.Schema.Columns {
		names[i] = c.Name
	}
	var b strings.Builder
	b.Grow(len(l.buf) + len(l.ends) + 256)
	b.WriteString(strings.Join(names, "\t"))
	b.WriteByte('\n')
	for _, i := range l.sorted() {
		b.Write(l.line(int(i)))
		b.WriteByte('\n')
	}
	return b.String()
}

// Digest is an order-independent sha256 of a table's rows: the hash of the sorted canonical
// rows. Two formats that hold the same rows give the same digest.
func Digest(t *Table) (string, error) {
	d := &Digester{SpillDir: t.spillDir}
	if err := t.Scan(d.Add); err != nil {
		return "", err
	}
	return d.Sum()
}

// Package duckdb writes and reads the DuckDB database of a release: one file holding every
// declared table with its primary key and comments, the tasks_flat view, and a few views for
// people who query the file (see views.go), among them foreign_keys, which lists how the
// tables reference each other.
//
// The DDL and every comment are derived from package schemas. Every table is created with its
// primary key before any row is loaded; rows are then loaded in key order, two tables at a
// time (see load.go), as Arrow record batches (rows_arrow.go, built with the duckdb_arrow tag,
// which the Makefile sets) or else through DuckDB's appender (rows_appender.go). The
// references between tables are not declared as FOREIGN KEY constraints: DuckDB indexes and
// checks every foreign key row by row as it loads, which took as long again as the rest of
// the load at a million measures and a third of the file. Every reference is checked once all
// rows are in (checkReferences), so a file with a dangling reference is never written.
// Views are not loaded: tasks_flat is created from the view_sql of its declaration, so Read
// returns the rows the view computes from the base tables, not the rows of the set it was
// given.
package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// Writer is the duckdb format.
type Writer struct{}

// Name is the format's short name.
func (Writer) Name() string { return "duckdb" }

// fileName is the name of the database file of a release.
func fileName(info table.Info) string { return info.Dataset + ".duckdb" }

// Write writes every table of set into one database file <dataset>.duckdb under dir. The file
// is built under a temporary name, checkpointed and closed, then renamed; on any error nothing
// is left behind.
func (Writer) Write(dir string, set *table.Set, info table.Info) ([]string, error) {
	if info.Dataset == "" {
		return nil, errors.New("write duckdb: no dataset name")
	}
	name := fileName(info)
	path := filepath.Join(dir, name)
	tmp, commit, abort, err := atomic.Path(path)
	if err != nil {
		return nil, err
	}
	err = create(tmp, set)
	if _, serr := os.Stat(tmp + ".wal"); err == nil && serr == nil {
		err = errors.New("write-ahead log left after closing: database not checkpointed")
	}
	if err != nil {
		abort()
		removeSidecars(tmp)
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	removeSidecars(tmp)
	if err := commit(); err != nil {
		return nil, err
	}
	return []string{name}, nil
}

// removeSidecars removes what DuckDB may keep beside a database file: the write-ahead log of
// one that was not closed cleanly, and the folder of temporary files (temp_directory).
func removeSidecars(path string) {
	os.Remove(path + ".wal")
	os.RemoveAll(path + ".tmp")
}

// create builds the database at path and closes it, checking every error on the way.
func create(path string, set *table.Set) (err error) {
	ctx := context.Background()
	c, err := connect(path, "")
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	db := sql.OpenDB(c)
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close database: %w", cerr)
		}
	}()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		if cerr := conn.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close connection: %w", cerr)
		}
	}()
	if err := configure(ctx, conn, path); err != nil {
		return err
	}
	if err := fill(ctx, db, conn, set); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// connect opens the database at path with the given DSN options. The driver reads a DSN as
// path?options, so a path holding '?' would silently open another file.
func connect(path, options string) (*duckdb.Connector, error) {
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("database path %q holds '?', which the driver cannot open", path)
	}
	if options != "" {
		path += "?" + options
	}
	return duckdb.NewConnector(path, nil)
}

// readOptions open a release read-only, with DuckDB's buffer manager bounded as when
// writing, so that the blocks it caches while a large table is read are evicted in time.
const readOptions = "access_mode=read_only&threads=1&memory_limit=" + readMemoryLimit

// fill creates the tables, loads them, checks the references between them, and creates the
// views.
func fill(ctx context.Context, db *sql.DB, conn *sql.Conn, set *table.Set) error {
	tables := baseTables(set.Schema)
	for _, ts := range tables {
		if set.Table(ts.Name) == nil {
			return fmt.Errorf("table %s missing from the set", ts.Name)
		}
		if err := execAll(ctx, conn, createTable(ts)); err != nil {
			return err
		}
	}
	if err := load(ctx, db, set, tables); err != nil {
		return err
	}
	if err := checkReferences(ctx, conn, tables); err != nil {
		return err
	}
	for _, ts := range set.Schema.Tables {
		if !ts.View {
			continue
		}
		if strings.TrimSpace(ts.ViewSQL) == "" {
			return fmt.Errorf("view %s: no view_sql in its declaration", ts.Name)
		}
		if err := createView(ctx, conn, viewOf(ts)); err != nil {
			return err
		}
	}
	for _, v := range append(slices.Clone(extraViews), foreignKeysView(tables)) {
		if set.Schema.Table(v.Name) != nil {
			return fmt.Errorf("view %s: a declared table has the same name", v.Name)
		}
		if err := createView(ctx, conn, v); err != nil {
			return err
		}
	}
	return nil
}

func execAll(ctx context.Context, conn *sql.Conn, stmts []string) error {
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// baseTables lists the tables of s that are not views, in declaration order.
func baseTables(s *schemas.Set) []*schemas.Table {
	var out []*schemas.Table
	for _, t := range s.Tables {
		if !t.View {
			out = append(out, t)
		}
	}
	return out
}

// sqlType maps a column type to its DuckDB type.
func sqlType(t schemas.Type) string {
	switch t {
	case schemas.Text:
		return "VARCHAR"
	case schemas.Integer:
		return "BIGINT"
	case schemas.Double:
		return "DOUBLE"
	case schemas.Date:
		return "DATE"
	case schemas.TextList:
		return "VARCHAR[]"
	}
	panic(fmt.Sprintf("duckdb: no SQL type for %q", t))
}

// ident quotes an identifier; lit quotes a string literal.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func lit(s string) string   { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

func identList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = ident(s)
	}
	return strings.Join(q, ", ")
}

// comment is the text of a table's or column's comment.
func comment(en, zh string) string { return en + " / " + zh }

// createTable is the DDL of a base table and its comments. The comment of a column that
// references another table's key names it.
func createTable(t *schemas.Table) []string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", ident(t.Name))
	var lines []string
	for _, c := range t.Columns {
		l := "  " + ident(c.Name) + " " + sqlType(c.Type)
		if c.Required {
			l += " NOT NULL"
		}
		lines = append(lines, l)
	}
	lines = append(lines, "  PRIMARY KEY ("+identList(t.PrimaryKey)+")")
	b.WriteString(strings.Join(lines, ",\n"))
	b.WriteString("\n)")
	stmts := []string{b.String(), fmt.Sprintf("COMMENT ON TABLE %s IS %s", ident(t.Name), lit(comment(t.DescriptionEN, t.DescriptionZH)))}
	for _, c := range t.Columns {
		en, zh := c.DescriptionEN, c.DescriptionZH
		if c.References != "" {
			ref := c.RefTable() + "." + c.RefColumn()
			en, zh = en+" References "+ref+".", zh+"引用 "+ref+"。"
		}
		stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s",
			ident(t.Name), ident(c.Name), lit(comment(en, zh))))
	}
	return stmts
}

// view is a view with its SQL and comments.
type view struct {
	Name, DescriptionEN, DescriptionZH string
	SQL                                string
	Columns                            []viewColumn
}

type viewColumn struct {
	Name, Type, DescriptionEN, DescriptionZH string // Type is the DuckDB type
}

// viewOf is the view a declared table describes.
func viewOf(t *schemas.Table) view {
	v := view{Name: t.Name, DescriptionEN: t.DescriptionEN, DescriptionZH: t.DescriptionZH, SQL: t.ViewSQL}
	for _, c := range t.Columns {
		v.Columns = append(v.Columns, viewColumn{c.Name, sqlType(c.Type), c.DescriptionEN, c.DescriptionZH})
	}
	return v
}

// createView creates v, checks that it has exactly the declared columns and types, and
// comments it.
func createView(ctx context.Context, conn *sql.Conn, v view) error {
	stmt := fmt.Sprintf("CREATE VIEW %s AS\n%s", ident(v.Name), strings.TrimRight(strings.TrimSpace(v.SQL), ";"))
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("create view %s: %w", v.Name, err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index`, v.Name)
	if err != nil {
		return fmt.Errorf("view %s: columns: %w", v.Name, err)
	}
	defer rows.Close()
	var got, want []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return fmt.Errorf("view %s: columns: %w", v.Name, err)
		}
		got = append(got, name+" "+typ)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("view %s: columns: %w", v.Name, err)
	}
	for _, c := range v.Columns {
		want = append(want, c.Name+" "+c.Type)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("view %s has columns [%s], declared [%s]", v.Name, strings.Join(got, ", "), strings.Join(want, ", "))
	}
	stmts := []string{fmt.Sprintf("COMMENT ON VIEW %s IS %s", ident(v.Name), lit(comment(v.DescriptionEN, v.DescriptionZH)))}
	for _, c := range v.Columns {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s",
			ident(v.Name), ident(c.Name), lit(comment(c.DescriptionEN, c.DescriptionZH))))
	}
	return execAll(ctx, conn, stmts)
}

// Read reads every declared table back from <dataset>.duckdb under dir, opened read-only.
// Base tables and views alike are selected in primary-key order, so tasks_flat holds the
// rows the view computes.
func (Writer) Read(dir string, s *schemas.Set, info table.Info) (set *table.Set, err error) {
	path := filepath.Join(dir, fileName(info))
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	c, err := connect(path, readOptions)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	db := sql.OpenDB(c)
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("read %s: close: %w", path, cerr)
		}
	}()
	set = table.NewSet(s)
	for _, t := range set.Tables {
		if err := scanTable(db, t.Schema, true, t.Append); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	return set, nil
}

// scanTable calls fn with every row of a table or view, in primary-key order when sorted is
// set; the row is reused.
func scanTable(db *sql.DB, ts *schemas.Table, sorted bool, fn func(table.Row) error) error {
	cols := make([]string, len(ts.Columns))
	for i, c := range ts.Columns {
		cols[i] = c.Name
	}
	q := fmt.Sprintf("SELECT %s FROM %s", identList(cols), ident(ts.Name))
	if !ts.View && !sorted {
		// The driver holds a query's whole result: a base table is read in ranges of its
		// row ids, so that a table of millions of rows costs the memory of a range.
		var end sql.NullInt64
		if err := db.QueryRow("SELECT max(rowid) + 1 FROM " + ident(ts.Name)).Scan(&end); err != nil {
			return fmt.Errorf("table %s: %w", ts.Name, err)
		}
		for lo := int64(0); lo < end.Int64; lo += int64(viewSliceRows) {
			if err := scanQuery(db, ts, q+" WHERE rowid >= ? AND rowid < ?", []any{lo, lo + int64(viewSliceRows)}, fn); err != nil {
				return err
			}
		}
		return nil
	}
	if !ts.View || len(ts.PrimaryKey) != 1 {
		if sorted {
			q += " ORDER BY " + identList(ts.PrimaryKey)
		}
		return scanQuery(db, ts, q, nil, fn)
	}
	// A view joins aggregates of whole tables: evaluated at once over a million tasks it
	// takes DuckDB gigabytes. Read in ranges of its key, each query aggregates only the rows
	// of its range (DuckDB pushes the range into the joined tables), in the key's order.
	key := ident(ts.PrimaryKey[0])
	bounds, err := db.Query(fmt.Sprintf("SELECT k FROM (SELECT %s AS k, row_number() OVER (ORDER BY %s) AS n FROM %s) WHERE (n - 1) %% %d = 0 ORDER BY k",
		key, key, ident(ts.Name), viewSliceRows))
	if err != nil {
		return fmt.Errorf("table %s: %w", ts.Name, err)
	}
	var starts []any
	for bounds.Next() {
		var k any
		if err := bounds.Scan(&k); err != nil {
			bounds.Close()
			return fmt.Errorf("table %s: %w", ts.Name, err)
		}
		starts = append(starts, k)
	}
	if err := bounds.Close(); err != nil {
		return fmt.Errorf("table %s: %w", ts.Name, err)
	}
	for i, lo := range starts {
		qi, args := q+" WHERE "+key+" >= ?", []any{lo}
		if i+1 < len(starts) {
			qi, args = qi+" AND "+key+" < ?", append(args, starts[i+1])
		}
		if sorted {
			qi += " ORDER BY " + key
		}
		if err := scanQuery(db, ts, qi, args, fn); err != nil {
			return err
		}
	}
	return nil
}

// viewSliceRows is the number of rows of a table or view read by one query.
var viewSliceRows = 100_000

// scanQuery runs q and calls fn with every row, converted to the column types of ts.
func scanQuery(db *sql.DB, ts *schemas.Table, q string, args []any, fn func(table.Row) error) error {
	rows, err := db.Query(q, args...)
	if err != nil {
		return fmt.Errorf("table %s: %w", ts.Name, err)
	}
	defer rows.Close()
	r := make(table.Row, len(ts.Columns))
	ptrs := make([]any, len(ts.Columns))
	for i := range r {
		ptrs[i] = &r[i]
	}
	for n := 0; rows.Next(); n++ {
		clear(r)
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("table %s row %d: %w", ts.Name, n, err)
		}
		for i, c := range ts.Columns {
			if r[i], err = cell(c.Type, r[i]); err != nil {
				return fmt.Errorf("table %s row %d column %s: %w", ts.Name, n, c.Name, err)
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("table %s: %w", ts.Name, err)
	}
	return nil
}

// cell converts a scanned value to the Go type of a table.Row cell.
func cell(t schemas.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	ok := false
	switch t {
	case schemas.Text:
		_, ok = v.(string)
	case schemas.Integer:
		_, ok = v.(int64)
	case schemas.Double:
		_, ok = v.(float64)
	case schemas.Date:
		if d, isTime := v.(time.Time); isTime {
			y, m, day := d.UTC().Date()
			return table.Date(y, m, day), nil
		}
	case schemas.TextList:
		if l, isList := v.([]any); isList {
			out := make([]string, len(l))
			for i, x := range l {
				s, isString := x.(string)
				if !isString {
					return nil, fmt.Errorf("list item %d is %T, not text", i, x)
				}
				out[i] = s
			}
			return out, nil
		}
	}
	if !ok {
		return nil, fmt.Errorf("%T is not a %s", v, t)
	}
	return v, nil
}

// ScanTable calls fn with every row of one table or view as Read reads it, without holding
// the table; the row passed to fn is reused. Rows come in the order DuckDB reads them, not
// sorted, since the caller needs the rows, not their order.
func (Writer) ScanTable(dir string, ts *schemas.Table, info table.Info, fn func(table.Row) error) (found bool, err error) {
	path := filepath.Join(dir, fileName(info))
	if _, err := os.Stat(path); err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	c, err := connect(path, readOptions)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	db := sql.OpenDB(c)
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("read %s: close: %w", path, cerr)
		}
	}()
	if err := scanTable(db, ts, false, fn); err != nil {
		return true, fmt.Errorf("read %s: %w", path, err)
	}
	return true, nil
}

//go:build !duckdb_arrow

package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/plandata/plandata/pipeline/table"
)

// loadRows streams the rows of t through DuckDB's appender, one value at a time: the path
// taken when the program is built without the duckdb_arrow tag, which the Makefile sets (see
// rows_arrow.go). A segment ends when the appender is closed, which commits its rows.
func (l *loader) loadRows(ctx context.Context, conn driver.Conn, t *table.Table) error {
	var a *duckdb.Appender
	closeAppender := func(err error) error {
		if err != nil {
			a.Clear()
		}
		if cerr := a.Close(); cerr != nil && err == nil {
			err = cerr
		}
		a = nil
		l.gate.RUnlock()
		return err
	}
	args := make([]driver.Value, len(t.Schema.Columns))
	i, n := 0, 0
	err := t.Scan(func(r table.Row) error {
		if a == nil {
			if l.failed() {
				return errStopped
			}
			l.gate.RLock()
			var err error
			if a, err = duckdb.NewAppenderFromConn(conn, "", t.Name()); err != nil {
				l.gate.RUnlock()
				return err
			}
		}
		for j, v := range r {
			args[j] = v
		}
		if err := a.AppendRow(args...); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		i++
		if n++; n < segmentRows {
			return nil
		}
		if err := closeAppender(nil); err != nil {
			return fmt.Errorf("rows %d to %d: %w", i-n, i-1, err)
		}
		err := l.segmentDone(ctx, conn, n)
		n = 0
		return err
	})
	if a != nil {
		if cerr := closeAppender(err); cerr != nil && err == nil {
			err = fmt.Errorf("rows %d to %d: %w", i-n, i-1, cerr)
		}
	}
	if err != nil {
		return err
	}
	return l.segmentDone(ctx, conn, n)
}

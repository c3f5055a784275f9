//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// batchRows is the number of rows of an Arrow record batch; a segment is a whole number of
// batches, segmentRows rows or the first batch past them.
const batchRows = 1 << 16

// loadRows streams the rows of t to DuckDB as Arrow record batches. A goroutine scans the
// table and fills the batches; the loader inserts them a segment at a time with INSERT INTO t
// SELECT * FROM a view over an Arrow stream of the segment's batches. DuckDB then copies whole
// columns, where its appender takes one value per call through cgo: at a million measures
// the rows without keys load in about a third of the appender's time. Each INSERT commits
// its segment.
func (l *loader) loadRows(ctx context.Context, conn driver.Conn, t *table.Table) (err error) {
	ar, err := duckdb.NewArrowFromConn(conn)
	if err != nil {
		return err
	}
	schema, err := arrowSchema(t.Schema)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan arrow.RecordBatch, 1)
	produced := make(chan error, 1)
	go func() { produced <- produce(ctx, t, schema, min(batchRows, segmentRows), batches) }()
	defer func() {
		cancel()
		for b := range batches {
			b.Release()
		}
		if perr := <-produced; err == nil {
			err = perr
		}
	}()
	view := "plandata_load_" + t.Name()
	insert := "INSERT INTO " + ident(t.Name()) + " SELECT * FROM " + ident(view)
	exec := conn.(driver.ExecerContext)
	first := 0
	for {
		b, ok := <-batches
		if !ok {
			return nil
		}
		if l.failed() {
			b.Release()
			return errStopped
		}
		seg := &segment{schema: schema, next: b, in: batches, left: segmentRows}
		l.gate.RLock()
		release, err := ar.RegisterView(seg, view)
		if err == nil {
			_, err = exec.ExecContext(ctx, insert, nil)
			// The view RegisterView creates is an ordinary one, kept in the file.
			if _, derr := exec.ExecContext(context.WithoutCancel(ctx), "DROP VIEW "+ident(view), nil); err == nil {
				err = derr
			}
			release()
		}
		l.gate.RUnlock()
		seg.close()
		if err != nil {
			return fmt.Errorf("rows %d to %d: %w", first, first+seg.rows-1, err)
		}
		first += seg.rows
		if err := l.segmentDone(ctx, conn, seg.rows); err != nil {
			return err
		}
	}
}

// segment is the Arrow stream of one segment: the batch already taken from in, then further
// batches from in until it holds segmentRows rows or in is closed.
type segment struct {
	schema *arrow.Schema
	next   arrow.RecordBatch // taken from in, not handed out yet
	cur    arrow.RecordBatch // handed out by the last Next
	in     <-chan arrow.RecordBatch
	left   int // rows the segment may still take
	rows   int // rows handed out
}

func (s *segment) Retain()                        {}
func (s *segment) Release()                       {}
func (s *segment) Schema() *arrow.Schema          { return s.schema }
func (s *segment) Record() arrow.RecordBatch      { return s.cur }
func (s *segment) RecordBatch() arrow.RecordBatch { return s.cur }
func (s *segment) Err() error                     { return nil }

func (s *segment) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	if s.next == nil && s.left > 0 {
		if b, ok := <-s.in; ok {
			s.next = b
		}
	}
	if s.next == nil {
		return false
	}
	s.cur, s.next = s.next, nil
	n := int(s.cur.NumRows())
	s.rows += n
	s.left -= n
	return true
}

// close releases what DuckDB did not read, after an error.
func (s *segment) close() {
	for _, b := range []arrow.RecordBatch{s.cur, s.next} {
		if b != nil {
			b.Release()
		}
	}
	s.cur, s.next = nil, nil
}

// produce scans t into record batches of size rows and sends them to out, which it closes at
// the end.
func produce(ctx context.Context, t *table.Table, schema *arrow.Schema, size int, out chan<- arrow.RecordBatch) error {
	defer close(out)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	send := func() error {
		rec := b.NewRecordBatch()
		select {
		case out <- rec:
			return nil
		case <-ctx.Done():
			rec.Release()
			return ctx.Err()
		}
	}
	n := 0
	err := t.Scan(func(r table.Row) error {
		for j, v := range r {
			if err := appendArrow(b.Field(j), v); err != nil {
				return fmt.Errorf("column %s: %w", t.Schema.Columns[j].Name, err)
			}
		}
		if n++; n < size {
			return nil
		}
		n = 0
		return send()
	})
	if err == nil && n > 0 {
		err = send()
	}
	return err
}

// arrowSchema is the Arrow schema of a table's rows, in the types DuckDB reads as the table's
// column types (VARCHAR, BIGINT, DOUBLE, DATE, VARCHAR[]).
func arrowSchema(t *schemas.Table) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		var dt arrow.DataType
		switch c.Type {
		case schemas.Text:
			dt = arrow.BinaryTypes.String
		case schemas.Integer:
			dt = arrow.PrimitiveTypes.Int64
		case schemas.Double:
			dt = arrow.PrimitiveTypes.Float64
		case schemas.Date:
			dt = arrow.FixedWidthTypes.Date32
		case schemas.TextList:
			dt = arrow.ListOf(arrow.BinaryTypes.String)
		default:
			return nil, fmt.Errorf("table %s column %s: no Arrow type for %q", t.Name, c.Name, c.Type)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: dt, Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// appendArrow appends one cell to the builder of its column.
func appendArrow(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	ok := true
	switch x := v.(type) {
	case string:
		var sb *array.StringBuilder
		if sb, ok = b.(*array.StringBuilder); ok {
			sb.Append(x)
		}
	case int64:
		var ib *array.Int64Builder
		if ib, ok = b.(*array.Int64Builder); ok {
			ib.Append(x)
		}
	case float64:
		var fb *array.Float64Builder
		if fb, ok = b.(*array.Float64Builder); ok {
			fb.Append(x)
		}
	case time.Time:
		var db *array.Date32Builder
		if db, ok = b.(*array.Date32Builder); ok {
			db.Append(arrow.Date32FromTime(x))
		}
	case []string:
		var lb *array.ListBuilder
		if lb, ok = b.(*array.ListBuilder); ok {
			lb.Append(true)
			vb := lb.ValueBuilder().(*array.StringBuilder)
			for _, s := range x {
				vb.Append(s)
			}
		}
	default:
		ok = false
	}
	if !ok {
		return fmt.Errorf("a %T in a column of Arrow type %s", v, b.Type())
	}
	return nil
}

// Package parquet writes and reads the Parquet files of a release: parquet/<table>.parquet for
// every table of the set, tasks_flat included.
//
// The Arrow schema of each file is derived from the table's declaration in schemas: text is
// utf8, integer int64, double float64, date date32, text_list a list of utf8 with non-null
// elements; a column is nullable unless it is required. Each field carries its English and
// Chinese description in its metadata (keys description and description_zh), and the schema
// carries the table's descriptions under the same keys. The Arrow schema is stored in the file
// (ARROW:schema) so that readers get the field metadata back.
//
// Files are zstd-compressed and carry no timestamps: created_by is "plandata version
// <pipeline version>", so the same set written by the same pipeline version gives the same
// bytes. A table is written while it is scanned, one row group of batchRows rows at a time,
// so that memory does not grow with the table; the tables of a set are written in parallel,
// a file each, and a file's bytes do not depend on which tables are written beside it. Each
// column is dictionary-encoded or not as its first rows suggest (see sampleRows).
package parquet

import (
	"bufio"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// folder holds the files under the release folder.
const folder = "parquet"

// Metadata keys of the descriptions, on every field and on the schema.
const (
	keyDescription   = "description"
	keyDescriptionZH = "description_zh"
)

// Writer is the parquet format.
type Writer struct{}

// Name is the format's short name.
func (Writer) Name() string { return "parquet" }

// Write writes every table of set under dir as parquet/<table>.parquet.
func (Writer) Write(dir string, set *table.Set, info table.Info) ([]string, error) {
	return write(dir, set, info, memory.DefaultAllocator)
}

// Read reads back what Write wrote: every declared table that has a file under dir, in
// schema order. A table without a file is left out of the set; a missing parquet folder is an
// error.
func (Writer) Read(dir string, s *schemas.Set, info table.Info) (*table.Set, error) {
	return read(dir, s, memory.DefaultAllocator)
}

// rel is the path of a table's file relative to the release folder.
func rel(name string) string { return folder + "/" + name + ".parquet" }

func write(dir string, set *table.Set, info table.Info, mem memory.Allocator) ([]string, error) {
	return writeTables(dir, set.Tables, info, mem, runtime.GOMAXPROCS(0))
}

// writeTables writes every table to its own file, workers tables at a time. Each file's
// bytes depend only on its table, never on the order in which the tables are written. The
// first error is returned: it stops the tables not yet started and cancels those being
// written, whose temporary files are removed; files already complete stay.
func writeTables(dir string, tables []*table.Table, info table.Info, mem memory.Allocator, workers int) ([]string, error) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)

	// The largest tables first, so that the workers finish at about the same time.
	order := slices.Clone(tables)
	size := func(t *table.Table) int { return t.Len() * len(t.Schema.Columns) }
	slices.SortStableFunc(order, func(a, b *table.Table) int { return cmp.Compare(size(b), size(a)) })
	jobs := make(chan *table.Table, len(order))
	for _, t := range order {
		jobs <- t
	}
	close(jobs)

	var wg sync.WaitGroup
	for range max(1, min(workers, len(order))) {
		wg.Go(func() {
			for t := range jobs {
				if ctx.Err() != nil {
					return
				}
				p := filepath.Join(dir, filepath.FromSlash(rel(t.Name())))
				err := atomic.WriteFile(p, func(w io.Writer) error {
					return writeTable(ctx, w, t, info, mem)
				})
				if err != nil {
					cancel(fmt.Errorf("write %s: %w", p, err)) // only the first cause is kept
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	files := make([]string, len(tables))
	for i, t := range tables {
		files[i] = rel(t.Name())
	}
	slices.Sort(files)
	return files, nil
}

// createdBy is the writer name recorded in every file. It names the pipeline version and
// nothing that changes from one build to the next.
func createdBy(info table.Info) string {
	if info.Version == "" {
		return "plandata"
	}
	return "plandata version " + info.Version
}

// noClose hides the Close method of the file: the Parquet writer's Close closes its sink,
// but the file belongs to atomic.WriteFile, which syncs and closes it.
type noClose struct{ io.Writer }

// batchRows is the number of rows of each batch, and so of each row group: a table is
// collected and written one batch at a time, so that the values held at once do not grow
// with the table.
var batchRows = 128 << 10

// writeTable writes one table as a complete parquet file to w: one row group per batchRows
// rows, each collected while the table is scanned. It stops with the cause when ctx is
// cancelled.
func writeTable(ctx context.Context, w io.Writer, t *table.Table, info table.Info, mem memory.Allocator) error {
	b := newBatch(t.Schema, min(batchRows, t.Len()))
	bw := bufio.NewWriterSize(w, 1<<20)

	// The writer is made once the first batch is collected: its settings depend on the data.
	var fw *file.Writer
	sample := sampler{total: t.Len()}
	flush := func() error {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		if fw == nil {
			var err error
			if fw, err = newFileWriter(noClose{bw}, t.Schema, writerProperties(t.Schema, &sample, info, mem)); err != nil {
				return err
			}
		}
		return b.write(fw)
	}
	err := t.Scan(func(r table.Row) error {
		if fw == nil {
			sample.add(r)
		}
		b.append(r)
		if b.n < batchRows {
			return nil
		}
		return flush()
	})
	// The last batch; an empty table is written as one empty row group.
	if err == nil && (b.n > 0 || fw == nil) {
		err = flush()
	}
	if err != nil {
		if fw != nil {
			fw.Close() // releases the writer's buffers; the file is abandoned
		}
		return err
	}
	// Close writes the footer; without it the file is not a parquet file.
	if err := fw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// newFileWriter starts a parquet file for table ts on w: its Parquet schema, its
// descriptions and the Arrow schema (ARROW:schema, base64 of the IPC form), as pqarrow
// writes them.
func newFileWriter(w io.Writer, ts *schemas.Table, props *parquet.WriterProperties) (*file.Writer, error) {
	sc := arrowSchema(ts)
	arrowProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(props.Allocator()))
	pqschema, err := pqarrow.ToParquet(sc, props, arrowProps)
	if err != nil {
		return nil, err
	}
	md := sc.Metadata()
	meta := make(metadata.KeyValueMetadata, 0, md.Len()+1)
	for i, k := range md.Keys() {
		meta.Append(k, md.Values()[i])
	}
	meta.Append("ARROW:schema", base64.StdEncoding.EncodeToString(flight.SerializeSchema(sc, props.Allocator())))
	return file.NewParquetWriterWithError(w, pqschema.Root(), file.WithWriterProps(props), file.WithWriteMetadata(meta))
}

// writerProperties are the Parquet settings of a table's file, whose first rows went through
// sample.
func writerProperties(t *schemas.Table, sample *sampler, info table.Info, mem memory.Allocator) *parquet.WriterProperties {
	opts := []parquet.WriterProperty{
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCreatedBy(createdBy(info)),
		parquet.WithVersion(parquet.V2_6),
		parquet.WithDataPageVersion(parquet.DataPageV1),
		parquet.WithDictionaryPageSizeLimit(math.MaxInt64),
	}
	for j, c := range t.Columns {
		if !sample.dictionary(j) {
			path := c.Name
			if c.Type == schemas.TextList {
				path += ".list.element" // the leaf column, as arrowType names it
			}
			opts = append(opts, parquet.WithDictionaryFor(path, false))
		}
	}
	return parquet.NewWriterProperties(opts...)
}

// Dictionary encoding stores each distinct value of a column chunk once and the values as
// small indices. It pays for columns whose values come back after others (confidence, roles,
// agencies, source ids): for ids, summaries and URLs it only costs time (every value is
// hashed) and space, and for a column in key order, whose equal values stand together, zstd
// does as well on the plain values as on the indices. The Parquet writer would fall back to
// plain encoding in the middle of a column chunk whose dictionary grows past a limit, but it
// then records the page encodings of the chunk in map order, so that the same rows would not
// give the same bytes. The limit is lifted instead (a dictionary can grow no larger than the
// text of one batch), and the choice is made per column, from the first sampleRows rows of
// the table:
//   - a column is dictionary-encoded when it has at most half as many distinct values as runs
//     of equal values (NULLs not counted; for a list, its elements one after another);
//   - in a table that fits in the sample, also every column whose values take less than
//     parquet.DefaultDictionaryPageSizeLimit, as the writer's default does: its dictionary
//     could not have reached the limit.
const sampleRows = 4096

// sampler collects what the encoding of each column is chosen from: the first sampleRows
// rows of a table, or its first batch if that is shorter.
type sampler struct {
	total int // rows of the table
	rows  int // rows sampled
	cols  []sampleColumn
}

type sampleColumn struct {
	runs  int // of equal values
	last  any
	bytes int // of the values, as a dictionary would hold them (4 bytes of length for text)
	seen  map[any]struct{}
}

func (c *sampleColumn) add(v any, size int) {
	if c.runs == 0 || v != c.last {
		c.runs++
		c.last = v
	}
	c.bytes += size
	c.seen[v] = struct{}{}
}

func (s *sampler) add(r table.Row) {
	if s.rows >= sampleRows {
		return
	}
	if s.cols == nil {
		s.cols = make([]sampleColumn, len(r))
		for j := range s.cols {
			s.cols[j].seen = map[any]struct{}{}
		}
	}
	s.rows++
	for j, v := range r {
		c := &s.cols[j]
		switch x := v.(type) {
		case nil:
		case string:
			c.add(x, 4+len(x))
		case []string:
			for _, e := range x {
				c.add(e, 4+len(e))
			}
		default: // int64, float64, time.Time
			c.add(x, 8)
		}
	}
}

// dictionary reports whether column j is to be dictionary-encoded.
func (s *sampler) dictionary(j int) bool {
	if s.rows == 0 {
		return true // an empty table: nothing to encode
	}
	c := &s.cols[j]
	if c.runs > 0 && 2*len(c.seen) <= c.runs {
		return true
	}
	return s.rows == s.total && c.bytes < int(parquet.DefaultDictionaryPageSizeLimit)
}

// arrowSchema derives the Arrow schema of a table from its declaration.
func arrowSchema(t *schemas.Table) *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = arrow.Field{
			Name:     c.Name,
			Type:     arrowType(c.Type),
			Nullable: !c.Required,
			Metadata: descriptions(c.DescriptionEN, c.DescriptionZH),
		}
	}
	md := descriptions(t.DescriptionEN, t.DescriptionZH)
	return arrow.NewSchema(fields, &md)
}

func descriptions(en, zh string) arrow.Metadata {
	return arrow.NewMetadata([]string{keyDescription, keyDescriptionZH}, []string{en, zh})
}

// arrowType maps a column type to its Arrow type. List elements are named "element", as
// Parquet names them, so that the schema read back equals the schema written.
func arrowType(t schemas.Type) arrow.DataType {
	switch t {
	case schemas.Text:
		return arrow.BinaryTypes.String
	case schemas.Integer:
		return arrow.PrimitiveTypes.Int64
	case schemas.Double:
		return arrow.PrimitiveTypes.Float64
	case schemas.Date:
		return arrow.FixedWidthTypes.Date32
	case schemas.TextList:
		return arrow.ListOfField(arrow.Field{Name: "element", Type: arrow.BinaryTypes.String})
	}
	panic(fmt.Sprintf("parquet: no Arrow type for column type %q", t))
}

// batch collects rows column by column in the form the Parquet column writers take: the
// values that are not NULL, and the definition levels (and, for lists, the repetition
// levels) that place them in rows. Text is not copied: each value points into the string of
// its cell.
type batch struct {
	cols []column
	n    int // rows appended since the last write
}

// column holds one column of a batch. The definition level of a row is 0 for NULL and 1 for a
// value; a required column has none. A list element's definition level is elemDef: 2, or 1
// in a required list (one less would be an empty list, which tables refuse); its repetition
// level is 0 for the first element of a row and 1 for the others.
type column struct {
	typ      schemas.Type
	required bool // no definition levels (text, integer, double, date)
	elemDef  int16
	def, rep []int16
	text     []parquet.ByteArray // text, and list elements
	ints     []int64
	doubles  []float64
	days     []int32 // dates, as days since 1970-01-01
}

// newBatch returns an empty batch with room for rows rows.
func newBatch(ts *schemas.Table, rows int) *batch {
	b := &batch{cols: make([]column, len(ts.Columns))}
	for j, c := range ts.Columns {
		col := column{typ: c.Type, required: c.Required && c.Type != schemas.TextList, elemDef: 2}
		switch c.Type {
		case schemas.Text:
			col.text = make([]parquet.ByteArray, 0, rows)
		case schemas.Integer:
			col.ints = make([]int64, 0, rows)
		case schemas.Double:
			col.doubles = make([]float64, 0, rows)
		case schemas.Date:
			col.days = make([]int32, 0, rows)
		case schemas.TextList:
			col.rep = make([]int16, 0, rows)
			if c.Required {
				col.elemDef = 1
			}
		}
		if !col.required {
			col.def = make([]int16, 0, rows)
		}
		b.cols[j] = col
	}
	return b
}

// bytesOf is the bytes of s, not copied: the column writers only read them.
func bytesOf(s string) parquet.ByteArray { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// append adds one row; its cells have the Go types of their columns (table.Append checked
// them).
func (b *batch) append(r table.Row) {
	for j := range b.cols {
		col := &b.cols[j]
		v := r[j]
		if v == nil {
			col.def = append(col.def, 0)
			if col.typ == schemas.TextList {
				col.rep = append(col.rep, 0)
			}
			continue
		}
		if !col.required && col.typ != schemas.TextList {
			col.def = append(col.def, 1)
		}
		switch col.typ {
		case schemas.Text:
			col.text = append(col.text, bytesOf(v.(string)))
		case schemas.Integer:
			col.ints = append(col.ints, v.(int64))
		case schemas.Double:
			col.doubles = append(col.doubles, v.(float64))
		case schemas.Date:
			col.days = append(col.days, int32(arrow.Date32FromTime(v.(time.Time))))
		case schemas.TextList:
			for k, e := range v.([]string) {
				col.def = append(col.def, col.elemDef)
				col.rep = append(col.rep, int16(min(k, 1)))
				col.text = append(col.text, bytesOf(e))
			}
		}
	}
	b.n++
}

// write writes the rows of the batch as the next row group of fw and empties the batch.
func (b *batch) write(fw *file.Writer) error {
	rg, err := fw.AppendRowGroupChecked()
	if err != nil {
		return err
	}
	for j := range b.cols {
		col := &b.cols[j]
		cw, err := rg.NextColumn()
		if err != nil {
			return err
		}
		def, rep := col.def, col.rep
		if col.required {
			def = nil
		}
		switch cw := cw.(type) {
		case *file.ByteArrayColumnChunkWriter:
			_, err = cw.WriteBatch(col.text, def, rep)
		case *file.Int64ColumnChunkWriter:
			_, err = cw.WriteBatch(col.ints, def, rep)
		case *file.Float64ColumnChunkWriter:
			_, err = cw.WriteBatch(col.doubles, def, rep)
		case *file.Int32ColumnChunkWriter:
			_, err = cw.WriteBatch(col.days, def, rep)
		default:
			err = fmt.Errorf("no values for column writer %T", cw)
		}
		if err != nil {
			return err
		}
		// The values are not needed any more: drop the references to the table's strings.
		clear(col.text)
		col.def, col.rep, col.text = col.def[:0], col.rep[:0], col.text[:0]
		col.ints, col.doubles, col.days = col.ints[:0], col.doubles[:0], col.days[:0]
	}
	b.n = 0
	return rg.Close()
}

func read(dir string, s *schemas.Set, mem memory.Allocator) (*table.Set, error) {
	root := filepath.Join(dir, folder)
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("read parquet: %w", err)
	}
	set := &table.Set{Schema: s}
	for _, ts := range s.Tables {
		p := filepath.Join(dir, filepath.FromSlash(rel(ts.Name)))
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		t := table.New(ts)
		if err := scanFile(p, ts, mem, t.Append); err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		set.Tables = append(set.Tables, t)
	}
	return set, nil
}

// checkSchema reports the first difference between the file's columns and the declaration:
// names, order, types and nullability must match. Descriptions may differ.
func checkSchema(sc *arrow.Schema, ts *schemas.Table) error {
	if sc.NumFields() != len(ts.Columns) {
		return fmt.Errorf("%d columns, want %d (%s)", sc.NumFields(), len(ts.Columns), columnNames(ts))
	}
	for i, c := range ts.Columns {
		f := sc.Field(i)
		switch {
		case f.Name != c.Name:
			return fmt.Errorf("column %d is %s, want %s", i+1, f.Name, c.Name)
		case !arrow.TypeEqual(f.Type, arrowType(c.Type)):
			return fmt.Errorf("column %s has type %s, want %s", c.Name, f.Type, arrowType(c.Type))
		case f.Nullable == c.Required:
			return fmt.Errorf("column %s: nullable is %t, want %t", c.Name, f.Nullable, !c.Required)
		}
	}
	return nil
}

func columnNames(ts *schemas.Table) string {
	names := make([]string, len(ts.Columns))
	for i, c := range ts.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// columnReader turns the values of one column of a record batch into cells. Text is copied
// out of the Arrow buffers, which are released after reading: once per column and batch,
// every cell a part of that copy.
type columnReader struct {
	arr   arrow.Array
	str   *array.String
	i64   *array.Int64
	f64   *array.Float64
	date  *array.Date32
	list  *array.List
	elems *array.String // values of list
	data  string        // the text of str, or of elems
	offs  []int32       // where each value of str or elems ends in data, from offs[0]
}

func newColumnReader(arr arrow.Array) columnReader {
	c := columnReader{arr: arr}
	switch a := arr.(type) {
	case *array.String:
		c.str = a
		c.data, c.offs = textOf(a)
	case *array.Int64:
		c.i64 = a
	case *array.Float64:
		c.f64 = a
	case *array.Date32:
		c.date = a
	case *array.List:
		c.list = a
		c.elems = a.ListValues().(*array.String)
		c.data, c.offs = textOf(c.elems)
	default:
		// checkSchema admits only the types above.
		panic(fmt.Sprintf("parquet: no cell conversion for %s", arr.DataType()))
	}
	return c
}

// textOf is a copy of the bytes that the values of a hold, and their offsets into it.
func textOf(a *array.String) (string, []int32) {
	offs := a.ValueOffsets()
	if len(offs) == 0 {
		return "", nil
	}
	return string(a.ValueBytes()), offs
}

// text is value i: offs[i] to offs[i+1] of data, offsets counted from offs[0].
func text(data string, offs []int32, i int) string {
	return data[offs[i]-offs[0] : offs[i+1]-offs[0]]
}

// cell is value i of the column in its table.Row form.
func (c *columnReader) cell(i int) any {
	if c.arr.IsNull(i) {
		return nil
	}
	switch {
	case c.str != nil:
		return text(c.data, c.offs, i)
	case c.i64 != nil:
		return c.i64.Value(i)
	case c.f64 != nil:
		return c.f64.Value(i)
	case c.date != nil:
		return c.date.Value(i).ToTime()
	}
	start, end := c.list.ValueOffsets(i)
	l := make([]string, 0, end-start)
	for k := start; k < end; k++ {
		l = append(l, text(c.data, c.offs, int(k)))
	}
	return l
}

// ScanTable calls fn with every row of one table as Read reads it, without holding the
// table: the file is read in batches and the row passed to fn is reused. found is false when
// the release has no file for the table.
func (Writer) ScanTable(dir string, ts *schemas.Table, info table.Info, fn func(table.Row) error) (found bool, err error) {
	p := filepath.Join(dir, filepath.FromSlash(rel(ts.Name)))
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err := scanFile(p, ts, memory.DefaultAllocator, fn); err != nil {
		return true, fmt.Errorf("read %s: %w", p, err)
	}
	return true, nil
}

// scanBatch is the number of rows read at a time by ScanTable.
const scanBatch = 64 << 10

// scanFile calls fn with every row of one parquet file with schema ts, a batch at a time.
func scanFile(path string, ts *schemas.Table, mem memory.Allocator, fn func(table.Row) error) error {
	pf, err := file.OpenParquetFile(path, false, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: scanBatch}, mem)
	if err != nil {
		return err
	}
	sc, err := fr.Schema()
	if err != nil {
		return err
	}
	if err := checkSchema(sc, ts); err != nil {
		return err
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	row := make(table.Row, len(ts.Columns))
	cols := make([]columnReader, len(ts.Columns))
	for rr.Next() {
		rec := rr.RecordBatch()
		for j := range cols {
			cols[j] = newColumnReader(rec.Column(j))
		}
		for i := range int(rec.NumRows()) {
			for j := range row {
				row[j] = cols[j].cell(i)
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	return rr.Err()
}

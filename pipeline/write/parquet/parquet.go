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
// Files are zstd-compressed, hold one row group, and carry no timestamps: created_by is
// "plandata version <pipeline version>", so the same set written by the same pipeline version
// gives the same bytes.
package parquet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
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
	if err := set.Check(); err != nil {
		return nil, fmt.Errorf("write parquet: %w", err)
	}
	var files []string
	for _, t := range set.Tables {
		p := filepath.Join(dir, filepath.FromSlash(rel(t.Name())))
		err := atomic.WriteFile(p, func(w io.Writer) error {
			return writeTable(w, t, info, mem)
		})
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		files = append(files, rel(t.Name()))
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

// noClose hides the Close method of the file: pqarrow's FileWriter.Close closes its sink,
// but the file belongs to atomic.WriteFile, which syncs and closes it.
type noClose struct{ io.Writer }

// writeTable writes one table as a complete parquet file to w.
func writeTable(w io.Writer, t *table.Table, info table.Info, mem memory.Allocator) error {
	sc := arrowSchema(t.Schema)
	rec := record(sc, t, mem)
	defer rec.Release()

	props := parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCreatedBy(createdBy(info)),
		parquet.WithVersion(parquet.V2_6),
		parquet.WithDataPageVersion(parquet.DataPageV1),
	)
	arrowProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem))
	bw := bufio.NewWriter(w)
	fw, err := pqarrow.NewFileWriter(sc, noClose{bw}, props, arrowProps)
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return err
	}
	// Close writes the footer; without it the file is not a parquet file.
	if err := fw.Close(); err != nil {
		return err
	}
	return bw.Flush()
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

// record builds one record batch holding every row of a checked table.
func record(sc *arrow.Schema, t *table.Table, mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for j := range t.Schema.Columns {
		fb := b.Field(j)
		fb.Reserve(len(t.Rows))
		for _, r := range t.Rows {
			v := r[j]
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.StringBuilder:
				fb.Append(v.(string))
			case *array.Int64Builder:
				fb.Append(v.(int64))
			case *array.Float64Builder:
				fb.Append(v.(float64))
			case *array.Date32Builder:
				fb.Append(arrow.Date32FromTime(v.(time.Time)))
			case *array.ListBuilder:
				fb.Append(true)
				vb := fb.ValueBuilder().(*array.StringBuilder)
				for _, s := range v.([]string) {
					vb.Append(s)
				}
			default:
				panic(fmt.Sprintf("parquet: no cell conversion for %T", fb))
			}
		}
	}
	return b.NewRecordBatch()
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
		t, err := readFile(p, ts, mem)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		set.Tables = append(set.Tables, t)
	}
	if err := set.Check(); err != nil {
		return nil, fmt.Errorf("read %s: %w", root, err)
	}
	return set, nil
}

// readFile reads one parquet file as a table with schema ts.
func readFile(path string, ts *schemas.Table, mem memory.Allocator) (*table.Table, error) {
	pf, err := file.OpenParquetFile(path, false, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		return nil, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	if err := checkSchema(tbl.Schema(), ts); err != nil {
		return nil, err
	}

	rows := make([]table.Row, tbl.NumRows())
	for i := range rows {
		rows[i] = make(table.Row, len(ts.Columns))
	}
	for j := range ts.Columns {
		i := 0
		for _, arr := range tbl.Column(j).Data().Chunks() {
			for k := 0; k < arr.Len(); k++ {
				rows[i][j] = cell(arr, k)
				i++
			}
		}
	}
	return &table.Table{Schema: ts, Rows: rows}, nil
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

// cell converts value i of arr to its table.Row form. Strings are copied out of the Arrow
// buffers, which are released after reading.
func cell(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.String:
		return strings.Clone(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Date32:
		return a.Value(i).ToTime()
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues().(*array.String)
		l := make([]string, 0, end-start)
		for k := start; k < end; k++ {
			l = append(l, strings.Clone(vals.Value(int(k))))
		}
		return l
	}
	// checkSchema admits only the types above.
	panic(fmt.Sprintf("parquet: no cell conversion for %s", arr.DataType()))
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
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := range int(rec.NumRows()) {
			for j := range row {
				row[j] = cell(rec.Column(j), i)
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	return rr.Err()
}

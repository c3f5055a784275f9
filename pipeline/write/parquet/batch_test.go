package parquet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

// withBatchRows sets batchRows for the rest of the test.
func withBatchRows(t *testing.T, n int) {
	old := batchRows
	batchRows = n
	t.Cleanup(func() { batchRows = old })
}

// edgeRows returns the edge table with n rows: every type, NULLs in every nullable column,
// lists of one to three elements, and text repeated a few rows apart.
func edgeRows(t *testing.T, n int) *table.Table {
	t.Helper()
	tt := table.New(tabletest.EdgeSchema().Tables[0])
	for i := range n {
		r := table.Row{fmt.Sprintf("r%05d", i), nil, nil, nil, nil, nil}
		if i%7 != 3 {
			r[1] = int64(i*i - 5000)
		}
		if i%5 != 1 {
			r[2] = float64(i) / 8
		}
		if i%3 != 2 {
			r[3] = table.Date(2000+i%30, time.Month(1+i%12), 1+i%28)
		}
		if i%4 != 0 {
			r[4] = []string{"网络", "平台", fmt.Sprintf("项%d", i)}[:1+i%3]
		}
		if i%6 != 0 {
			r[5] = fmt.Sprintf("文本 %d", i%11)
		}
		if err := tt.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	return tt
}

// rowGroups is the number of rows of each row group of a parquet file.
func rowGroups(t *testing.T, path string) []int64 {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	var n []int64
	for g := range pf.NumRowGroups() {
		n = append(n, pf.MetaData().RowGroup(g).NumRows())
	}
	return n
}

// TestBatches writes a table of several batches: one row group per batch, and the rows read
// back, by Read and by ScanTable, are the rows written, in key order.
func TestBatches(t *testing.T) {
	for _, tc := range []struct {
		rows, batch int
		groups      []int64
	}{
		{10, 4, []int64{4, 4, 2}},
		{12, 4, []int64{4, 4, 4}},
		{3, 4, []int64{3}},
		{0, 4, []int64{0}},
		{1000, 64, append(slices.Repeat([]int64{64}, 15), 40)},
	} {
		t.Run(fmt.Sprintf("%d rows by %d", tc.rows, tc.batch), func(t *testing.T) {
			withBatchRows(t, tc.batch)
			mem := checked(t)
			want := edgeRows(t, tc.rows)
			set := &table.Set{Schema: tabletest.EdgeSchema(), Tables: []*table.Table{want}}
			dir := t.TempDir()
			if _, err := write(dir, set, info, mem); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.groups, rowGroups(t, filepath.Join(dir, "parquet", "edge.parquet"))); diff != "" {
				t.Errorf("rows of each row group (-want +got):\n%s", diff)
			}
			got, err := read(dir, set.Schema, mem)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(table.Dump(want), table.Dump(got.Table("edge"))); diff != "" {
				t.Errorf("Read (-want +got):\n%s", diff)
			}
			wantRows, err := want.All()
			if err != nil {
				t.Fatal(err)
			}
			var scanned []table.Row
			found, err := Writer{}.ScanTable(dir, want.Schema, info, func(r table.Row) error {
				scanned = append(scanned, slices.Clone(r))
				return nil
			})
			if !found || err != nil {
				t.Fatalf("ScanTable: found %t, error %v", found, err)
			}
			if diff := cmp.Diff(wantRows, scanned, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("ScanTable (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParallelSameBytes writes the same tables with one worker and with several: every file
// has the same bytes.
func TestParallelSameBytes(t *testing.T) {
	withBatchRows(t, 500)
	tables := tabletest.Sample(schemas.MustLoad()).Tables
	for _, st := range synthTables(t, 2000) { // larger tasks, task_agencies and evidence
		i := slices.IndexFunc(tables, func(t *table.Table) bool { return t.Name() == st.Name() })
		tables[i] = st
	}
	one, many := t.TempDir(), t.TempDir()
	files, err := writeTables(one, tables, info, memory.NewGoAllocator(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeTables(many, tables, info, memory.NewGoAllocator(), 4); err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tables) {
		t.Fatalf("%d files for %d tables", len(files), len(tables))
	}
	for _, f := range files {
		x, err := os.ReadFile(filepath.Join(one, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(many, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s: %d bytes written alone, %d bytes written in parallel, not the same", f, len(x), len(y))
		}
	}
	if g := rowGroups(t, filepath.Join(one, "parquet", "evidence.parquet")); len(g) < 2 {
		t.Errorf("evidence has %d row groups; the test wants several", len(g))
	}
}

// recordWriter writes a table as the Arrow route does: each batch an Arrow record, written
// by pqarrow's FileWriter with the same properties as writeTable.
func recordWriter(w io.Writer, t *table.Table, mem memory.Allocator) error {
	sample := sampler{total: t.Len()}
	n := 0
	err := t.Scan(func(r table.Row) error {
		if n < batchRows {
			sample.add(r)
		}
		n++
		return nil
	})
	if err != nil {
		return err
	}
	sc := arrowSchema(t.Schema)
	props := writerProperties(t.Schema, &sample, info, mem)
	bw := bufio.NewWriter(w)
	fw, err := pqarrow.NewFileWriter(sc, noClose{bw}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	rows := 0
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		rows = 0
		return fw.Write(rec)
	}
	err = t.Scan(func(r table.Row) error {
		for j, v := range r {
			fb := b.Field(j)
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
				for _, s := range v.([]string) {
					fb.ValueBuilder().(*array.StringBuilder).Append(s)
				}
			}
		}
		if rows++; rows == batchRows {
			return flush()
		}
		return nil
	})
	if err == nil && (rows > 0 || n == 0) {
		err = flush()
	}
	if err != nil {
		fw.Close()
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// TestSameAsArrowRoute: writeTable hands its columns to the Parquet column writers itself;
// the bytes are those of the same rows written as Arrow records through pqarrow.
func TestSameAsArrowRoute(t *testing.T) {
	withBatchRows(t, 700)
	tables := tabletest.Sample(schemas.MustLoad()).Tables
	tables = append(tables, edgeSet(t).Tables[0], edgeRows(t, 3000))
	tables = append(tables, synthTables(t, 1500)...)
	for _, tt := range tables {
		t.Run(fmt.Sprintf("%s %d rows", tt.Name(), tt.Len()), func(t *testing.T) {
			mem := checked(t)
			var got, want bytes.Buffer
			if err := writeTable(context.Background(), &got, tt, info, mem); err != nil {
				t.Fatal(err)
			}
			if err := recordWriter(&want, tt, mem); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("writeTable wrote %d bytes, the Arrow route %d bytes, not the same", got.Len(), want.Len())
			}
		})
	}
}

// chunks returns the metadata of every column chunk of a parquet file, by column name.
func chunks(t *testing.T, path string) map[string][]*metadata.ColumnChunkMetaData {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	m := map[string][]*metadata.ColumnChunkMetaData{}
	for g := range pf.NumRowGroups() {
		rg := pf.MetaData().RowGroup(g)
		for c := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			name := cc.PathInSchema()[0]
			m[name] = append(m[name], cc)
		}
	}
	return m
}

// TestDictionaryChoice: the encoding of each column follows the first rows of its table,
// and no column chunk mixes dictionary-encoded and plain data pages, whose order in the file
// metadata the Parquet writer does not keep from one write to the next.
func TestDictionaryChoice(t *testing.T) {
	ts := tabletest.EdgeSchema().Tables[0]
	// s repeats two values over the sample, then takes a new value of 100 bytes in every
	// row: its dictionary passes parquet.DefaultDictionaryPageSizeLimit in the first batch.
	large := table.New(ts)
	long := strings.Repeat("长", 30)
	for i := range 20_000 {
		s := []string{"甲", "乙"}[i%2]
		if i >= sampleRows {
			s = fmt.Sprintf("%s%08d", long, i)
		}
		r := table.Row{fmt.Sprintf("k%06d", i), int64(i), float64(i % 3), nil, []string{"网络", fmt.Sprintf("项%d", i)}, s}
		if err := large.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	small := edgeRows(t, 100)
	for _, tc := range []struct {
		tt   *table.Table
		dict map[string]bool
	}{
		// id and n are unique, x has 3 values, d none, and l has almost as many distinct
		// elements as runs of equal elements.
		{large, map[string]bool{"id": false, "n": false, "x": true, "d": false, "l": false, "s": true}},
		// a table that fits in the sample, with little text: a dictionary for every column,
		// as the writer's default.
		{small, map[string]bool{"id": true, "n": true, "x": true, "d": true, "l": true, "s": true}},
	} {
		t.Run(fmt.Sprintf("%d rows", tc.tt.Len()), func(t *testing.T) {
			mem := checked(t)
			var paths []string
			for i := range 2 {
				p := filepath.Join(t.TempDir(), "edge.parquet")
				f, err := os.Create(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := writeTable(context.Background(), f, tc.tt, info, mem); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				paths = append(paths, p)
				if i == 1 {
					x, _ := os.ReadFile(paths[0])
					y, _ := os.ReadFile(paths[1])
					if !bytes.Equal(x, y) {
						t.Errorf("two writes of the table differ (%d and %d bytes)", len(x), len(y))
					}
				}
			}
			for name, ccs := range chunks(t, paths[0]) {
				for g, cc := range ccs {
					if cc.HasDictionaryPage() != tc.dict[name] {
						t.Errorf("column %s, row group %d: dictionary %t, want %t", name, g, cc.HasDictionaryPage(), tc.dict[name])
					}
					var data []parquet.Encoding
					for _, st := range cc.EncodingStats() {
						if fmt.Sprint(st.PageType) == "DATA_PAGE" {
							data = append(data, st.Encoding)
						}
					}
					if len(data) != 1 {
						t.Errorf("column %s, row group %d: data pages of encodings %v, want one encoding", name, g, data)
					}
				}
			}
		})
	}
}

// TestWriteTablesError: a table that cannot be written stops the others; the error names
// its file, and no temporary file is left behind.
func TestWriteTablesError(t *testing.T) {
	withBatchRows(t, 100)
	tables := synthTables(t, 3000)
	dir := t.TempDir()
	// evidence.parquet is a folder that holds a file: the renamed temporary file cannot take
	// its place.
	mustWrite(t, filepath.Join(dir, "parquet", "evidence.parquet", "keep"), "x")
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			mem := checked(t)
			_, err := writeTables(dir, tables, info, mem, workers)
			if err == nil || !strings.Contains(err.Error(), filepath.Join("parquet", "evidence.parquet")) {
				t.Errorf("got error %v, want one naming evidence.parquet", err)
			}
			noTemp(t, dir)
		})
	}
}

// TestWriteTableCancelled: writing stops at the next batch once the context is cancelled,
// with the cause, and releases what it took.
func TestWriteTableCancelled(t *testing.T) {
	withBatchRows(t, 10)
	mem := checked(t)
	tt := edgeRows(t, 100)
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("stop")
	cancel(stop)
	var out bytes.Buffer
	if err := writeTable(ctx, &out, tt, info, mem); !errors.Is(err, stop) {
		t.Errorf("got error %v, want %v", err, stop)
	}
}

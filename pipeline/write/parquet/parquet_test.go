package parquet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var info = tabletest.Info

// edgeSet holds extreme numbers and dates, text that looks like NULL or a number, and line
// breaks of every kind.
func edgeSet(t *testing.T) *table.Set {
	t.Helper()
	set := table.NewSet(tabletest.EdgeSchema())
	rows := []table.Row{
		{"a", int64(math.MinInt64), math.Copysign(0, -1), table.Date(1, 1, 1), []string{"x"}, "010000"},
		{"b", int64(math.MaxInt64), math.SmallestNonzeroFloat64, table.Date(9999, 12, 31), []string{"\"q\", c\nd", `\`}, " lead and trail "},
		{"c", int64(0), math.MaxFloat64, table.Date(1969, 12, 31), []string{"网络", "平台"}, "a\r\nb\rc\n"},
		{"d", nil, nil, nil, nil, nil},
		{"e", int64(-1), -1.5e-300, table.Date(1970, 1, 1), []string{"null"}, "NULL"},
	}
	for _, r := range rows {
		if err := set.Tables[0].Append(r); err != nil {
			t.Fatal(err)
		}
	}
	return set
}

// checked returns an allocator that fails the test if anything it handed out is not
// released by the end of the test.
func checked(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(t *testing.T) *table.Set
	}{
		{"sample", func(*testing.T) *table.Set { return tabletest.Sample(schemas.MustLoad()) }},
		{"empty", func(*testing.T) *table.Set { return table.NewSet(schemas.MustLoad()) }},
		{"edge", edgeSet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			want := tc.set(t)
			dir := t.TempDir()
			files, err := write(dir, want, info, mem)
			if err != nil {
				t.Fatalf("write: %v", err)
			}
			var wantFiles []string
			for _, ts := range want.Schema.Tables {
				wantFiles = append(wantFiles, "parquet/"+ts.Name+".parquet")
			}
			slices.Sort(wantFiles)
			if diff := cmp.Diff(wantFiles, files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			got, err := read(dir, want.Schema, mem)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if diff := cmp.Diff(names(want), names(got)); diff != "" {
				t.Errorf("tables read (-want +got):\n%s", diff)
			}
			for _, wt := range want.Tables {
				gt := got.Table(wt.Name())
				if gt == nil {
					continue
				}
				if diff := cmp.Diff(table.Dump(wt), table.Dump(gt)); diff != "" {
					t.Errorf("table %s (-want +got):\n%s", wt.Name(), diff)
				}
			}
		})
	}
}

func names(s *table.Set) []string {
	var n []string
	for _, t := range s.Tables {
		n = append(n, t.Name())
	}
	return n
}

// TestGolden dumps every file of the sample set as arrow's own Parquet reader sees it: the
// file metadata, the Parquet schema, the Arrow schema with its field metadata, and the rows.
func TestGolden(t *testing.T) {
	mem := checked(t)
	set := tabletest.Sample(schemas.MustLoad())
	dir := t.TempDir()
	if _, err := write(dir, set, info, mem); err != nil {
		t.Fatalf("write: %v", err)
	}
	for _, ts := range set.Schema.Tables {
		t.Run(ts.Name, func(t *testing.T) {
			got := dump(t, filepath.Join(dir, "parquet", ts.Name+".parquet"), mem)
			golden := filepath.Join("testdata", ts.Name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// dump is the text form of one parquet file, read without this package's reader.
func dump(t *testing.T, path string, mem memory.Allocator) string {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	md := pf.MetaData()
	var b strings.Builder
	fmt.Fprintf(&b, "created_by: %s\n", md.GetCreatedBy())
	fmt.Fprintf(&b, "version: %s\n", md.Version())
	b.WriteString("key-value metadata:\n")
	kv := md.KeyValueMetadata()
	for i, k := range kv.Keys() {
		v := kv.Values()[i]
		if k == "ARROW:schema" {
			v = "(present)" // the serialized Arrow schema; its content is dumped below
		}
		fmt.Fprintf(&b, "  %s: %q\n", k, v)
	}
	b.WriteString("parquet schema:\n")
	schema.PrintSchema(md.Schema.Root(), &b, 2)
	for g := 0; g < md.NumRowGroups(); g++ {
		rg := md.RowGroup(g)
		fmt.Fprintf(&b, "row group %d: %d rows\n", g, rg.NumRows())
		for c := 0; c < rg.NumColumns(); c++ {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  %s: %s\n", cc.PathInSchema(), cc.Compression())
		}
	}

	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	fmt.Fprintf(&b, "arrow %s\n", tbl.Schema())
	b.WriteString("rows:\n")
	for c := 0; c < int(tbl.NumCols()); c++ {
		fmt.Fprintf(&b, "  %s:", tbl.Schema().Field(c).Name)
		for _, arr := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < arr.Len(); i++ {
				j, err := json.Marshal(arr.GetOneForMarshal(i))
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, " %s", j)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestDeterministic writes the same set twice into two folders and compares the bytes. The
// release date and id must not reach the files either.
func TestDeterministic(t *testing.T) {
	later := info
	later.Date = table.Date(2030, 1, 2)
	later.ReleaseID = "2030-01-02-ffffffffffff"
	for _, tc := range []struct {
		name        string
		first, next table.Info
	}{
		{"same info", info, info},
		{"other release date", info, later},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			set := tabletest.Sample(schemas.MustLoad())
			a, b := t.TempDir(), t.TempDir()
			files, err := write(a, set, tc.first, mem)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := write(b, set, tc.next, mem); err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				x, err := os.ReadFile(filepath.Join(a, f))
				if err != nil {
					t.Fatal(err)
				}
				y, err := os.ReadFile(filepath.Join(b, f))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(x, y) {
					t.Errorf("%s differs between two writes (%d and %d bytes)", f, len(x), len(y))
				}
			}
		})
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func noTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), atomic.TempPrefix) {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct{ n int }

var errSink = errors.New("disk full")

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errSink
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteTableSinkError fails the output at several points of a file: writeTable returns
// the error and releases every buffer it took.
func TestWriteTableSinkError(t *testing.T) {
	tt := tabletest.Sample(schemas.MustLoad()).Table("tasks")
	var full bytes.Buffer
	if err := writeTable(context.Background(), &full, tt, info, memory.NewGoAllocator()); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 4, 100, full.Len() / 2, full.Len() - 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			mem := checked(t)
			err := writeTable(context.Background(), &failAfter{n: n}, tt, info, mem)
			if !errors.Is(err, errSink) {
				t.Errorf("writeTable with %d of %d bytes: got error %v, want %v", n, full.Len(), err, errSink)
			}
		})
	}
}

// TestReadError reads files that do not match the declaration of the edge table: files
// written from variants of it, a truncated file, and no folder at all.
func TestReadError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		old     string // replaced in edgeYAML by new to declare the file's table
		new     string
		prepare func(t *testing.T, dir string)
		want    string // in the error
	}{
		{
			name: "no parquet folder",
			prepare: func(t *testing.T, dir string) {
				if err := os.RemoveAll(filepath.Join(dir, "parquet")); err != nil {
					t.Fatal(err)
				}
			},
			want: "read parquet: stat ",
		},
		{
			name: "fewer columns",
			old:  "      - {name: s,",
			new:  "      # - {name: s,",
			want: "edge.parquet: 5 columns, want 6 (id, n, x, d, l, s)",
		},
		{
			name: "renamed column",
			old:  "{name: d,",
			new:  "{name: day,",
			want: "edge.parquet: column 4 is day, want d",
		},
		{
			name: "other type",
			old:  "{name: n, type: integer,",
			new:  "{name: n, type: double,",
			want: "edge.parquet: column n has type float64, want int64",
		},
		{
			name: "other nullability",
			old:  "{name: s, type: text,",
			new:  "{name: s, type: text, required: true,",
			want: "edge.parquet: column s: nullable is false, want true",
		},
		{
			name: "truncated file",
			prepare: func(t *testing.T, dir string) {
				p := filepath.Join(dir, "parquet", "edge.parquet")
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				mustWrite(t, p, string(b[:len(b)-10]))
			},
			want: "edge.parquet: ",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			dir := t.TempDir()
			variant, err := schemas.Parse([]byte(strings.Replace(tabletest.EdgeYAML, tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := write(dir, table.NewSet(variant), info, mem); err != nil {
				t.Fatal(err)
			}
			if tc.prepare != nil {
				tc.prepare(t, dir)
			}
			got, err := read(dir, tabletest.EdgeSchema(), mem)
			if err == nil {
				t.Fatalf("read returned %d tables and no error", len(got.Tables))
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// TestReadMissingFile: a table without a file is left out of the set; the others are read.
func TestReadMissingFile(t *testing.T) {
	mem := checked(t)
	s := schemas.MustLoad()
	dir := t.TempDir()
	if _, err := write(dir, tabletest.Sample(s), info, mem); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "parquet", "evidence.parquet")); err != nil {
		t.Fatal(err)
	}
	got, err := read(dir, s, mem)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ts := range s.Tables {
		if ts.Name != "evidence" {
			want = append(want, ts.Name)
		}
	}
	if diff := cmp.Diff(want, names(got)); diff != "" {
		t.Errorf("tables read (-want +got):\n%s", diff)
	}
}

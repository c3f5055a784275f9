package table

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plandata/plandata/schemas"
)

// storeSchema has a two-column key whose text sorts differently from its canonical form
// ("a" < "a b" as strings, but `"a"` > `"a b"`... no: '"' (0x22) > ' ' (0x20)), and a column
// of every type.
var storeSchema = &schemas.Table{
	Name:       "t",
	PrimaryKey: []string{"k", "n"},
	Columns: []schemas.Column{
		{Name: "k", Type: schemas.Text, Required: true},
		{Name: "n", Type: schemas.Integer, Required: true},
		{Name: "x", Type: schemas.Double},
		{Name: "d", Type: schemas.Date},
		{Name: "l", Type: schemas.TextList},
		{Name: "s", Type: schemas.Text},
	},
}

var storeKeys = []string{"a", "a b", "a-b", "ab", "b", "工业", "工", "q\"uote", "back\\slash", "\u2028", "~"}

// storeRows returns n rows in a random order, with repeated keys.
func storeRows(n int, seed uint64) []Row {
	rng := rand.New(rand.NewPCG(seed, 1))
	rows := make([]Row, n)
	for i := range rows {
		r := Row{storeKeys[rng.IntN(len(storeKeys))], int64(rng.IntN(n/4+1) - n/8), nil, nil, nil, nil}
		if rng.IntN(2) == 0 {
			r[2] = rng.NormFloat64() * 1e6
		}
		if rng.IntN(2) == 0 {
			r[3] = Date(1950+rng.IntN(100), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		}
		if rng.IntN(3) == 0 {
			r[4] = []string{"网络", fmt.Sprint(i)}
		}
		if rng.IntN(2) == 0 {
			r[5] = strings.Repeat("数据 ", rng.IntN(20)) + fmt.Sprint(i) // tells rows with equal keys apart
		}
		if rng.IntN(5) == 0 {
			r[5] = "high" // a common value
		}
		rows[i] = r
	}
	return rows
}

// keyOrder is the order a Table promises: the canonical key cells, compared one by one,
// then the order of appending.
func keyOrder(rows []Row) []Row {
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b Row) int {
		if c := strings.Compare(Canon(a[0]), Canon(b[0])); c != 0 {
			return c
		}
		return strings.Compare(Canon(a[1]), Canon(b[1]))
	})
	return sorted
}

func dumpRows(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(CanonRow(r))
		b.WriteByte('\n')
	}
	return b.String()
}

func scanAll(t *testing.T, tb *Table) []Row {
	t.Helper()
	var got []Row
	if err := tb.Scan(func(r Row) error { got = append(got, slices.Clone(r)); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestTableOrder(t *testing.T) {
	for _, c := range []struct {
		name   string
		rows   int
		spill  bool
		maxBuf int
	}{
		{"memory", 2000, false, 0},
		{"memory, small buffer ignored", 2000, false, 500},
		{"spilled runs", 5000, true, 4000},
		{"one row per run", 300, true, 1},
		{"empty", 0, true, 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows := storeRows(c.rows, uint64(c.rows))
			tb := New(storeSchema)
			tb.maxBuf = c.maxBuf
			if c.spill {
				tb.spillDir = t.TempDir()
			}
			r := make(Row, len(storeSchema.Columns))
			for _, x := range rows {
				copy(r, x) // Append copies: the row may be reused
				if err := tb.Append(r); err != nil {
					t.Fatal(err)
				}
			}
			if tb.Len() != len(rows) {
				t.Errorf("Len = %d, want %d", tb.Len(), len(rows))
			}
			want := keyOrder(rows)
			if got := dumpRows(scanAll(t, tb)); got != dumpRows(want) {
				t.Errorf("rows out of order or changed")
			}
			if c.spill && c.maxBuf > 0 && c.rows > 0 && len(tb.runs) != 1 {
				t.Errorf("%d runs after the first scan, want them merged into 1", len(tb.runs))
			}
			// A second scan reads the same; so does a range.
			if got := dumpRows(scanAll(t, tb)); got != dumpRows(want) {
				t.Errorf("second scan differs")
			}
			lo, hi := len(rows)/3, 2*len(rows)/3+1
			var part []Row
			if err := tb.ScanRange(lo, hi, func(r Row) error { part = append(part, slices.Clone(r)); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(rows) > 0 && dumpRows(part) != dumpRows(want[lo:min(hi, len(want))]) {
				t.Errorf("ScanRange(%d, %d) gives %d rows, not the rows at those places", lo, hi, len(part))
			}
			all, err := tb.All()
			if err != nil || dumpRows(all) != dumpRows(want) {
				t.Errorf("All differs (%v)", err)
			}
			if c.spill {
				if left, _ := os.ReadDir(tb.spillDir); len(left) > 0 {
					t.Errorf("files left in the spill folder: %v", left) // they are unlinked
				}
			}
		})
	}
}

// Rows appended after a scan join the others in order.
func TestTableAppendAfterScan(t *testing.T) {
	rows := storeRows(3000, 7)
	tb := New(storeSchema)
	tb.spillDir, tb.maxBuf = t.TempDir(), 2000
	for i, r := range rows {
		if err := tb.Append(r); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 999 {
			scanAll(t, tb)
		}
	}
	if got := dumpRows(scanAll(t, tb)); got != dumpRows(keyOrder(rows)) {
		t.Error("rows appended between scans are out of order")
	}
	tb.Reset()
	if tb.Len() != 0 || len(scanAll(t, tb)) != 0 {
		t.Error("Reset left rows")
	}
}

func TestTableConcurrentScans(t *testing.T) {
	rows := storeRows(4000, 3)
	tb := New(storeSchema)
	tb.spillDir, tb.maxBuf = t.TempDir(), 5000
	for _, r := range rows {
		if err := tb.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	want := dumpRows(keyOrder(rows))
	var wg sync.WaitGroup
	errs := make([]string, 4)
	for g := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b strings.Builder
			err := tb.Scan(func(r Row) error { b.WriteString(CanonRow(r) + "\n"); return nil })
			if err != nil || b.String() != want {
				errs[g] = fmt.Sprintf("scan %d: differs (%v)", g, err)
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
}

func TestTableAppendRefuses(t *testing.T) {
	good := Row{"k", int64(1), 1.5, Date(2022, 1, 2), []string{"a"}, "s"}
	for _, c := range []struct {
		name string
		edit func(Row) Row
		want string
	}{
		{"short row", func(r Row) Row { return r[:5] }, "5 cells for 6 columns"},
		{"NULL key", func(r Row) Row { r[0] = nil; return r }, "column k: NULL in a required column"},
		{"empty text", func(r Row) Row { r[5] = ""; return r }, "column s: empty text"},
		{"wrong type", func(r Row) Row { r[1] = 1; return r }, "column n: int is not a integer"},
		{"not midnight", func(r Row) Row { r[3] = time.Date(2022, 1, 2, 3, 0, 0, 0, time.UTC); return r }, "is not UTC midnight"},
		{"list item with ;", func(r Row) Row { r[4] = []string{"a;b"}; return r }, "holds ';'"},
		{"NaN", func(r Row) Row { r[2] = 0.0 * func() float64 { var z float64; return 1 / z }(); return r }, "non-finite"},
	} {
		tb := New(storeSchema)
		if err := tb.Append(good); err != nil {
			t.Fatal(err)
		}
		err := tb.Append(c.edit(slices.Clone(good)))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "t row 2") {
			t.Errorf("%s: %v, want an error naming row 2 and %q", c.name, err, c.want)
		}
		if tb.Len() != 1 {
			t.Errorf("%s: a refused row was kept", c.name)
		}
	}
}

func TestTableScanStops(t *testing.T) {
	tb, err := FromRows(storeSchema, storeRows(100, 1))
	if err != nil {
		t.Fatal(err)
	}
	stop := fmt.Errorf("stop")
	n := 0
	if err := tb.Scan(func(Row) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	}); err != stop || n != 10 {
		t.Errorf("Scan returned %v after %d rows, want the callback's error after 10", err, n)
	}
}

// The decoder refuses damaged data instead of returning wrong cells.
func TestDecodeCellsCorrupt(t *testing.T) {
	var b []byte
	for _, v := range []any{"text", int64(-5), 2.5, Date(2020, 2, 29), []string{"a", "b"}, nil} {
		b = appendCell(b, v)
	}
	row := make(Row, 6)
	if err := decodeCells(row, b); err != nil {
		t.Fatal(err)
	}
	if got := CanonRow(row); got != `"text"	-5	2.5	2020-02-29	["a","b"]	null` {
		t.Errorf("decoded %s", got)
	}
	for i := range len(b) {
		if err := decodeCells(make(Row, 6), b[:i]); err == nil {
			t.Errorf("cells cut at byte %d decoded without error", i)
		}
	}
	if err := decodeCells(make(Row, 6), append(slices.Clone(b), 0)); err == nil {
		t.Error("trailing byte decoded without error")
	}
	if err := decodeCells(make(Row, 1), []byte{9}); err == nil {
		t.Error("unknown tag decoded without error")
	}
}

func BenchmarkTableAppendScan(b *testing.B) {
	rows := storeRows(100_000, 1)
	for b.Loop() {
		tb := New(storeSchema)
		tb.spillDir = b.TempDir()
		for _, r := range rows {
			if err := tb.Append(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := tb.Scan(func(Row) error { return nil }); err != nil {
			b.Fatal(err)
		}
		tb.Reset()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}

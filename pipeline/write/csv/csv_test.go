package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var info = tabletest.Info

// edgeSet holds extreme numbers and dates, text that looks like NULL, a number or a CSV
// construct, and every line break CSV can carry.
func edgeSet(t *testing.T) *table.Set {
	t.Helper()
	set := table.NewSet(tabletest.EdgeSchema())
	for _, r := range []table.Row{
		{"a", int64(math.MinInt64), math.Copysign(0, -1), table.Date(1, 1, 1), []string{"x"}, "010000"},
		{"b", int64(math.MaxInt64), math.SmallestNonzeroFloat64, table.Date(9999, 12, 31), []string{"\"q\", c\r\nd", `\`, "<&>"}, " lead and trail "},
		{"c", int64(0), math.MaxFloat64, table.Date(1969, 12, 31), []string{"网络", "平台"}, "a\nb\rc\n"},
		{"d", nil, nil, nil, nil, nil},
		{"e", int64(-1), -1.5e-300, table.Date(1970, 1, 1), []string{"null"}, "NULL"},
		{"f", int64(1), 1e21, table.Date(2000, 2, 29), []string{"[]"}, `""`},
		{"g", int64(2), 0.1, table.Date(2000, 3, 1), []string{"\t"}, `\.`},
	} {
		if err := set.Tables[0].Append(r); err != nil {
			t.Fatal(err)
		}
	}
	return set
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
			want := tc.set(t)
			dir := t.TempDir()
			files, err := Writer{}.Write(dir, want, info)
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			var wantFiles []string
			for _, ts := range want.Schema.Tables {
				wantFiles = append(wantFiles, "csv/"+ts.Name+".csv")
			}
			slices.Sort(wantFiles)
			if diff := cmp.Diff(wantFiles, files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			got, err := Writer{}.Read(dir, want.Schema, info)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(names(want), names(got)); diff != "" {
				t.Errorf("tables read (-want +got):\n%s", diff)
			}
			for _, wt := range want.Tables {
				if gt := got.Table(wt.Name()); gt != nil {
					if diff := cmp.Diff(table.Dump(wt), table.Dump(gt)); diff != "" {
						t.Errorf("table %s (-want +got):\n%s", wt.Name(), diff)
					}
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

// TestWriteCRLF: encoding/csv reads "\r\n" inside a quoted field back as "\n", so Write
// refuses text that holds it rather than publish a file that reads back differently.
func TestWriteCRLF(t *testing.T) {
	set := table.NewSet(tabletest.EdgeSchema())
	if err := set.Tables[0].Append(table.Row{"a", nil, nil, nil, nil, "one\r\ntwo"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := Writer{}.Write(dir, set, info)
	if !errors.Is(err, errCRLF) {
		t.Fatalf("Write returned %q, %v; want %v", files, err, errCRLF)
	}
	const want = "edge.csv: edge row 0 column s: "
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	noTemp(t, dir)
}

// TestGolden compares the bytes of every file of the sample set.
func TestGolden(t *testing.T) {
	set := tabletest.Sample(schemas.MustLoad())
	dir := t.TempDir()
	if _, err := (Writer{}).Write(dir, set, info); err != nil {
		t.Fatalf("Write: %v", err)
	}
	for _, ts := range set.Schema.Tables {
		t.Run(ts.Name, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, "csv", ts.Name+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", ts.Name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestDeterministic writes the same set twice into two folders and compares the bytes.
func TestDeterministic(t *testing.T) {
	later := info
	later.Date = table.Date(2030, 1, 2)
	later.ReleaseID = "2030-01-02-ffffffffffff"
	later.Version = "other"
	for _, tc := range []struct {
		name        string
		first, next table.Info
	}{
		{"same info", info, info},
		{"other release", info, later},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := tabletest.Sample(schemas.MustLoad())
			a, b := t.TempDir(), t.TempDir()
			files, err := Writer{}.Write(a, set, tc.first)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := (Writer{}).Write(b, set, tc.next); err != nil {
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
					t.Errorf("%s differs between two writes", f)
				}
			}
		})
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

// TestReadTableError reads malformed files of the edge table: each is reported with the line
// and column of the offending field.
func TestReadTableError(t *testing.T) {
	ts := tabletest.EdgeSchema().Tables[0]
	const header = "id,n,x,d,l,s\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty file", "", "parse error on line 1, column 1: no header"},
		{"byte order mark", "\uFEFF" + header, `parse error on line 1, column 1: header: column 1 is "\ufeffid", want "id"`},
		{"renamed column", "id,n,x,date,l,s\n", `parse error on line 1, column 8: header: column 4 is "date", want "d"`},
		{"missing column", "id,n,x,d,l\n", "record on line 1: wrong number of fields"},
		{"extra field", header + "a,1,2,2022-01-01,,,\n", "record on line 2: wrong number of fields"},
		{"NULL key", header + ",1,,,,\n", "parse error on line 2, column 1: column id: empty field (NULL) in a required column"},
		{"bad integer", header + "a,1.5,,,,\n", `parse error on line 2, column 3: column n: integer "1.5": invalid syntax`},
		{"integer out of range", header + "a,9223372036854775808,,,,\n", `parse error on line 2, column 3: column n: integer "9223372036854775808": value out of range`},
		{"bad double", header + "a,,one,,,\n", `parse error on line 2, column 4: column x: double "one": invalid syntax`},
		{"NaN", header + "a,,NaN,,,\n", `parse error on line 2, column 4: column x: double "NaN" is not finite`},
		{"infinite double", header + "a,,1e400,,,\n", `parse error on line 2, column 4: column x: double "1e400": value out of range`},
		{"bad date", header + "a,,,2022-2-1,,\n", `parse error on line 2, column 5: column d: date "2022-2-1" is not YYYY-MM-DD`},
		{"impossible date", header + "a,,,2022-02-30,,\n", `parse error on line 2, column 5: column d: date "2022-02-30" is not YYYY-MM-DD`},
		{"list not JSON", header + "a,,,,网络;平台,\n", `parse error on line 2, column 6: column l: list "网络;平台" is not a JSON array of strings`},
		{"list of numbers", header + "a,,,,[1],\n", `parse error on line 2, column 6: column l: list "[1]" is not a JSON array of strings`},
		{"list null", header + "a,,,,null,\n", `parse error on line 2, column 6: column l: list "null" is not a JSON array of strings`},
		{"empty list", header + "a,,,,[],\n", `parse error on line 2, column 6: column l: empty list (NULL is an empty field)`},
		{"error after a multi-line field", header + "a,,,,,\"x\ny\"\nb,z,,,,\n", `parse error on line 4, column 3: column n: integer "z": invalid syntax`},
		{"bare quote", header + "a,,,,,x\"y\n", `parse error on line 2, column 8: bare " in non-quoted-field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readTable(strings.NewReader(tc.in), ts)
			if err == nil {
				t.Fatalf("readTable returned %d rows and no error, want %q", got.Len(), tc.want)
			}
			var pe *stdcsv.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %v is a %T, want a *csv.ParseError", err, err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadTableRefused reads rows that parse but that the table refuses: the error names the
// line the record starts on and the table's reason.
func TestReadTableRefused(t *testing.T) {
	ts := tabletest.EdgeSchema().Tables[0]
	const header = "id,n,x,d,l,s\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"list item holding ;", header + `a,,,,"[""网络;平台""]",` + "\n",
			`record on line 2: edge row 1 column l: list item "网络;平台" is empty or holds ';'`},
		{"empty list item", header + "a,,,,,\n" + `b,,,,"[""x"",""""]",` + "\n",
			`record on line 3: edge row 2 column l: list item "" is empty or holds ';'`},
		{"after a multi-line field", header + "a,,,,,\"x\ny\"\n" + `b,,,,"[""""]",z` + "\n",
			`record on line 4: edge row 2 column l: list item "" is empty or holds ';'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readTable(strings.NewReader(tc.in), ts)
			if err == nil {
				t.Fatalf("readTable returned %d rows and no error, want %q", got.Len(), tc.want)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadMissing: a table without a file is left out of the set; without a csv folder Read
// fails.
func TestReadMissing(t *testing.T) {
	s := schemas.MustLoad()
	dir := t.TempDir()
	if _, err := (Writer{}).Write(dir, tabletest.Sample(s), info); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "csv", "evidence.csv")); err != nil {
		t.Fatal(err)
	}
	got, err := Writer{}.Read(dir, s, info)
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

	if got, err := (Writer{}).Read(t.TempDir(), s, info); err == nil {
		t.Errorf("Read of a folder without csv/ returned %d tables and no error", len(got.Tables))
	}
}

// FuzzReadTable reads arbitrary bytes as a file of any declared table: it never panics, and
// what reads as a table (every row accepted by Append) writes and reads back to the same rows.
func FuzzReadTable(f *testing.F) {
	s := schemas.MustLoad()
	for i, ts := range s.Tables {
		b, err := os.ReadFile(filepath.Join("testdata", ts.Name+".golden"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
	}
	f.Fuzz(func(t *testing.T, i uint8, data []byte) {
		ts := s.Tables[int(i)%len(s.Tables)]
		got, err := readTable(bytes.NewReader(data), ts)
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := writeTable(&b, got); err != nil {
			t.Fatalf("writeTable of what was read: %v", err)
		}
		again, err := readTable(&b, ts)
		if err != nil {
			t.Fatalf("readTable of what was written: %v\n%s", err, b.String())
		}
		if diff := cmp.Diff(table.Dump(got), table.Dump(again)); diff != "" {
			t.Errorf("rows after a second round (-first +second):\n%s", diff)
		}
	})
}

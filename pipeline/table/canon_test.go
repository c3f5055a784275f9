package table

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// jsonText is the definition AppendCanon follows for text and lists: encoding/json without
// HTML escaping.
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

var canonTexts = []string{
	"", "plain", "iiswg-2022-m01", `quote " and \ backslash`, "tab\tnew\nline\rcr",
	"\b\f\x00\x01\x1f\x7f", "<>&=+-@", "工业和信息化部（信发司）", "\u2028\u2029", "a\xffb\xc0",
	"\xe2\x80", "emoji 🏭", "ok\u00a0nbsp", "end\\",
}

func TestAppendCanonText(t *testing.T) {
	for _, s := range canonTexts {
		if got, want := string(AppendCanon(nil, s)), jsonText(s); got != want {
			t.Errorf("AppendCanon(%q) = %s, want %s", s, got, want)
		}
	}
	for _, l := range [][]string{nil, {}, {"a"}, canonTexts} {
		if got, want := string(AppendCanon(nil, l)), jsonText(append([]string{}, l...)); got != want {
			t.Errorf("AppendCanon(%q) = %s, want %s", l, got, want)
		}
	}
}

func TestAppendCanonRow(t *testing.T) {
	r := Row{nil, "x\ty", int64(-3), 0.1, 1e21, Date(2022, time.December, 31), []string{"a", "b"}}
	want := "null\t\"x\\ty\"\t-3\t0.1\t1e+21\t2022-12-31\t[\"a\",\"b\"]"
	if got := CanonRow(r); got != want {
		t.Errorf("CanonRow = %s, want %s", got, want)
	}
}

func FuzzAppendCanon(f *testing.F) {
	for _, s := range canonTexts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendCanon(nil, s)), jsonText(s); got != want {
			t.Errorf("AppendCanon(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestCompareCanon(t *testing.T) {
	cells := []any{nil, int64(9), int64(10), int64(-1), 2.5, Date(2022, 1, 2), []string{"a"}}
	for _, s := range append(canonTexts, "a", "ab", "ab!", "ab ", "ab-c", "ab/c", "a\"", "ab\x01", "abc") {
		cells = append(cells, s)
	}
	for _, a := range cells {
		for _, b := range cells {
			if got, want := CompareCanon(a, b), strings.Compare(Canon(a), Canon(b)); got != want {
				t.Errorf("CompareCanon(%#v, %#v) = %d, want %d", a, b, got, want)
			}
		}
	}
}

// sortedDigest is the definition Digest follows: sha256 of the sorted canonical rows, each
// followed by a newline.
func sortedDigest(rows []Row) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = CanonRow(r) + "\n"
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "")))
	return hex.EncodeToString(sum[:])
}

func TestDigester(t *testing.T) {
	var rows []Row
	for i := range 5000 {
		rows = append(rows, Row{strings.Repeat("x", i%7), int64(i * 7919 % 5000), nil})
	}
	rows = append(rows, rows[:100]...) // repeated rows count
	want := sortedDigest(rows)
	for _, d := range []*Digester{{}, {SpillDir: t.TempDir(), MaxMemory: 1000}, {SpillDir: t.TempDir(), MaxMemory: 100}} {
		r := make(Row, 3)
		for _, x := range rows {
			copy(r, x)
			if err := d.Add(r); err != nil { // the row is reused
				t.Fatal(err)
			}
		}
		got, err := d.Sum()
		if err != nil || d.Rows() != len(rows) || got != want {
			t.Errorf("Digester (max %d): %d rows, %s, %v; want %d, %s", d.MaxMemory, d.Rows(), got, err, len(rows), want)
		}
		if d.SpillDir != "" {
			if left, _ := os.ReadDir(d.SpillDir); len(left) > 0 {
				t.Errorf("files left in the spill folder: %v", left)
			}
		}
	}
}

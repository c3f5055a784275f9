package table

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The canonical text is computed for every cell of every table, once per format, when a
// release is checked; these functions append it to a buffer instead of building strings.

// AppendCanon appends Canon(v) to dst.
func AppendCanon(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendJSONString(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		return strconv.AppendFloat(dst, x, 'g', -1, 64)
	case time.Time:
		return x.AppendFormat(dst, "2006-01-02")
	case []string:
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, s)
		}
		return append(dst, ']')
	default:
		panic(fmt.Sprintf("table: no canonical form for %T", v))
	}
}

// AppendCanonRow appends CanonRow(r) to dst.
func AppendCanonRow(dst []byte, r Row) []byte {
	for i, v := range r {
		if i > 0 {
			dst = append(dst, '\t')
		}
		dst = AppendCanon(dst, v)
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json writes it without HTML escaping: quotes and
// backslashes escaped, control characters as \b \f \n \r \t or \u00XX, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 as \u2028 and \u2029.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// lines holds the canonical rows of a table in one buffer, so that a table of millions of
// rows costs two allocations rather than one string per row.
type lines struct {
	buf  []byte
	ends []int // line i is buf[ends[i-1]:ends[i]]
}

func canonLines(t *Table) *lines {
	l := &lines{ends: make([]int, 0, len(t.Rows))}
	for _, r := range t.Rows {
		l.buf = AppendCanonRow(l.buf, r)
		l.ends = append(l.ends, len(l.buf))
	}
	return l
}

func (l *lines) line(i int) []byte {
	start := 0
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.buf[start:l.ends[i]]
}

// sorted returns the line numbers in the order of their text.
func (l *lines) sorted() []int32 {
	order := make([]int32, len(l.ends))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return bytes.Compare(l.line(int(a)), l.line(int(b))) })
	return order
}

func digestLines(l *lines) string {
	h := sha256.New()
	for _, i := range l.sorted() {
		h.Write(l.line(int(i)))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CompareCanon compares the canonical texts of two cells, as strings.Compare(Canon(a),
// Canon(b)) does, without building them for plain text.
func CompareCanon(a, b any) int {
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok && plainJSON(x) && plainJSON(y) {
			return compareQuoted(x, y)
		}
	}
	var ab, bb [64]byte
	return bytes.Compare(AppendCanon(ab[:0], a), AppendCanon(bb[:0], b))
}

// plainJSON reports whether s is ASCII that JSON writes unescaped, so that its canonical text
// is s in quotes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == '"' || b == '\\' || b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// compareQuoted compares "x" with "y" for plain x and y: where one is a prefix of the other,
// the closing quote of the shorter meets a character of the longer.
func compareQuoted(x, y string) int {
	n := min(len(x), len(y))
	if c := strings.Compare(x[:n], y[:n]); c != 0 {
		return c
	}
	switch {
	case len(x) == len(y):
		return 0
	case len(x) < len(y):
		return cmp.Compare('"', y[n])
	}
	return cmp.Compare(x[n], '"')
}

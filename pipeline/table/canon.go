package table

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
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

// Digester computes the Digest of rows given one at a time, keeping only their canonical
// text: reading a table back to check it need not hold its rows. With SpillDir set, it holds
// at most MaxMemory bytes of text: beyond that it writes sorted runs to unlinked temporary
// files in SpillDir and merges them when summing, so that a table of any size is digested in
// bounded memory. The zero Digester keeps everything in memory.
type Digester struct {
	SpillDir  string
	MaxMemory int // bytes of canonical text held before a run is written; 0 means 64 MiB

	l    lines
	rows int
	runs []*os.File
}

// Add adds a row; the row may be reused once Add returns.
func (d *Digester) Add(r Row) error {
	d.l.buf = AppendCanonRow(d.l.buf, r)
	d.l.ends = append(d.l.ends, len(d.l.buf))
	d.rows++
	if d.SpillDir != "" && len(d.l.buf) >= cmp.Or(d.MaxMemory, 64<<20) {
		return d.spill()
	}
	return nil
}

// Rows is the number of rows added.
func (d *Digester) Rows() int { return d.rows }

// spill writes the lines held, sorted, as a run: each line as its length (uvarint) and bytes.
func (d *Digester) spill() error {
	f, err := os.CreateTemp(d.SpillDir, ".tmp-digest-*")
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	os.Remove(f.Name()) // unlinked: gone when closed, whatever happens
	d.runs = append(d.runs, f)
	w := bufio.NewWriterSize(f, 1<<20)
	var n [binary.MaxVarintLen64]byte
	for _, i := range d.l.sorted() {
		line := d.l.line(int(i))
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(line)))])
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	d.l.buf, d.l.ends = d.l.buf[:0], d.l.ends[:0]
	return nil
}

// Sum is the digest of the rows added, as Digest gives it for a table of those rows. It ends
// the Digester: its temporary files are closed.
func (d *Digester) Sum() (string, error) {
	if len(d.runs) == 0 {
		return digestLines(&d.l), nil
	}
	defer func() {
		for _, f := range d.runs {
			f.Close()
		}
		d.runs = nil
	}()
	if len(d.l.ends) > 0 {
		if err := d.spill(); err != nil {
			return "", err
		}
	}
	// Merge the runs: the smallest head line next, as a sort of all lines would give.
	heads := make([]*runReader, 0, len(d.runs))
	for _, f := range d.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", fmt.Errorf("digest: %w", err)
		}
		r := &runReader{r: bufio.NewReaderSize(f, 256<<10)}
		if ok, err := r.next(); err != nil {
			return "", err
		} else if ok {
			heads = append(heads, r)
		}
	}
	h := sha256.New()
	for len(heads) > 0 {
		min := 0
		for i := 1; i < len(heads); i++ {
			if bytes.Compare(heads[i].line, heads[min].line) < 0 {
				min = i
			}
		}
		h.Write(heads[min].line)
		h.Write([]byte{'\n'})
		ok, err := heads[min].next()
		if err != nil {
			return "", err
		}
		if !ok {
			heads = slices.Delete(heads, min, min+1)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// runReader reads the lines of one run in order.
type runReader struct {
	r    *bufio.Reader
	line []byte
}

func (r *runReader) next() (bool, error) {
	n, err := binary.ReadUvarint(r.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("digest: %w", err)
	}
	r.line = slices.Grow(r.line[:0], int(n))[:n]
	if _, err := io.ReadFull(r.r, r.line); err != nil {
		return false, fmt.Errorf("digest: %w", err)
	}
	return true, nil
}

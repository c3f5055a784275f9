package table

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/plandata/plandata/schemas"
)

// Table is a schema and its rows. Rows are appended in any order and read back in the order
// of the primary key (rows with equal keys in the order they were appended), so that output
// never depends on the order of the sources.
//
// Rows are kept encoded: each as its sort key (the canonical text of the key cells, each
// followed by a zero byte, so that bytes compare as CompareCanon does cell by cell) and its
// cells. Appended rows collect in a buffer; in a table of a spilling Set (Set.Spill) a full
// buffer is sorted and written as a run to an unlinked temporary file, and runs that overlap
// are merged before the first read. A Table may be read by several goroutines at once, but
// not appended to while it is read.
type Table struct {
	Schema *schemas.Table

	mu       sync.Mutex
	keys     []int // columns of the primary key
	n        int
	spillDir string
	maxBuf   int // bytes of pending records before a run is written; 0 means defaultBuffer

	pending []byte // records appended since the last run
	offs    []int  // start of each pending record
	inOrder bool   // pending records are in key order
	lastKey []byte // key of the last pending record

	runs []run
	file *os.File // runs that are not in memory, one after another
	end  int64    // bytes written to file
	enc  []byte   // scratch for encoding
}

// run is a sequence of records in key order, in memory (mem) or at [off, off+size) of the
// table's file.
type run struct {
	mem         []byte
	off, size   int64
	rows        int
	first, last []byte // keys of the first and last record
}

const defaultBuffer = 16 << 20

// New returns an empty table held in memory.
func New(s *schemas.Table) *Table {
	t := &Table{Schema: s, inOrder: true}
	for _, k := range s.PrimaryKey {
		t.keys = append(t.keys, s.Index(k))
	}
	return t
}

// FromRows returns a table holding rows, or the first row that does not fit the schema.
func FromRows(s *schemas.Table, rows []Row) (*Table, error) {
	t := New(s)
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Spill makes the table keep its rows in unlinked temporary files in dir once they pass a
// few megabytes; call it before rows are appended.
func (t *Table) Spill(dir string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spillDir = dir
}

// Name is the table's name.
func (t *Table) Name() string { return t.Schema.Name }

// Len is the number of rows.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// Append adds a copy of r. It refuses a row whose length, or a cell whose Go type, does not
// fit the schema, and NULL in a required column: writers may rely on every row they read.
func (t *Table) Append(r Row) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(r) != len(t.Schema.Columns) {
		return fmt.Errorf("%s row %d: %d cells for %d columns", t.Name(), t.n+1, len(r), len(t.Schema.Columns))
	}
	for j, c := range t.Schema.Columns {
		if err := checkCell(c, r[j]); err != nil {
			return fmt.Errorf("%s row %d column %s: %w", t.Name(), t.n+1, c.Name, err)
		}
	}
	// The record: key length, key, cells length, cells.
	key := t.enc[:0]
	for _, k := range t.keys {
		key = AppendCanon(key, r[k])
		key = append(key, 0)
	}
	keyLen := len(key)
	cells := key
	for _, v := range r {
		cells = appendCell(cells, v)
	}
	t.enc = cells
	key, cells = cells[:keyLen], cells[keyLen:]

	if len(t.offs) > 0 && t.inOrder && bytes.Compare(t.lastKey, key) > 0 {
		t.inOrder = false
	}
	t.offs = append(t.offs, len(t.pending))
	t.pending = binary.AppendUvarint(t.pending, uint64(len(key)))
	t.pending = append(t.pending, key...)
	t.pending = binary.AppendUvarint(t.pending, uint64(len(cells)))
	t.pending = append(t.pending, cells...)
	t.lastKey = append(t.lastKey[:0], key...)
	t.n++
	if t.spillDir != "" && len(t.pending) >= cmp.Or(t.maxBuf, defaultBuffer) {
		return t.flush(true)
	}
	return nil
}

// Reset removes every row and releases the table's temporary file.
func (t *Table) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.file != nil {
		t.file.Close()
	}
	t.n, t.pending, t.offs, t.inOrder, t.lastKey = 0, nil, nil, true, nil
	t.runs, t.file, t.end = nil, nil, 0
}

// record is one encoded row: its key and cells.
type record struct{ key, cells []byte }

// next splits the first record off b.
func next(b []byte) (record, []byte, error) {
	kl, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < kl {
		return record{}, nil, errCorrupt
	}
	key := b[n : n+int(kl)]
	b = b[n+int(kl):]
	cl, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < cl {
		return record{}, nil, errCorrupt
	}
	return record{key, b[n : n+int(cl)]}, b[n+int(cl):], nil
}

var errCorrupt = errors.New("table: corrupt row data")

// flush turns the pending records into a run, sorted; toFile writes it to the table's
// temporary file rather than keeping it in memory.
func (t *Table) flush(toFile bool) error {
	if len(t.offs) == 0 {
		return nil
	}
	var data []byte
	var first, last []byte
	if t.inOrder {
		data = t.pending
		rec, _, err := next(data)
		if err != nil {
			return err
		}
		first, last = slices.Clone(rec.key), slices.Clone(t.lastKey)
	} else {
		type numbered struct {
			record
			i int
		}
		recs := make([]numbered, len(t.offs))
		rest := t.pending
		for i := range recs {
			var err error
			if recs[i].record, rest, err = next(rest); err != nil {
				return err
			}
			recs[i].i = i
		}
		// Stable: equal keys keep the order they were appended in.
		slices.SortFunc(recs, func(a, b numbered) int { return cmp.Or(bytes.Compare(a.key, b.key), a.i-b.i) })
		data = make([]byte, 0, len(t.pending))
		for _, rec := range recs {
			data = appendRecord(data, rec.record)
		}
		first, last = slices.Clone(recs[0].key), slices.Clone(recs[len(recs)-1].key)
	}
	r := run{rows: len(t.offs), first: first, last: last}
	if toFile {
		if t.file == nil {
			f, err := os.CreateTemp(t.spillDir, ".tmp-table-*")
			if err != nil {
				return fmt.Errorf("table %s: %w", t.Name(), err)
			}
			os.Remove(f.Name()) // unlinked: gone when closed, whatever happens
			t.file = f
		}
		if _, err := t.file.WriteAt(data, t.end); err != nil {
			return fmt.Errorf("table %s: %w", t.Name(), err)
		}
		r.off, r.size = t.end, int64(len(data))
		t.end += r.size
		t.pending = t.pending[:0]
	} else {
		r.mem = data
		t.pending = nil
	}
	t.runs = append(t.runs, r)
	t.offs, t.inOrder, t.lastKey = t.offs[:0], true, t.lastKey[:0]
	return nil
}

func appendRecord(dst []byte, rec record) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(rec.key)))
	dst = append(dst, rec.key...)
	dst = binary.AppendUvarint(dst, uint64(len(rec.cells)))
	return append(dst, rec.cells...)
}

// seal makes the runs one ordered sequence: pending records become a run, and runs that
// overlap are merged into one.
func (t *Table) seal() error {
	if err := t.flush(false); err != nil {
		return err
	}
	ordered := true
	for i := 1; i < len(t.runs); i++ {
		if bytes.Compare(t.runs[i-1].last, t.runs[i].first) > 0 {
			ordered = false
		}
	}
	if ordered {
		return nil
	}
	return t.merge()
}

// merge merges every run into one, taking the smallest key next and, between equal keys,
// the earlier run.
func (t *Table) merge() error {
	readers := make([]*runCursor, 0, len(t.runs))
	for _, r := range t.runs {
		rr := t.reader(r)
		if ok, err := rr.next(); err != nil {
			return err
		} else if ok {
			readers = append(readers, rr)
		}
	}
	merged := run{rows: 0}
	var w *bufio.Writer
	var mem []byte
	var f *os.File
	if t.file != nil {
		var err error
		if f, err = os.CreateTemp(t.spillDir, ".tmp-table-*"); err != nil {
			return fmt.Errorf("table %s: %w", t.Name(), err)
		}
		os.Remove(f.Name())
		w = bufio.NewWriterSize(f, 1<<20)
	}
	var buf []byte
	for len(readers) > 0 {
		m := 0
		for i := 1; i < len(readers); i++ {
			if bytes.Compare(readers[i].rec.key, readers[m].rec.key) < 0 {
				m = i
			}
		}
		rec := readers[m].rec
		if merged.rows == 0 {
			merged.first = slices.Clone(rec.key)
		}
		merged.rows++
		merged.last = append(merged.last[:0], rec.key...)
		if w != nil {
			buf = appendRecord(buf[:0], rec)
			w.Write(buf)
			merged.size += int64(len(buf))
		} else {
			mem = appendRecord(mem, rec)
		}
		ok, err := readers[m].next()
		if err != nil {
			if f != nil {
				f.Close()
			}
			return err
		}
		if !ok {
			readers = slices.Delete(readers, m, m+1)
		}
	}
	if w != nil {
		if err := w.Flush(); err != nil {
			f.Close()
			return fmt.Errorf("table %s: %w", t.Name(), err)
		}
		t.file.Close()
		t.file, t.end = f, merged.size
	} else {
		merged.mem = mem
	}
	t.runs = []run{merged}
	return nil
}

// runCursor reads the records of one run in order.
type runCursor struct {
	mem []byte // the rest of an in-memory run
	r   *bufio.Reader
	rec record
	buf []byte
}

func (t *Table) reader(r run) *runCursor {
	if r.mem != nil || r.size == 0 {
		return &runCursor{mem: r.mem}
	}
	return &runCursor{r: bufio.NewReaderSize(io.NewSectionReader(t.file, r.off, r.size), 1<<20)}
}

// next reads the next record into rr.rec, valid until the following call.
func (rr *runCursor) next() (bool, error) {
	if rr.r == nil {
		if len(rr.mem) == 0 {
			return false, nil
		}
		var err error
		rr.rec, rr.mem, err = next(rr.mem)
		return err == nil, err
	}
	kl, err := binary.ReadUvarint(rr.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("table: read rows: %w", err)
	}
	rr.buf = slices.Grow(rr.buf[:0], int(kl))[:kl]
	if _, err := io.ReadFull(rr.r, rr.buf); err != nil {
		return false, fmt.Errorf("table: read rows: %w", err)
	}
	cl, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return false, fmt.Errorf("table: read rows: %w", err)
	}
	rr.buf = slices.Grow(rr.buf, int(cl))[:int(kl)+int(cl)]
	if _, err := io.ReadFull(rr.r, rr.buf[kl:]); err != nil {
		return false, fmt.Errorf("table: read rows: %w", err)
	}
	rr.rec = record{rr.buf[:kl], rr.buf[kl:]}
	return true, nil
}

// Scan calls fn with every row in key order. The Row passed is reused by the next call (its
// strings, lists and other cells are not): keep a copy (slices.Clone) to hold it longer. An
// error from fn stops the scan and is returned.
func (t *Table) Scan(fn func(Row) error) error { return t.ScanRange(0, math.MaxInt, fn) }

// ScanRange is Scan for rows lo (counted from 0) up to, not including, hi.
func (t *Table) ScanRange(lo, hi int, fn func(Row) error) error {
	t.mu.Lock()
	err := t.seal()
	runs := t.runs
	t.mu.Unlock()
	if err != nil {
		return err
	}
	row := make(Row, len(t.Schema.Columns))
	i := 0
	for _, r := range runs {
		if i+r.rows <= lo {
			i += r.rows
			continue
		}
		rr := t.reader(r)
		for i < hi {
			ok, err := rr.next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if i++; i <= lo {
				continue
			}
			if err := decodeCells(row, rr.rec.cells); err != nil {
				return fmt.Errorf("table %s: %w", t.Name(), err)
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		if i >= hi {
			break
		}
	}
	return nil
}

// All returns every row, each its own copy: for small tables and tests.
func (t *Table) All() ([]Row, error) {
	rows := make([]Row, 0, t.Len())
	err := t.Scan(func(r Row) error {
		rows = append(rows, slices.Clone(r))
		return nil
	})
	return rows, err
}

// The cell encoding: a tag byte, then the value.
const (
	tagNull = iota
	tagText
	tagInt
	tagDouble
	tagDate
	tagList
)

func appendCell(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, tagNull)
	case string:
		dst = append(dst, tagText)
		dst = binary.AppendUvarint(dst, uint64(len(x)))
		return append(dst, x...)
	case int64:
		return binary.AppendVarint(append(dst, tagInt), x)
	case float64:
		return binary.LittleEndian.AppendUint64(append(dst, tagDouble), math.Float64bits(x))
	case time.Time:
		return binary.AppendVarint(append(dst, tagDate), x.Unix()/86400)
	case []string:
		dst = append(dst, tagList)
		dst = binary.AppendUvarint(dst, uint64(len(x)))
		for _, s := range x {
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			dst = append(dst, s...)
		}
		return dst
	}
	panic(fmt.Sprintf("table: cannot store %T", v)) // Append checks types first
}

// decodeCells decodes the cells of one record into row. The text of all its cells is copied
// into one string, and every text cell is a part of it: one allocation per row, not per cell.
func decodeCells(row Row, b []byte) error {
	all := string(b)
	// A text of length l just before rest ends at len(all)-len(rest).
	str := func(l int, rest []byte) string {
		end := len(all) - len(rest)
		return all[end-l : end]
	}
	for i := range row {
		if len(b) == 0 {
			return errCorrupt
		}
		tag := b[0]
		b = b[1:]
		switch tag {
		case tagNull:
			row[i] = nil
		case tagText:
			s, rest, err := text(b)
			if err != nil {
				return err
			}
			row[i], b = str(len(s), rest), rest
		case tagInt:
			x, n := binary.Varint(b)
			if n <= 0 {
				return errCorrupt
			}
			row[i], b = x, b[n:]
		case tagDouble:
			if len(b) < 8 {
				return errCorrupt
			}
			row[i], b = math.Float64frombits(binary.LittleEndian.Uint64(b)), b[8:]
		case tagDate:
			x, n := binary.Varint(b)
			if n <= 0 {
				return errCorrupt
			}
			row[i], b = time.Unix(x*86400, 0).UTC(), b[n:]
		case tagList:
			count, n := binary.Uvarint(b)
			if n <= 0 || count > uint64(len(b)) {
				return errCorrupt
			}
			b = b[n:]
			l := make([]string, count)
			for j := range l {
				s, rest, err := text(b)
				if err != nil {
					return err
				}
				l[j], b = str(len(s), rest), rest
			}
			row[i] = l
		default:
			return errCorrupt
		}
	}
	if len(b) != 0 {
		return errCorrupt
	}
	return nil
}

func text(b []byte) ([]byte, []byte, error) {
	l, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < l {
		return nil, nil, errCorrupt
	}
	return b[n : n+int(l)], b[n+int(l):], nil
}

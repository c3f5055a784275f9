package release

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/schemas"
)

// SchemaFile is the copy of schemas/tables.yaml that every release carries, so that it can be
// read back with the schema it was built with even after the schema has moved on.
const SchemaFile = "schema.yaml"

// ChangesFile is the readable list of changes inside a release.
const ChangesFile = "CHANGES.md"

// Causes of a change.
const (
	CauseSource    = "source_changed"
	CausePipeline  = "pipeline_changed"
	CauseReference = "reference_changed"
)

// referenceTables hold data from the reference files (sources, agencies, regions).
var referenceTables = []string{"sources", "agencies", "agency_aliases", "regions", "region_aliases"}

// referenceFiles are the source files whose change is a reference change.
var referenceFiles = []string{"sources.yaml", "agencies.yaml", "regions.yaml"}

// Side is one release of a comparison: its tables and its manifest. A Side from Open holds
// rows in temporary files: close its Set when done.
type Side struct {
	Set      *table.Set
	Manifest *Manifest
}

// WriteSchema stores the schema declaration in a release folder.
func WriteSchema(dir string) error {
	return atomic.WriteFile(filepath.Join(dir, SchemaFile), func(w io.Writer) error {
		_, err := w.Write(schemas.Raw())
		return err
	})
}

// Open reads a published release: its manifest, the schema it was built with, and its tables
// through the given format, one table at a time. Views and the changes table are not read:
// Diff does not compare them. Rows go into a set that keeps them in unlinked temporary files
// in spillDir once a table passes a few megabytes ("" keeps every row in memory), so that a
// large release is opened in bounded memory (a format without ScanTable is read whole, in
// memory, with every table). The caller closes Side.Set with Close.
func Open(dir string, f write.Format, spillDir string) (Side, error) {
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		dir = resolved
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return Side{}, err
	}
	s, err := schemas.Load()
	if b, rerr := os.ReadFile(filepath.Join(dir, SchemaFile)); rerr == nil {
		s, err = schemas.Parse(b)
	} else if !errors.Is(rerr, os.ErrNotExist) {
		return Side{}, fmt.Errorf("read schema of %s: %w", dir, rerr)
	}
	if err != nil {
		return Side{}, fmt.Errorf("schema of %s: %w", dir, err)
	}
	info := table.Info{Dataset: m.Dataset, ReleaseID: m.ReleaseID}
	sc, ok := f.(tableScanner)
	if !ok {
		set, err := f.Read(dir, s, info)
		if err != nil {
			return Side{}, fmt.Errorf("read release %s: %w", m.ReleaseID, err)
		}
		return Side{Set: set, Manifest: m}, nil
	}
	set := table.NewSet(s)
	if spillDir != "" {
		set.Spill(spillDir)
	}
	found := set.Tables[:0:0]
	for _, t := range set.Tables {
		if !compared(t.Schema) {
			continue
		}
		ok, err := sc.ScanTable(dir, t.Schema, info, t.Append)
		if err != nil {
			set.Close()
			return Side{}, fmt.Errorf("read release %s: table %s: %w", m.ReleaseID, t.Name(), err)
		}
		if ok { // a table the release has no file for is left out, as Read leaves it out
			found = append(found, t)
		}
	}
	set.Tables = found
	return Side{Set: set, Manifest: m}, nil
}

// compared says whether Diff compares a table: views and the changes table are derived.
func compared(ts *schemas.Table) bool { return !ts.View && ts.Name != "changes" }

// Diff appends to out, a table with the schema of the `changes` table, a row for every row
// added, modified or removed between old and new. Views and the changes table itself are not
// compared. Each table is compared as a merge of its two sides read in primary-key order, so
// that neither side is held in memory.
func Diff(old, new Side, out *table.Table) error {
	planChanged, refChanged := changedFiles(old.Manifest.Sources, new.Manifest.Sources)
	pipelineChanged := old.Manifest.PipelineVersion != new.Manifest.PipelineVersion || old.Manifest.SchemaVersion != new.Manifest.SchemaVersion
	cause := func(tableName string) string {
		switch {
		case pipelineChanged:
			return CausePipeline
		case slices.Contains(referenceTables, tableName) || !planChanged && refChanged:
			return CauseReference
		default:
			return CauseSource
		}
	}
	e := &emitter{out: out, row: make(table.Row, len(out.Schema.Columns)), previous: old.Manifest.ReleaseID}
	for _, c := range []string{"table_name", "row_key", "change", "fields", "before", "after", "cause", "previous_release_id"} {
		i := out.Schema.Index(c)
		if i < 0 {
			return fmt.Errorf("diff: table %s has no column %s", out.Name(), c)
		}
		e.cols = append(e.cols, i)
	}
	for _, nt := range new.Set.Tables {
		if !compared(nt.Schema) {
			continue
		}
		e.table, e.cause = nt.Name(), cause(nt.Name())
		if err := diffTable(old.Set.Table(nt.Name()), nt, e); err != nil {
			return fmt.Errorf("diff %s: %w", nt.Name(), err)
		}
	}
	for _, ot := range old.Set.Tables { // tables that no longer exist
		if !compared(ot.Schema) || new.Set.Table(ot.Name()) != nil {
			continue
		}
		e.table, e.cause = ot.Name(), cause(ot.Name())
		if err := diffTable(ot, nil, e); err != nil {
			return fmt.Errorf("diff %s: %w", ot.Name(), err)
		}
	}
	return nil
}

// emitter appends change rows for one table at a time.
type emitter struct {
	out          *table.Table
	row          table.Row
	cols         []int // table_name, row_key, change, fields, before, after, cause, previous_release_id
	previous     string
	table, cause string
}

func (e *emitter) emit(key, change string, fields []string, before, after any) error {
	r := e.row
	clear(r)
	r[e.cols[0]] = e.table
	r[e.cols[1]] = key
	r[e.cols[2]] = change
	if len(fields) > 0 {
		r[e.cols[3]] = fields
	}
	r[e.cols[4]] = before
	r[e.cols[5]] = after
	r[e.cols[6]] = e.cause
	r[e.cols[7]] = e.previous
	return e.out.Append(r)
}

func (e *emitter) added(s *schemas.Table, r table.Row) error {
	return e.emit(rowKey(s, r), "added", nil, nil, object(s, r, nil))
}

func (e *emitter) removed(s *schemas.Table, r table.Row) error {
	return e.emit(rowKey(s, r), "removed", nil, object(s, r, nil), nil)
}

// errStop ends a scan that its reader no longer wants.
var errStop = errors.New("stop")

// diffTable emits the changes from ot to nt, either of which may be nil (a table on one side
// only). Both tables read back in the order of their primary key's canonical bytes
// (sortKey); nt is scanned and ot pulled along beside it.
func diffTable(ot, nt *table.Table, e *emitter) error {
	if ot == nil {
		return nt.Scan(func(r table.Row) error { return e.added(nt.Schema, r) })
	}
	if nt == nil {
		return ot.Scan(func(r table.Row) error { return e.removed(ot.Schema, r) })
	}
	var scanErr error
	next, stop := iter.Pull(func(yield func(table.Row) bool) {
		scanErr = ot.Scan(func(r table.Row) error {
			if !yield(r) {
				return errStop
			}
			return nil
		})
		if scanErr == errStop {
			scanErr = nil
		}
	})
	defer stop()

	okeys, nkeys := keyColumns(ot.Schema), keyColumns(nt.Schema)
	fd := newFieldDiff(ot.Schema, nt.Schema)
	var or table.Row // the old row not yet matched, valid until next is called again
	var okey, nkey []byte
	more := true
	advance := func() error {
		if or, more = next(); more {
			okey = sortKey(okey[:0], or, okeys)
			return nil
		}
		return scanErr
	}
	if err := advance(); err != nil {
		return err
	}
	err := nt.Scan(func(nr table.Row) error {
		nkey = sortKey(nkey[:0], nr, nkeys)
		for more {
			c := bytes.Compare(okey, nkey)
			if c > 0 {
				break
			}
			if c < 0 {
				if err := e.removed(ot.Schema, or); err != nil {
					return err
				}
				if err := advance(); err != nil {
					return err
				}
				continue
			}
			if fields := fd.changed(or, nr); len(fields) > 0 {
				if err := e.emit(rowKey(nt.Schema, nr), "modified", fields, object(ot.Schema, or, fields), object(nt.Schema, nr, fields)); err != nil {
					return err
				}
			}
			return advance()
		}
		return e.added(nt.Schema, nr)
	})
	if err != nil {
		return err
	}
	for more {
		if err := e.removed(ot.Schema, or); err != nil {
			return err
		}
		if err := advance(); err != nil {
			return err
		}
	}
	return nil
}

func keyColumns(s *schemas.Table) []int {
	cols := make([]int, len(s.PrimaryKey))
	for i, k := range s.PrimaryKey {
		cols[i] = s.Index(k)
	}
	return cols
}

// sortKey appends the bytes a Table orders rows by: the canonical text of each key cell
// followed by a zero byte. Compared with bytes.Compare, they give the order Scan reads in.
func sortKey(dst []byte, r table.Row, keys []int) []byte {
	for _, k := range keys {
		dst = table.AppendCanon(dst, r[k])
		dst = append(dst, 0)
	}
	return dst
}

// changedFiles says whether a plan file and whether a reference file differ between two
// source lists.
func changedFiles(old, new []FileEntry) (plan, ref bool) {
	hashes := map[string]string{}
	for _, f := range old {
		hashes[f.Path] = f.SHA256
	}
	mark := func(p string) {
		if slices.Contains(referenceFiles, p) {
			ref = true
		} else {
			plan = true
		}
	}
	for _, f := range new {
		if h, ok := hashes[f.Path]; !ok || h != f.SHA256 {
			mark(f.Path)
		}
		delete(hashes, f.Path)
	}
	for p := range hashes {
		mark(p)
	}
	return plan, ref
}

// rowKey joins the primary key values of a row with '/'.
func rowKey(s *schemas.Table, r table.Row) string {
	parts := make([]string, len(s.PrimaryKey))
	for i, k := range s.PrimaryKey {
		v := r[s.Index(k)]
		if str, ok := v.(string); ok {
			parts[i] = str
		} else {
			parts[i] = table.Canon(v)
		}
	}
	return strings.Join(parts, "/")
}

// fieldDiff compares rows of two versions of a table's schema by column name.
type fieldDiff struct {
	cols    []string // the new schema's columns, then the columns dropped from the old one
	old     []int    // for each new column, its index in the old schema or -1
	dropped []string
	a, b    []byte
}

func newFieldDiff(olds, ns *schemas.Table) *fieldDiff {
	d := &fieldDiff{}
	for _, c := range ns.Columns {
		d.cols = append(d.cols, c.Name)
		d.old = append(d.old, olds.Index(c.Name))
	}
	for _, c := range olds.Columns {
		if ns.Index(c.Name) < 0 {
			d.dropped = append(d.dropped, c.Name)
		}
	}
	return d
}

// changed lists the columns whose canonical values differ, including columns present on one
// side only, in the new schema's order followed by dropped columns.
func (d *fieldDiff) changed(or, nr table.Row) []string {
	var fields []string
	for i, j := range d.old {
		if j >= 0 {
			d.a = table.AppendCanon(d.a[:0], or[j])
			d.b = table.AppendCanon(d.b[:0], nr[i])
			if bytes.Equal(d.a, d.b) {
				continue
			}
		}
		fields = append(fields, d.cols[i])
	}
	return append(fields, d.dropped...)
}

// object renders the named fields of a row (all when fields is nil) as a JSON object in
// column order. Dates are written as YYYY-MM-DD strings.
func object(s *schemas.Table, r table.Row, fields []string) string {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for i, c := range s.Columns {
		if fields != nil && !slices.Contains(fields, c.Name) {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(c.Name)
		b.Write(k)
		b.WriteByte(':')
		v := r[i]
		if d, ok := v.(time.Time); ok {
			v = d.Format("2006-01-02")
		}
		j, _ := json.Marshal(v)
		b.Write(j)
	}
	b.WriteByte('}')
	return b.String()
}

// WriteChangesFile writes CHANGES.md into a release folder.
func WriteChangesFile(dir, releaseID string, previous string, changes *table.Table) error {
	return atomic.WriteFile(filepath.Join(dir, ChangesFile), func(w io.Writer) error {
		return WriteChanges(w, releaseID, previous, changes)
	})
}

// FormatChanges is WriteChanges into a string, for a small changes table.
func FormatChanges(releaseID, previous string, changes *table.Table) (string, error) {
	var b strings.Builder
	err := WriteChanges(&b, releaseID, previous, changes)
	return b.String(), err
}

// WriteChanges renders the changes table as Markdown to w: counts per table, then every
// change. It reads the table twice and holds only the counts; writes to w are buffered.
func WriteChanges(w io.Writer, releaseID, previous string, changes *table.Table) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := writeChanges(&errWriter{w: bw}, releaseID, previous, changes); err != nil {
		return err
	}
	return bw.Flush()
}

func writeChanges(ew *errWriter, releaseID, previous string, changes *table.Table) error {
	fmt.Fprintf(ew, "# Changes in %s\n\n", releaseID)
	if previous == "" {
		io.WriteString(ew, "First release: there is no previous release to compare with.\n")
		return ew.err
	}
	fmt.Fprintf(ew, "Compared with %s.\n\n", previous)
	if changes.Len() == 0 {
		io.WriteString(ew, "No row was added, modified or removed.\n")
		return ew.err
	}
	s := changes.Schema
	ti, ci, ki, fi := s.Index("table_name"), s.Index("change"), s.Index("row_key"), s.Index("fields")
	bi, ai, causei := s.Index("before"), s.Index("after"), s.Index("cause")
	type count struct{ added, modified, removed int }
	counts := map[string]*count{}
	var order []string
	err := changes.Scan(func(r table.Row) error {
		t := r[ti].(string)
		if counts[t] == nil {
			counts[t] = &count{}
			order = append(order, t)
		}
		switch r[ci] {
		case "added":
			counts[t].added++
		case "modified":
			counts[t].modified++
		case "removed":
			counts[t].removed++
		}
		return nil
	})
	if err != nil {
		return err
	}
	io.WriteString(ew, "| table | added | modified | removed |\n| --- | --- | --- | --- |\n")
	for _, t := range order {
		c := counts[t]
		fmt.Fprintf(ew, "| `%s` | %d | %d | %d |\n", t, c.added, c.modified, c.removed)
	}
	io.WriteString(ew, "\n")
	err = changes.Scan(func(r table.Row) error {
		fmt.Fprintf(ew, "- %s `%s` %s (%s)", r[ci], r[ti], r[ki], r[causei])
		if f, ok := r[fi].([]string); ok {
			fmt.Fprintf(ew, ": %s", strings.Join(f, ", "))
		}
		io.WriteString(ew, "\n")
		if v, ok := r[bi].(string); ok {
			fmt.Fprintf(ew, "  - before: `%s`\n", v)
		}
		if v, ok := r[ai].(string); ok {
			fmt.Fprintf(ew, "  - after: `%s`\n", v)
		}
		return ew.err
	})
	if err != nil {
		return err
	}
	return ew.err
}

// errWriter keeps the first write error, so that a long run of writes checks it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

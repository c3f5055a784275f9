package release

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// Side is one release of a comparison: its tables and its manifest.
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
// through the given format.
func Open(dir string, f write.Format) (Side, error) {
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
	set, err := f.Read(dir, s, table.Info{Dataset: m.Dataset, ReleaseID: m.ReleaseID})
	if err != nil {
		return Side{}, fmt.Errorf("read release %s: %w", m.ReleaseID, err)
	}
	return Side{Set: set, Manifest: m}, nil
}

// Diff lists every row added, modified or removed between old and new, as rows of the
// `changes` table of new's schema. Views and the changes table itself are not compared.
func Diff(old, new Side) []table.Row {
	cs := new.Set.Schema.Table("changes")
	if cs == nil { // a release built before the changes table existed
		cs = schemas.MustLoad().Table("changes")
	}
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

	var rows []table.Row
	emit := func(tableName, key, change string, fields []string, before, after any) {
		r := make(table.Row, len(cs.Columns))
		set := func(col string, v any) { r[cs.Index(col)] = v }
		set("table_name", tableName)
		set("row_key", key)
		set("change", change)
		if len(fields) > 0 {
			set("fields", fields)
		}
		set("before", before)
		set("after", after)
		set("cause", cause(tableName))
		set("previous_release_id", old.Manifest.ReleaseID)
		rows = append(rows, r)
	}
	for _, nt := range new.Set.Tables {
		if nt.Schema.View || nt.Name() == "changes" {
			continue
		}
		ot := old.Set.Table(nt.Name())
		oldRows := map[string]table.Row{}
		if ot != nil {
			for _, r := range ot.Rows {
				oldRows[rowKey(ot.Schema, r)] = r
			}
		}
		newKeys := map[string]bool{}
		for _, r := range nt.Rows {
			key := rowKey(nt.Schema, r)
			newKeys[key] = true
			or, ok := oldRows[key]
			if !ok {
				emit(nt.Name(), key, "added", nil, nil, object(nt.Schema, r, nil))
				continue
			}
			fields := changedFields(ot.Schema, or, nt.Schema, r)
			if len(fields) > 0 {
				emit(nt.Name(), key, "modified", fields, object(ot.Schema, or, fields), object(nt.Schema, r, fields))
			}
		}
		if ot != nil {
			for _, r := range ot.Rows {
				if key := rowKey(ot.Schema, r); !newKeys[key] {
					emit(nt.Name(), key, "removed", nil, object(ot.Schema, r, nil), nil)
				}
			}
		}
	}
	for _, ot := range old.Set.Tables { // tables that no longer exist
		if ot.Schema.View || ot.Name() == "changes" || new.Set.Table(ot.Name()) != nil {
			continue
		}
		for _, r := range ot.Rows {
			emit(ot.Name(), rowKey(ot.Schema, r), "removed", nil, object(ot.Schema, r, nil), nil)
		}
	}
	ti, ki := cs.Index("table_name"), cs.Index("row_key")
	slices.SortStableFunc(rows, func(a, b table.Row) int {
		if c := strings.Compare(a[ti].(string), b[ti].(string)); c != 0 {
			return c
		}
		return strings.Compare(a[ki].(string), b[ki].(string))
	})
	return rows
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

// changedFields lists the columns whose canonical values differ, including columns present on
// one side only, in the new schema's order followed by dropped columns.
func changedFields(olds *schemas.Table, or table.Row, ns *schemas.Table, nr table.Row) []string {
	var fields []string
	for i, c := range ns.Columns {
		j := olds.Index(c.Name)
		if j < 0 || table.Canon(or[j]) != table.Canon(nr[i]) {
			fields = append(fields, c.Name)
		}
	}
	for _, c := range olds.Columns {
		if ns.Index(c.Name) < 0 {
			fields = append(fields, c.Name)
		}
	}
	return fields
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
		_, err := io.WriteString(w, FormatChanges(releaseID, previous, changes))
		return err
	})
}

// FormatChanges renders the changes table as Markdown: counts per table, then every change.
func FormatChanges(releaseID, previous string, changes *table.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Changes in %s\n\n", releaseID)
	if previous == "" {
		b.WriteString("First release: there is no previous release to compare with.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Compared with %s.\n\n", previous)
	if len(changes.Rows) == 0 {
		b.WriteString("No row was added, modified or removed.\n")
		return b.String()
	}
	col := func(r table.Row, name string) any { return r[changes.Schema.Index(name)] }
	type count struct{ added, modified, removed int }
	counts := map[string]*count{}
	var order []string
	for _, r := range changes.Rows {
		t := col(r, "table_name").(string)
		if counts[t] == nil {
			counts[t] = &count{}
			order = append(order, t)
		}
		switch col(r, "change") {
		case "added":
			counts[t].added++
		case "modified":
			counts[t].modified++
		case "removed":
			counts[t].removed++
		}
	}
	b.WriteString("| table | added | modified | removed |\n| --- | --- | --- | --- |\n")
	for _, t := range order {
		c := counts[t]
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d |\n", t, c.added, c.modified, c.removed)
	}
	b.WriteString("\n")
	for _, r := range changes.Rows {
		fmt.Fprintf(&b, "- %s `%s` %s (%s)", col(r, "change"), col(r, "table_name"), col(r, "row_key"), col(r, "cause"))
		if f, ok := col(r, "fields").([]string); ok {
			fmt.Fprintf(&b, ": %s", strings.Join(f, ", "))
		}
		b.WriteString("\n")
		if v, ok := col(r, "before").(string); ok {
			fmt.Fprintf(&b, "  - before: `%s`\n", v)
		}
		if v, ok := col(r, "after").(string); ok {
			fmt.Fprintf(&b, "  - after: `%s`\n", v)
		}
	}
	return b.String()
}

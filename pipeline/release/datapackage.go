package release

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// DataPackageFile is the Frictionless Data Package descriptor inside a release.
const DataPackageFile = "datapackage.json"

// The descriptor follows Data Package v1 (specs.frictionlessdata.io/data-package), with one
// Tabular Data Resource per CSV file and a Table Schema per resource. Struct field order is the
// JSON key order, and every array is built in schema or row order, so the file is
// deterministic.
type dataPackage struct {
	Profile      string       `json:"profile"`
	Name         string       `json:"name"`
	Title        string       `json:"title"`
	Description  string       `json:"description"`
	Version      string       `json:"version"`
	Created      string       `json:"created"`
	Keywords     []string     `json:"keywords"`
	Licenses     []dpLicense  `json:"licenses"`
	Contributors []dpPerson   `json:"contributors"`
	Sources      []dpSource   `json:"sources,omitempty"` // the profile requires at least one when present
	Resources    []dpResource `json:"resources"`
}

type dpLicense struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

type dpPerson struct {
	Title string `json:"title"`
	Role  string `json:"role"`
}

type dpSource struct {
	Title string `json:"title"`
	Path  string `json:"path"`
}

type dpResource struct {
	Name        string    `json:"name"`
	Path        string    `json:"path"`
	Profile     string    `json:"profile"`
	Description string    `json:"description"`
	Format      string    `json:"format"`
	Mediatype   string    `json:"mediatype"`
	Encoding    string    `json:"encoding"`
	Bytes       int64     `json:"bytes"`
	Hash        string    `json:"hash"`
	Dialect     dpDialect `json:"dialect"`
	Schema      dpSchema  `json:"schema"`
}

// dpDialect is the CSV Dialect of the files pipeline/write/csv writes: encoding/csv with its
// defaults except that records end in "\n". Fields with a leading space are quoted by
// encoding/csv, and a space after a delimiter belongs to the field.
type dpDialect struct {
	Delimiter        string `json:"delimiter"`
	DoubleQuote      bool   `json:"doubleQuote"`
	LineTerminator   string `json:"lineTerminator"`
	QuoteChar        string `json:"quoteChar"`
	SkipInitialSpace bool   `json:"skipInitialSpace"`
	Header           bool   `json:"header"`
}

var csvDialect = dpDialect{
	Delimiter:        ",",
	DoubleQuote:      true,
	LineTerminator:   "\n",
	QuoteChar:        `"`,
	SkipInitialSpace: false,
	Header:           true,
}

type dpSchema struct {
	Fields        []dpField      `json:"fields"`
	MissingValues []string       `json:"missingValues"`
	PrimaryKey    []string       `json:"primaryKey"`
	ForeignKeys   []dpForeignKey `json:"foreignKeys,omitempty"`
}

type dpField struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	Description string         `json:"description"`
	Constraints *dpConstraints `json:"constraints,omitempty"`
}

type dpConstraints struct {
	Required bool `json:"required"`
}

// dpForeignKey is a single-column foreign key: schemas only allows references to a
// single-column primary key.
type dpForeignKey struct {
	Fields    string      `json:"fields"`
	Reference dpReference `json:"reference"`
}

type dpReference struct {
	Resource string `json:"resource"` // "" is the resource itself
	Fields   string `json:"fields"`
}

// fieldTypes maps column types to Table Schema field types. A text list is written to CSV as
// a JSON array of strings, which is the Table Schema "array" type's lexical form.
var fieldTypes = map[schemas.Type]string{
	schemas.Text:     "string",
	schemas.Integer:  "integer",
	schemas.Double:   "number",
	schemas.Date:     "date",
	schemas.TextList: "array",
}

// Package-level texts of the descriptor.
const (
	dpTitle       = "plandata: Industrial Internet Special Working Group work plans"
	dpDescription = "The annual work plans of China's Industrial Internet Special Working Group " +
		"(工业互联网专项工作组, led by the Ministry of Industry and Information Technology) as typed tables: " +
		"plans, task categories, specific measures with their responsible units, deadlines, quantitative " +
		"targets, named regions, member agencies and the later documents that delivered measures. Every fact " +
		"row links to at least one public source in `evidence` and carries a confidence; what is not known " +
		"stays empty.\n\n" +
		"工业互联网专项工作组年度工作计划的结构化数据：计划、任务类别、具体举措及其责任单位、完成时限、量化目标、" +
		"涉及地区、成员单位和后续落实文件。每条事实均在 `evidence` 表中关联至少一个公开来源，并标注可信度；未知信息留空。"
)

var dpKeywords = []string{
	"China", "industrial internet", "工业互联网", "MIIT", "工业和信息化部", "work plan", "工作计划", "policy",
}

// csvPath is the path of a table's CSV file inside a release, as pipeline/write/csv writes it.
func csvPath(name string) string { return "csv/" + name + ".csv" }

// DataPackage writes datapackage.json into the release folder dir: a Frictionless Data
// Package with one tabular resource per CSV file of set. The CSV files must already be in
// dir: each resource records the size and sha256 of its file as it is on disk.
func DataPackage(dir string, set *table.Set, info table.Info) error {
	path := filepath.Join(dir, DataPackageFile)
	dp, err := describe(dir, set, info)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(dp); err != nil { // Encode ends the text with a newline
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return atomic.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(b.Bytes())
		return err
	})
}

func describe(dir string, set *table.Set, info table.Info) (*dataPackage, error) {
	if info.Dataset == "" {
		return nil, fmt.Errorf("no dataset name")
	}
	dp := &dataPackage{
		Profile:     "tabular-data-package",
		Name:        info.Dataset,
		Title:       dpTitle,
		Description: dpDescription,
		Version:     info.ReleaseID,
		Created:     info.Date.UTC().Format(time.RFC3339),
		Keywords:    dpKeywords,
		Licenses: []dpLicense{{
			Name:  "CC-BY-4.0",
			Path:  "https://creativecommons.org/licenses/by/4.0/",
			Title: "Creative Commons Attribution 4.0",
		}},
		Contributors: []dpPerson{{Title: "plandata", Role: "author"}},
	}
	srcs, err := packageSources(set)
	if err != nil {
		return nil, err
	}
	dp.Sources = srcs
	for _, t := range set.Tables {
		r, err := describeTable(dir, set, t.Schema)
		if err != nil {
			return nil, err
		}
		dp.Resources = append(dp.Resources, r)
	}
	return dp, nil
}

// packageSources lists every row of the sources table, in its (primary key) order.
func packageSources(set *table.Set) ([]dpSource, error) {
	t := set.Table("sources")
	if t == nil {
		return nil, nil
	}
	ti, ui := t.Schema.Index("title"), t.Schema.Index("url")
	if ti < 0 || ui < 0 {
		return nil, fmt.Errorf("table sources has no title or url column")
	}
	rows, err := t.All() // a reference table: a few hundred rows
	if err != nil {
		return nil, fmt.Errorf("table sources: %w", err)
	}
	var out []dpSource
	for i, r := range rows {
		title, ok1 := r[ti].(string)
		url, ok2 := r[ui].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("sources row %d: title or url is not text", i)
		}
		out = append(out, dpSource{Title: title, Path: url})
	}
	return out, nil
}

func describeTable(dir string, set *table.Set, ts *schemas.Table) (dpResource, error) {
	rel := csvPath(ts.Name)
	fe, err := hashFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return dpResource{}, fmt.Errorf("resource %s: %w", ts.Name, err)
	}
	sch := dpSchema{MissingValues: []string{""}, PrimaryKey: append([]string{}, ts.PrimaryKey...)}
	for _, c := range ts.Columns {
		typ, ok := fieldTypes[c.Type]
		if !ok {
			return dpResource{}, fmt.Errorf("%s.%s: no Table Schema type for %q", ts.Name, c.Name, c.Type)
		}
		f := dpField{Name: c.Name, Type: typ, Description: c.DescriptionEN + " / " + c.DescriptionZH}
		if c.Required {
			f.Constraints = &dpConstraints{Required: true}
		}
		sch.Fields = append(sch.Fields, f)
		if c.References == "" || ts.View {
			continue // a view (tasks_flat) is derived from keyed tables and carries no foreign keys
		}
		ref := c.RefTable()
		if set.Table(ref) == nil {
			return dpResource{}, fmt.Errorf("%s.%s references %s, which is not in the release", ts.Name, c.Name, c.References)
		}
		if ref == ts.Name {
			ref = "" // Table Schema's self-reference
		}
		sch.ForeignKeys = append(sch.ForeignKeys, dpForeignKey{
			Fields:    c.Name,
			Reference: dpReference{Resource: ref, Fields: c.RefColumn()},
		})
	}
	return dpResource{
		Name:        ts.Name,
		Path:        rel,
		Profile:     "tabular-data-resource",
		Description: ts.DescriptionEN + "\n\n" + ts.DescriptionZH,
		Format:      "csv",
		Mediatype:   "text/csv",
		Encoding:    "utf-8",
		Bytes:       fe.Bytes,
		Hash:        "sha256:" + fe.SHA256,
		Dialect:     csvDialect,
		Schema:      sch,
	}, nil
}

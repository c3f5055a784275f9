// Package schemas declares every published table once: column names, types, nullability,
// descriptions in English and Chinese, primary and foreign keys. Every writer derives its
// schema from here.
package schemas

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed tables.yaml
var tablesYAML []byte

// Type is a column type.
type Type string

// Column types. Each maps to one Go type in table rows.
const (
	Text     Type = "text"      // string
	Integer  Type = "integer"   // int64
	Double   Type = "double"    // float64
	Date     Type = "date"      // time.Time at UTC midnight
	TextList Type = "text_list" // []string
)

// Column is one column of a table.
type Column struct {
	Name          string `yaml:"name"`
	Type          Type   `yaml:"type"`
	Required      bool   `yaml:"required"`
	References    string `yaml:"references"` // "table.column", or empty
	DescriptionEN string `yaml:"description_en"`
	DescriptionZH string `yaml:"description_zh"`
}

// RefTable and RefColumn split References.
func (c Column) RefTable() string  { t, _, _ := strings.Cut(c.References, "."); return t }
func (c Column) RefColumn() string { _, col, _ := strings.Cut(c.References, "."); return col }

// Table is one published table (or view).
type Table struct {
	Name          string   `yaml:"name"`
	DescriptionEN string   `yaml:"description_en"`
	DescriptionZH string   `yaml:"description_zh"`
	PrimaryKey    []string `yaml:"primary_key"`
	View          bool     `yaml:"view"`
	ViewSQL       string   `yaml:"view_sql"`
	Columns       []Column `yaml:"columns"`
}

// Index returns the position of the named column, or -1.
func (t *Table) Index(name string) int {
	return slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == name })
}

// Column returns the named column; it panics when the schema has no such column, which is a
// programming error.
func (t *Table) Column(name string) Column {
	i := t.Index(name)
	if i < 0 {
		panic(fmt.Sprintf("schemas: table %s has no column %s", t.Name, name))
	}
	return t.Columns[i]
}

// Set is the whole declaration.
type Set struct {
	Version int      `yaml:"version"`
	Tables  []*Table `yaml:"tables"`
}

// Table returns the named table or nil.
func (s *Set) Table(name string) *Table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Raw returns the declaration as written, so that a release can carry the schema it was built
// with and later be read back with it.
func Raw() []byte { return slices.Clone(tablesYAML) }

// Load parses the embedded declaration. It fails only if the embedded file is broken.
func Load() (*Set, error) {
	return Parse(tablesYAML)
}

// MustLoad is Load for callers that run after the schema tests passed.
func MustLoad() *Set {
	s, err := Load()
	if err != nil {
		panic(err)
	}
	return s
}

// Parse reads a declaration strictly and checks it for consistency.
func Parse(b []byte) (*Set, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var s Set
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse table schemas: %w", err)
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("table schemas: %w", err)
	}
	return &s, nil
}

// Version identifies the declaration: it changes whenever any table, column or description
// changes, so release ids and manifests can name the schema they were built with.
func Version() string {
	return fmt.Sprintf("%x", sha256.Sum256(tablesYAML))[:12]
}

func (s *Set) check() error {
	seen := map[string]bool{}
	for _, t := range s.Tables {
		if seen[t.Name] {
			return fmt.Errorf("table %s declared twice", t.Name)
		}
		seen[t.Name] = true
		cols := map[string]bool{}
		for _, c := range t.Columns {
			if cols[c.Name] {
				return fmt.Errorf("%s.%s declared twice", t.Name, c.Name)
			}
			cols[c.Name] = true
			switch c.Type {
			case Text, Integer, Double, Date, TextList:
			default:
				return fmt.Errorf("%s.%s: unknown type %q", t.Name, c.Name, c.Type)
			}
			if c.DescriptionEN == "" || c.DescriptionZH == "" {
				return fmt.Errorf("%s.%s: English and Chinese descriptions are required", t.Name, c.Name)
			}
		}
		if len(t.PrimaryKey) == 0 {
			return fmt.Errorf("%s: no primary key", t.Name)
		}
		for _, k := range t.PrimaryKey {
			if !cols[k] {
				return fmt.Errorf("%s: primary key column %s not declared", t.Name, k)
			}
		}
	}
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if c.References == "" {
				continue
			}
			rt := s.Table(c.RefTable())
			if rt == nil || rt.Index(c.RefColumn()) < 0 {
				return fmt.Errorf("%s.%s references unknown %s", t.Name, c.Name, c.References)
			}
			if len(rt.PrimaryKey) != 1 || rt.PrimaryKey[0] != c.RefColumn() {
				return fmt.Errorf("%s.%s must reference a single-column primary key", t.Name, c.Name)
			}
		}
	}
	return nil
}

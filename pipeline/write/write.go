// Package write lists the output formats. Each format lives in its own package below this one
// and never imports another; every format passes the conformance test in this package.
package write

import (
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// Format writes a table set into a release folder and reads it back.
type Format interface {
	// Name is the format's short name: parquet, xlsx, duckdb, csv.
	Name() string
	// Write writes every table of set under dir and returns the paths it wrote, relative to
	// dir, with '/' separators, sorted. Each file is written under a temporary name and
	// renamed when complete.
	Write(dir string, set *table.Set, info table.Info) ([]string, error)
	// Read reads back what Write wrote under dir as a set with the given schema, converting
	// cells to the Go types of table.Row.
	Read(dir string, s *schemas.Set, info table.Info) (*table.Set, error)
}

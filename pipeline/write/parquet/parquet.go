// Package parquet writes and reads the parquet files of a release.
package parquet

import (
	"errors"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// Writer is the parquet format.
type Writer struct{}

// Name is the format's short name.
func (Writer) Name() string { return "parquet" }

// Write writes every table of set under dir.
func (Writer) Write(dir string, set *table.Set, info table.Info) ([]string, error) {
	return nil, errors.New("parquet: not written yet")
}

// Read reads back what Write wrote.
func (Writer) Read(dir string, s *schemas.Set, info table.Info) (*table.Set, error) {
	return nil, errors.New("parquet: not written yet")
}

package write

import (
	"github.com/plandata/plandata/pipeline/write/csv"
	"github.com/plandata/plandata/pipeline/write/duckdb"
	"github.com/plandata/plandata/pipeline/write/parquet"
	"github.com/plandata/plandata/pipeline/write/xlsx"
)

// All lists every output format, in the order a build writes them.
func All() []Format {
	return []Format{
		parquet.Writer{},
		xlsx.Writer{},
		duckdb.Writer{},
		csv.Writer{},
	}
}

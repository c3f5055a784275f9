package tabletest

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/plandata/plandata/pipeline/table"
)

// WriteCSV writes a table to path as CSV with a header, for benchmarks that compare a writer
// with DuckDB reading the same rows: NULL is empty, dates are YYYY-MM-DD, doubles take their
// shortest form and lists are written by list.
func WriteCSV(path string, t *table.Table, list func([]string) string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)
	rec := make([]string, len(t.Schema.Columns))
	for j, c := range t.Schema.Columns {
		rec[j] = c.Name
	}
	w.Write(rec)
	err = t.Scan(func(r table.Row) error {
		for j, v := range r {
			switch x := v.(type) {
			case nil:
				rec[j] = ""
			case string:
				rec[j] = x
			case int64:
				rec[j] = strconv.FormatInt(x, 10)
			case float64:
				rec[j] = strconv.FormatFloat(x, 'g', -1, 64)
			case time.Time:
				rec[j] = x.Format(time.DateOnly)
			case []string:
				rec[j] = list(x)
			}
		}
		return w.Write(rec)
	})
	if err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

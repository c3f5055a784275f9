package xlsx

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// read reads every table of s from the workbook at path.
func read(path string, s *schemas.Set) (*table.Set, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	set := table.NewSet(s)
	for _, t := range set.Tables {
		if !slices.Contains(sheets, t.Name()) {
			return nil, fmt.Errorf("no sheet %s", t.Name())
		}
		for n := 0; slices.Contains(sheets, sheetName(t.Name(), n)); n++ {
			if err := readSheet(f, sheetName(t.Name(), n), t); err != nil {
				return nil, fmt.Errorf("sheet %s: %w", sheetName(t.Name(), n), err)
			}
		}
	}
	return set, nil
}

// readSheet appends the rows of one sheet to t, after checking its header.
func readSheet(f *excelize.File, sheet string, t *table.Table) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := t.Schema.Columns
	want := make([]string, len(cols))
	for i, c := range cols {
		want[i] = c.Name
	}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return fmt.Errorf("row %d: %w", n, err)
		}
		if n == 1 {
			if !slices.Equal(want, cells) {
				return fmt.Errorf("header %q is not the columns of %s %q", cells, t.Name(), want)
			}
			continue
		}
		if len(cells) > len(cols) {
			return fmt.Errorf("row %d: %d cells for %d columns", n, len(cells), len(cols))
		}
		r := make(table.Row, len(cols))
		for j, c := range cols {
			if j >= len(cells) || cells[j] == "" {
				continue
			}
			if r[j], err = parseCell(c.Type, cells[j]); err != nil {
				ref, _ := excelize.CoordinatesToCellName(j+1, n)
				return fmt.Errorf("cell %s (%s): %w", ref, c.Name, err)
			}
		}
		t.Rows = append(t.Rows, r)
	}
	if err := rows.Error(); err != nil {
		return err
	}
	return nil
}

// parseCell converts the raw text of a non-empty cell to the Go type of its column.
func parseCell(typ schemas.Type, s string) (any, error) {
	switch typ {
	case schemas.Text:
		return s, nil
	case schemas.TextList:
		return strings.Split(s, listSep), nil
	case schemas.Integer:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		return int64(x), nil
	case schemas.Double:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return x, nil
	case schemas.Date:
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			return d, nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date", s)
		}
		return serialDate(x)
	}
	return nil, fmt.Errorf("unknown column type %q", typ)
}

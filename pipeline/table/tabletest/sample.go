// Package tabletest builds table sets for the writers' tests: every declared table filled with
// a few rows that exercise each column type, NULLs, Chinese text, text that looks like a
// formula or a number, and keys that satisfy every primary and foreign key.
package tabletest

import (
	"fmt"

	"github.com/plandata/plandata/pipeline/normalize"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// Rows is the number of rows Sample puts in each table.
const Rows = 3

var texts = []string{
	"工业互联网 5G全连接工厂",
	"=SUM(A1:A2)",
	"+86 010; \"quoted\", comma\nsecond line",
}

var lists = [][]string{
	{"网络", "平台", "安全"},
	{"=1+1"},
	nil,
}

// Sample returns a checked set with Rows rows in every table.
func Sample(s *schemas.Set) *table.Set {
	set := table.NewSet(s)
	key := func(t *schemas.Table, col string, i int) string {
		if col == "gb2260_code" {
			return fmt.Sprintf("0%d0000", i+1)
		}
		return fmt.Sprintf("%s-%s-%d", t.Name, col, i)
	}
	for _, t := range set.Tables {
		if t.Schema.View {
			continue
		}
		for i := 0; i < Rows; i++ {
			r := make(table.Row, len(t.Schema.Columns))
			for j, c := range t.Schema.Columns {
				r[j] = cell(t.Schema, c, i, key)
			}
			if err := t.Append(r); err != nil {
				panic(err)
			}
		}
	}
	// tasks_flat is derived from the base tables, as a build derives it.
	rows, err := normalize.Flat(set)
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		if err := set.Table("tasks_flat").Append(r); err != nil {
			panic(err)
		}
	}
	return set
}

func cell(t *schemas.Table, c schemas.Column, i int, key func(*schemas.Table, string, int) string) any {
	isKey := false
	for _, k := range t.PrimaryKey {
		isKey = isKey || k == c.Name
	}
	if c.References != "" {
		if c.RefTable() == t.Name { // self reference: the previous row, none for the first
			if i == 0 {
				return nil
			}
			return key(t, c.RefColumn(), i-1)
		}
		rt := &schemas.Table{Name: c.RefTable()}
		return key(rt, c.RefColumn(), i)
	}
	if isKey {
		if c.Type == schemas.Integer {
			return int64(i)
		}
		return key(t, c.Name, i)
	}
	if !c.Required && i == Rows-1 {
		return nil
	}
	switch c.Type {
	case schemas.Integer:
		return []int64{0, -5, 1 << 40}[i]
	case schemas.Double:
		return []float64{0.1, 2.5e6, -3}[i]
	case schemas.Date:
		return []any{table.Date(2022, 4, 13), table.Date(1999, 12, 31), table.Date(2026, 2, 28)}[i]
	case schemas.TextList:
		if lists[i] == nil {
			return []string{"列表"}
		}
		return lists[i]
	default:
		if c.Name == "gb2260_code" {
			return fmt.Sprintf("0%d0000", i+1)
		}
		return texts[i]
	}
}

// Info is the release description the writers' tests use.
var Info = table.Info{
	Dataset:   "plandata",
	ReleaseID: "2022-04-13-000000000000",
	Date:      table.Date(2022, 4, 13),
	Version:   "test",
}

// EdgeYAML declares one table with a column of every type, for the extreme values each
// format's own tests put in it.
const EdgeYAML = `
version: 1
tables:
  - name: edge
    description_en: Edge cases.
    description_zh: 边界情况。
    primary_key: [id]
    columns:
      - {name: id, type: text, required: true, description_en: Key., description_zh: 键。}
      - {name: n, type: integer, description_en: Integer., description_zh: 整数。}
      - {name: x, type: double, description_en: Double., description_zh: 浮点数。}
      - {name: d, type: date, description_en: Date., description_zh: 日期。}
      - {name: l, type: text_list, description_en: List., description_zh: 列表。}
      - {name: s, type: text, description_en: Text., description_zh: 文本。}
`

// EdgeSchema is a schema of one table, edge, with a column of every type: id (text key), n
// (integer), x (double), d (date), l (text_list), s (text).
func EdgeSchema() *schemas.Set {
	s, err := schemas.Parse([]byte(EdgeYAML))
	if err != nil {
		panic(err)
	}
	return s
}

package xlsx

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// benchRows is the rows of the tasks table BenchmarkWrite writes.
const benchRows = 100_000

// han is the characters of the Chinese text of tasksSet.
var han = []rune("工业互联网平台建设推进网络安全标识解析体系数字化转型中小企业融合应用创新发展行动计划专项工作组成员单位年度目标成果部门省市")

// tasksSet is a set whose tasks table holds n rows shaped like the real ones: ids like
// syn123-2022-m045, Chinese text of 20 to 60 characters, enums, dates and lists, some NULL.
// The other tables are empty.
func tasksSet(tb testing.TB, n int) *table.Set {
	tb.Helper()
	set := table.NewSet(schemas.MustLoad())
	t := set.Table("tasks")
	rng := rand.New(rand.NewPCG(1, 2))
	zh := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(han[rng.IntN(len(han))])
		}
		return b.String()
	}
	precision := []string{"day", "month", "quarter", "half", "year", "ongoing"}
	levels := []string{"high", "medium", "low"}
	ts := t.Schema
	for i := range n {
		r := make(table.Row, len(ts.Columns))
		set := func(col string, v any) { r[ts.Index(col)] = v }
		year := 2018 + i%8
		plan := fmt.Sprintf("syn%03d-%d", i/8%1000, year)
		set("task_id", fmt.Sprintf("%s-m%03d", plan, i/8000))
		set("plan_id", plan)
		if rng.IntN(4) > 0 {
			set("category_id", fmt.Sprintf("%s-c%02d", plan, rng.IntN(15)))
		}
		if rng.IntN(5) == 0 {
			set("category_confidence", levels[rng.IntN(3)])
		}
		set("summary_en", strings.Repeat("Promote the industrial internet platform. ", 1+rng.IntN(3)))
		set("summary_zh", zh(20+rng.IntN(41)))
		if rng.IntN(3) > 0 {
			set("key_terms_zh", []string{zh(4), zh(6), zh(3)})
		}
		if rng.IntN(2) == 0 {
			set("annual_goal_en", fmt.Sprintf("Build %d demonstration factories by the end of the year", rng.IntN(100)))
		}
		set("responsible_as_written", zh(10+rng.IntN(20)))
		set("deadline_as_written", fmt.Sprintf("%d年%d月底前", year, 1+rng.IntN(12)))
		if rng.IntN(5) > 0 {
			set("deadline_date", table.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28)))
		}
		set("deadline_precision", precision[rng.IntN(len(precision))])
		set("confidence", levels[rng.IntN(3)])
		if rng.IntN(10) == 0 {
			set("note", "Curator's note: "+zh(30))
		}
		if err := t.Append(r); err != nil {
			tb.Fatal(err)
		}
	}
	return set
}

// BenchmarkWrite writes a workbook whose tasks table has benchRows rows; ns/row and ns/cell
// are per row and cell of that table.
func BenchmarkWrite(b *testing.B) {
	set := tasksSet(b, benchRows)
	cells := benchRows * len(set.Table("tasks").Schema.Columns)
	dir := b.TempDir()
	start := time.Now()
	for b.Loop() {
		if _, err := (Writer{}).Write(dir, set, info); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	b.ReportMetric(elapsed/benchRows, "ns/row")
	b.ReportMetric(elapsed/float64(cells), "ns/cell")
}

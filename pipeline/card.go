package pipeline

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
)

// writeCard writes README.md, the dataset card that travels inside every release.
func writeCard(dir string, set *table.Set, info table.Info) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# plandata release %s\n\n", info.ReleaseID)
	fmt.Fprintf(&b, "Released %s by pipeline version %s.\n\n", info.Date.Format("2006-01-02"), info.Version)
	b.WriteString(`The annual work plans of China's Industrial Internet Special Working Group
(工业互联网专项工作组, led by the Ministry of Industry and Information Technology with about 20
member agencies) as typed tables: plans, task categories (行动), specific measures (具体举措)
with their responsible units (责任单位), deadlines (完成时限), quantitative targets, named
regions, member agencies and the later documents that delivered measures. Every fact row
links to at least one public source in ` + "`evidence`" + ` and carries a confidence (high,
medium, low). What is not known stays empty and is counted: coverage against what each plan
declares is part of the data.

## Coverage

`)
	cov, err := coverage(set)
	if err != nil {
		return fmt.Errorf("write README.md: %w", err)
	}
	b.WriteString(cov)
	b.WriteString("\n## Files\n\n")
	fmt.Fprintf(&b, "- `%s.xlsx`: README and dictionary sheets, one sheet per table, `tasks_flat`.\n", info.Dataset)
	fmt.Fprintf(&b, "- `%s.duckdb`: every table with its primary key and comments, the `tasks_flat` view, and `foreign_keys`, which lists how the tables join.\n", info.Dataset)
	b.WriteString("- `parquet/<table>.parquet` and `csv/<table>.csv`: one file per table.\n")
	b.WriteString("- `manifest.json`: size and sha256 of every file, row counts and row digests per format.\n\n## Tables\n\n")
	b.WriteString("| table | rows | what it holds |\n| --- | --- | --- |\n")
	for _, t := range set.Tables {
		fmt.Fprintf(&b, "| `%s` | %d | %s |\n", t.Name(), t.Len(), t.Schema.DescriptionEN)
	}
	fmt.Fprintf(&b, `
## Licence and citation

The data is published under the Creative Commons Attribution 4.0 International licence
(CC BY 4.0). Cite it as:

> plandata: Industrial Internet Special Working Group work plans dataset, release %s (%s).

Summaries are the project's own words; names, titles, numbers and short official terms are
quoted from the sources listed in the `+"`sources`"+` table.
`, info.ReleaseID, info.Date.Format("2006-01-02"))
	return atomic.WriteFile(filepath.Join(dir, "README.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// Coverage is the Markdown table of what each plan declares against what the dataset
// records. The README of the repository and of every release show it. When the plans or
// task_categories table cannot be read, the text is the error.
func Coverage(set *table.Set) string {
	s, err := coverage(set)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	return s
}

func coverage(set *table.Set) (string, error) {
	// plans and task_categories are small reference tables: a few rows per plan.
	plans := set.Table("plans")
	planRows, err := plans.All()
	if err != nil {
		return "", fmt.Errorf("table plans: %w", err)
	}
	cats := set.Table("task_categories")
	rows, err := cats.All()
	if err != nil {
		return "", fmt.Errorf("table task_categories: %w", err)
	}
	var b strings.Builder
	b.WriteString("| year | plan | categories recorded / declared (named) | measures recorded / declared | members recorded / declared |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	col := func(r table.Row, name string) string {
		v := r[plans.Schema.Index(name)]
		if v == nil {
			return "?"
		}
		return fmt.Sprint(v)
	}
	for _, r := range planRows {
		fmt.Fprintf(&b, "| %s | %s | %s / %s (%s) | %s / %s | %s / %s |\n", col(r, "year"), col(r, "plan_id"),
			col(r, "categories_recorded"), col(r, "categories_declared"), col(r, "categories_named"),
			col(r, "measures_recorded"), col(r, "measures_declared"),
			col(r, "members_recorded"), col(r, "members_declared"))
	}
	b.WriteString("\n`?`: no source gives the number the plan declares.\n\n")
	b.WriteString("Per category (a name in brackets is inferred from a related document, not named for that plan by a source):\n\n")
	b.WriteString("| plan | # | category | measures recorded |\n| --- | --- | --- | --- |\n")
	ccol := func(r table.Row, name string) any { return r[cats.Schema.Index(name)] }
	slices.SortStableFunc(rows, func(a, b table.Row) int {
		if c := strings.Compare(ccol(a, "plan_id").(string), ccol(b, "plan_id").(string)); c != 0 {
			return c
		}
		return cmp.Compare(ccol(a, "seq").(int64), ccol(b, "seq").(int64))
	})
	for _, r := range rows {
		name := "(unknown)"
		if v, ok := ccol(r, "name_zh").(string); ok {
			name = v
		} else if v, ok := ccol(r, "name_en").(string); ok {
			name = v
		}
		if ccol(r, "name_status") == "inferred" {
			name = "[" + name + "]"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %d |\n", ccol(r, "plan_id"), ccol(r, "seq"), name, ccol(r, "measures_recorded"))
	}
	return b.String(), nil
}

package normalize

import (
	"slices"
	"strings"

	"github.com/plandata/plandata/pipeline/table"
)

// Flat computes the tasks_flat rows from the base tables of set: one row per task with its
// plan year, category, responsible agencies, regions, targets and source addresses. The
// DuckDB file defines the same rows as a view (schemas/tables.yaml, view_sql); a test keeps
// the two in step.
func Flat(set *table.Set) []table.Row {
	get := func(name string) (*table.Table, func(table.Row, string) any) {
		t := set.Table(name)
		return t, func(r table.Row, col string) any { return r[t.Schema.Index(col)] }
	}
	str := func(v any) string { s, _ := v.(string); return s }

	plans, pcol := get("plans")
	year := map[string]any{}
	for _, r := range plans.Rows {
		year[str(pcol(r, "plan_id"))] = pcol(r, "year")
	}
	cats, ccol := get("task_categories")
	category := map[string]table.Row{}
	for _, r := range cats.Rows {
		category[str(ccol(r, "category_id"))] = r
	}
	many := map[string]map[string][]string{} // column -> task -> values
	add := func(col, task, v string) {
		if many[col] == nil {
			many[col] = map[string][]string{}
		}
		many[col][task] = append(many[col][task], v)
	}
	agencies, acol := get("task_agencies")
	for _, r := range agencies.Rows {
		add("agencies", str(acol(r, "task_id")), str(acol(r, "role"))+":"+str(acol(r, "agency_id")))
	}
	regions, rcol := get("task_regions")
	for _, r := range regions.Rows {
		add("regions", str(rcol(r, "task_id")), str(rcol(r, "region_id")))
	}
	targets, tcol := get("targets")
	byID := slices.Clone(targets.Rows)
	slices.SortFunc(byID, func(a, b table.Row) int { return strings.Compare(str(tcol(a, "target_id")), str(tcol(b, "target_id"))) })
	for _, r := range byID {
		add("targets", str(tcol(r, "task_id")), str(tcol(r, "metric_en"))+": "+str(tcol(r, "as_written")))
	}
	sources, scol := get("sources")
	url := map[string]string{}
	for _, r := range sources.Rows {
		url[str(scol(r, "source_id"))] = str(scol(r, "url"))
	}
	evidence, ecol := get("evidence")
	for _, r := range evidence.Rows {
		if str(ecol(r, "subject_table")) == "tasks" {
			if u, ok := url[str(ecol(r, "source_id"))]; ok {
				add("source_urls", str(ecol(r, "subject_id")), u)
			}
		}
	}
	joined := func(col, task, sep string) any {
		vs := slices.Clone(many[col][task])
		if len(vs) == 0 {
			return nil
		}
		if col != "targets" { // targets keep target_id order
			slices.Sort(vs)
			vs = slices.Compact(vs)
		}
		return strings.Join(vs, sep)
	}

	tasks, kcol := get("tasks")
	flat := set.Table("tasks_flat")
	var rows []table.Row
	for _, r := range tasks.Rows {
		id := str(kcol(r, "task_id"))
		planID := str(kcol(r, "plan_id"))
		var seq, nameZH, nameEN any
		if c, ok := category[str(kcol(r, "category_id"))]; ok {
			seq, nameZH, nameEN = ccol(c, "seq"), ccol(c, "name_zh"), ccol(c, "name_en")
		}
		vals := map[string]any{
			"task_id": id, "year": year[planID], "plan_id": planID,
			"category_seq": seq, "category_name_zh": nameZH, "category_name_en": nameEN,
			"summary_en": kcol(r, "summary_en"), "summary_zh": kcol(r, "summary_zh"),
			"agencies": joined("agencies", id, "; "), "regions": joined("regions", id, "; "),
			"targets": joined("targets", id, "; "), "deadline_as_written": kcol(r, "deadline_as_written"),
			"deadline_date": kcol(r, "deadline_date"), "confidence": kcol(r, "confidence"),
			"source_urls": joined("source_urls", id, " "),
		}
		row := make(table.Row, len(flat.Schema.Columns))
		for i, c := range flat.Schema.Columns {
			row[i] = vals[c.Name]
		}
		rows = append(rows, row)
	}
	return rows
}

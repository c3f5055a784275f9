package normalize

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/plandata/plandata/pipeline/table"
)

// Flat computes the tasks_flat rows from the base tables of set: one row per task with its
// plan year, category, responsible agencies, regions, targets and source addresses. The
// DuckDB file defines the same rows as a view (schemas/tables.yaml, view_sql); a test keeps
// the two in step.
func Flat(set *table.Set) []table.Row {
	type view struct {
		t   *table.Table
		col func(string) int
	}
	get := func(name string) view {
		t := set.Table(name)
		return view{t, func(c string) int {
			i := t.Schema.Index(c)
			if i < 0 {
				panic(fmt.Sprintf("normalize: table %s has no column %s", name, c))
			}
			return i
		}}
	}
	str := func(v any) string { s, _ := v.(string); return s }

	// Tasks are grouped by id: values gathered for an id go to every task of that id.
	tasks := get("tasks")
	taskID := tasks.col("task_id")
	group := make(map[string]int32, len(tasks.t.Rows))
	for _, r := range tasks.t.Rows {
		if _, ok := group[str(r[taskID])]; !ok {
			group[str(r[taskID])] = int32(len(group))
		}
	}
	// many gathers the values of one column of tasks_flat as (task group, value) pairs, in
	// the order they are found; join then sorts them by group, keeping that order within one.
	type pair struct {
		task int32
		v    string
	}
	add := func(list *[]pair, task, v string) {
		if g, ok := group[task]; ok {
			*list = append(*list, pair{g, v})
		}
	}
	var agencies, regions, targets, sourceURLs []pair

	plans := get("plans")
	planID, planYear := plans.col("plan_id"), plans.col("year")
	year := map[string]any{}
	for _, r := range plans.t.Rows {
		year[str(r[planID])] = r[planYear]
	}
	cats := get("task_categories")
	catID := cats.col("category_id")
	category := map[string]table.Row{}
	for _, r := range cats.t.Rows {
		category[str(r[catID])] = r
	}
	ta := get("task_agencies")
	taTask, taRole, taAgency := ta.col("task_id"), ta.col("role"), ta.col("agency_id")
	for _, r := range ta.t.Rows {
		add(&agencies, str(r[taTask]), str(r[taRole])+":"+str(r[taAgency]))
	}
	tr := get("task_regions")
	trTask, trRegion := tr.col("task_id"), tr.col("region_id")
	for _, r := range tr.t.Rows {
		add(&regions, str(r[trTask]), str(r[trRegion]))
	}
	tg := get("targets")
	tgID, tgTask, tgMetric, tgAsWritten := tg.col("target_id"), tg.col("task_id"), tg.col("metric_en"), tg.col("as_written")
	byID := slices.Clone(tg.t.Rows)
	slices.SortFunc(byID, func(a, b table.Row) int { return strings.Compare(str(a[tgID]), str(b[tgID])) })
	for _, r := range byID {
		add(&targets, str(r[tgTask]), str(r[tgMetric])+": "+str(r[tgAsWritten]))
	}
	src := get("sources")
	srcID, srcURL := src.col("source_id"), src.col("url")
	url := map[string]string{}
	for _, r := range src.t.Rows {
		url[str(r[srcID])] = str(r[srcURL])
	}
	ev := get("evidence")
	evTable, evSubject, evSource := ev.col("subject_table"), ev.col("subject_id"), ev.col("source_id")
	for _, r := range ev.t.Rows {
		if str(r[evTable]) == "tasks" {
			if u, ok := url[str(r[evSource])]; ok {
				add(&sourceURLs, str(r[evSubject]), u)
			}
		}
	}
	// joined returns, per task group, the values joined with sep; sorted and without
	// repeats unless keepOrder (targets keep target_id order).
	joined := func(list []pair, sep string, keepOrder bool) []any {
		out := make([]any, len(group))
		slices.SortStableFunc(list, func(a, b pair) int { return cmp.Compare(a.task, b.task) })
		var vs []string
		for i := 0; i < len(list); {
			j := i
			vs = vs[:0]
			for ; j < len(list) && list[j].task == list[i].task; j++ {
				vs = append(vs, list[j].v)
			}
			if !keepOrder {
				slices.Sort(vs)
				vs = slices.Compact(vs)
			}
			out[list[i].task] = strings.Join(vs, sep)
			i = j
		}
		return out
	}
	agencyText, regionText := joined(agencies, "; ", false), joined(regions, "; ", false)
	targetText, urlText := joined(targets, "; ", true), joined(sourceURLs, " ", false)

	flat := set.Table("tasks_flat")
	at := func(c string) int {
		i := flat.Schema.Index(c)
		if i < 0 {
			panic(fmt.Sprintf("normalize: tasks_flat has no column %s", c))
		}
		return i
	}
	fTask, fYear, fPlan, fSeq, fNameZH, fNameEN := at("task_id"), at("year"), at("plan_id"), at("category_seq"), at("category_name_zh"), at("category_name_en")
	fSummaryEN, fSummaryZH, fAgencies, fRegions, fTargets := at("summary_en"), at("summary_zh"), at("agencies"), at("regions"), at("targets")
	fDeadline, fDeadlineDate, fConfidence, fURLs := at("deadline_as_written"), at("deadline_date"), at("confidence"), at("source_urls")
	kPlan, kCategory, kSummaryEN, kSummaryZH := tasks.col("plan_id"), tasks.col("category_id"), tasks.col("summary_en"), tasks.col("summary_zh")
	kDeadline, kDeadlineDate, kConfidence := tasks.col("deadline_as_written"), tasks.col("deadline_date"), tasks.col("confidence")
	cSeq, cNameZH, cNameEN := cats.col("seq"), cats.col("name_zh"), cats.col("name_en")

	rows := make([]table.Row, 0, len(tasks.t.Rows))
	for _, r := range tasks.t.Rows {
		g := group[str(r[taskID])]
		row := make(table.Row, len(flat.Schema.Columns))
		row[fTask], row[fYear], row[fPlan] = nilText(r[taskID]), year[str(r[kPlan])], nilText(r[kPlan])
		if c, ok := category[str(r[kCategory])]; ok {
			row[fSeq], row[fNameZH], row[fNameEN] = c[cSeq], c[cNameZH], c[cNameEN]
		}
		row[fSummaryEN], row[fSummaryZH] = r[kSummaryEN], r[kSummaryZH]
		row[fAgencies], row[fRegions], row[fTargets], row[fURLs] = agencyText[g], regionText[g], targetText[g], urlText[g]
		row[fDeadline], row[fDeadlineDate], row[fConfidence] = r[kDeadline], r[kDeadlineDate], r[kConfidence]
		rows = append(rows, row)
	}
	return rows
}

// nilText is a text cell as the tasks_flat row holds it: the string, or "" where the cell
// is not text (as the row always held the string value of its id columns).
func nilText(v any) any {
	if _, ok := v.(string); ok {
		return v
	}
	return ""
}

package normalize

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// Flat computes the tasks_flat rows from the base tables of set: one row per task with its
// plan year, category, responsible agencies, regions, targets and source addresses. The
// DuckDB file defines the same rows as a view (schemas/tables.yaml, view_sql); a test keeps
// the two in step.
//
// Flat holds every row of the tables it joins, so it suits small sets; a Builder computes
// the same rows plan by plan.
func Flat(set *table.Set) ([]table.Row, error) {
	f, err := newFlatter(set.Schema)
	if err != nil {
		return nil, err
	}
	all := func(name string) []table.Row {
		if err != nil {
			return nil
		}
		t := set.Table(name)
		if t == nil {
			err = fmt.Errorf("normalize: no table %s", name)
			return nil
		}
		var rows []table.Row
		rows, err = t.All()
		return rows
	}
	in := flatInput{
		plans: all("plans"), categories: all("task_categories"), tasks: all("tasks"),
		agencies: all("task_agencies"), regions: all("task_regions"), targets: all("targets"),
		evidence: all("evidence"),
	}
	url := f.urls(all("sources"))
	if err != nil {
		return nil, err
	}
	return f.rows(in, url), nil
}

// flatInput is what tasks_flat joins: rows of the base tables, in any order.
type flatInput struct {
	plans, categories, tasks, agencies, regions, targets, evidence []table.Row
}

// flatter knows the columns tasks_flat joins, found once.
type flatter struct {
	width int // columns of tasks_flat

	tID, tPlan, tCategory, tSummaryEN, tSummaryZH, tDeadline, tDeadlineDate, tConfidence int // tasks
	pID, pYear                                                                           int // plans
	cID, cSeq, cNameZH, cNameEN                                                          int // task_categories
	aTask, aRole, aAgency                                                                int // task_agencies
	rTask, rRegion                                                                       int // task_regions
	gID, gTask, gMetric, gAsWritten                                                      int // targets
	eTable, eSubject, eSource                                                            int // evidence
	sID, sURL                                                                            int // sources

	fTask, fYear, fPlan, fSeq, fNameZH, fNameEN, fSummaryEN, fSummaryZH  int // tasks_flat
	fAgencies, fRegions, fTargets, fDeadline, fDeadlineDate, fConfidence int
	fURLs                                                                int
}

func newFlatter(s *schemas.Set) (*flatter, error) {
	var err error
	col := func(name, c string) int {
		t := s.Table(name)
		i := -1
		if t != nil {
			i = t.Index(c)
		}
		if i < 0 && err == nil {
			err = fmt.Errorf("normalize: table %s has no column %s", name, c)
		}
		return i
	}
	f := &flatter{}
	if t := s.Table("tasks_flat"); t != nil {
		f.width = len(t.Columns)
	}
	f.tID, f.tPlan, f.tCategory = col("tasks", "task_id"), col("tasks", "plan_id"), col("tasks", "category_id")
	f.tSummaryEN, f.tSummaryZH = col("tasks", "summary_en"), col("tasks", "summary_zh")
	f.tDeadline, f.tDeadlineDate, f.tConfidence = col("tasks", "deadline_as_written"), col("tasks", "deadline_date"), col("tasks", "confidence")
	f.pID, f.pYear = col("plans", "plan_id"), col("plans", "year")
	f.cID, f.cSeq = col("task_categories", "category_id"), col("task_categories", "seq")
	f.cNameZH, f.cNameEN = col("task_categories", "name_zh"), col("task_categories", "name_en")
	f.aTask, f.aRole, f.aAgency = col("task_agencies", "task_id"), col("task_agencies", "role"), col("task_agencies", "agency_id")
	f.rTask, f.rRegion = col("task_regions", "task_id"), col("task_regions", "region_id")
	f.gID, f.gTask = col("targets", "target_id"), col("targets", "task_id")
	f.gMetric, f.gAsWritten = col("targets", "metric_en"), col("targets", "as_written")
	f.eTable, f.eSubject, f.eSource = col("evidence", "subject_table"), col("evidence", "subject_id"), col("evidence", "source_id")
	f.sID, f.sURL = col("sources", "source_id"), col("sources", "url")
	out := func(c string) int { return col("tasks_flat", c) }
	f.fTask, f.fYear, f.fPlan, f.fSeq = out("task_id"), out("year"), out("plan_id"), out("category_seq")
	f.fNameZH, f.fNameEN, f.fSummaryEN, f.fSummaryZH = out("category_name_zh"), out("category_name_en"), out("summary_en"), out("summary_zh")
	f.fAgencies, f.fRegions, f.fTargets = out("agencies"), out("regions"), out("targets")
	f.fDeadline, f.fDeadlineDate, f.fConfidence, f.fURLs = out("deadline_as_written"), out("deadline_date"), out("confidence"), out("source_urls")
	if err != nil {
		return nil, err
	}
	return f, nil
}

func str(v any) string { s, _ := v.(string); return s }

// urls maps source ids to their addresses, from rows of the sources table.
func (f *flatter) urls(sources []table.Row) map[string]string {
	url := make(map[string]string, len(sources))
	for _, r := range sources {
		url[str(r[f.sID])] = str(r[f.sURL])
	}
	return url
}

// rows joins the tasks of in with what belongs to them; url maps source ids to addresses.
func (f *flatter) rows(in flatInput, url map[string]string) []table.Row {
	// Tasks are grouped by id: values gathered for an id go to every task of that id.
	group := make(map[string]int32, len(in.tasks))
	for _, r := range in.tasks {
		if _, ok := group[str(r[f.tID])]; !ok {
			group[str(r[f.tID])] = int32(len(group))
		}
	}
	// The values of one column of tasks_flat are gathered as (task group, value) pairs, in
	// the order they are found; joined then sorts them by group, keeping that order within one.
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

	year := make(map[string]any, len(in.plans))
	for _, r := range in.plans {
		year[str(r[f.pID])] = r[f.pYear]
	}
	category := make(map[string]table.Row, len(in.categories))
	for _, r := range in.categories {
		category[str(r[f.cID])] = r
	}
	for _, r := range in.agencies {
		add(&agencies, str(r[f.aTask]), str(r[f.aRole])+":"+str(r[f.aAgency]))
	}
	for _, r := range in.regions {
		add(&regions, str(r[f.rTask]), str(r[f.rRegion]))
	}
	byID := slices.Clone(in.targets)
	slices.SortFunc(byID, func(a, b table.Row) int { return strings.Compare(str(a[f.gID]), str(b[f.gID])) })
	for _, r := range byID {
		add(&targets, str(r[f.gTask]), str(r[f.gMetric])+": "+str(r[f.gAsWritten]))
	}
	for _, r := range in.evidence {
		if str(r[f.eTable]) == "tasks" {
			if u, ok := url[str(r[f.eSource])]; ok {
				add(&sourceURLs, str(r[f.eSubject]), u)
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

	rows := make([]table.Row, 0, len(in.tasks))
	for _, r := range in.tasks {
		g := group[str(r[f.tID])]
		row := make(table.Row, f.width)
		row[f.fTask], row[f.fYear], row[f.fPlan] = nilText(r[f.tID]), year[str(r[f.tPlan])], nilText(r[f.tPlan])
		if c, ok := category[str(r[f.tCategory])]; ok {
			row[f.fSeq], row[f.fNameZH], row[f.fNameEN] = c[f.cSeq], c[f.cNameZH], c[f.cNameEN]
		}
		row[f.fSummaryEN], row[f.fSummaryZH] = r[f.tSummaryEN], r[f.tSummaryZH]
		row[f.fAgencies], row[f.fRegions], row[f.fTargets], row[f.fURLs] = agencyText[g], regionText[g], targetText[g], urlText[g]
		row[f.fDeadline], row[f.fDeadlineDate], row[f.fConfidence] = r[f.tDeadline], r[f.tDeadlineDate], r[f.tConfidence]
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

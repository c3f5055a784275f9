// Package normalize turns the curated sources into the published tables: it resolves what the
// sources keep as written (agency lists, region names, deadlines, targets), counts coverage,
// links every fact to its sources and builds the joined tasks_flat rows.
package normalize

import (
	"fmt"
	"strings"
	"time"

	"github.com/plandata/plandata/pipeline/normalize/parse"
	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// Tables builds every table from d, held in memory: New, Plan for every plan of d.Plans,
// Finish. Values that cannot be resolved are returned as issues; the set is only meaningful
// when there are none. A row that the set refuses is a fault of this package: Tables panics
// with the error Finish returns.
func Tables(d *source.Docs, s *schemas.Set) (*table.Set, []plan.Issue) {
	set := table.NewSet(s)
	b := New(d, set)
	for _, pf := range d.Plans {
		b.Plan(pf)
	}
	issues, err := b.Finish()
	if err != nil {
		panic(err)
	}
	return set, issues
}

// Builder writes the rows of the sources into a set, plan by plan, so that it holds no more
// than one plan's rows at a time besides lookups built from the reference files:
//
//	b := normalize.New(d, set)
//	for each plan pf: b.Plan(pf) // before d.Drop(pf)
//	issues, err := b.Finish()
//
// Plans may come in any order: the set's tables keep their rows in key order.
type Builder struct {
	d      *source.Docs
	issues []plan.Issue
	err    error // the first failure to write a row

	tables  map[string]*pending
	written []*pending // tables with pending rows, in the order of their first row
	flat    *flatter
	url     map[string]string // source id -> url, for tasks_flat

	agencyOf map[string]string // parse.Name(form) -> agency id
	regionOf map[string]string // parse.Name(form) -> region id
	// evidence holds the evidence rows written for the current plan (or for the reference
	// files), to write each once. Every subject id of a plan's rows contains an id that is
	// unique across plans, so the set starts afresh with each plan and stays small.
	evidence map[evidenceKey]bool
}

type evidenceKey struct{ table, subject, source string }

// pending is a table of the set and the rows of the current plan (or of the reference files)
// not yet appended to it.
type pending struct {
	t    *table.Table
	cols map[string]int
	rows []table.Row
}

// New writes the rows that come from the reference files of d (sources, agencies and their
// aliases, regions and their aliases, and their evidence) into set, and returns a Builder
// that writes the plans into the same set. Issues are kept for Finish.
func New(d *source.Docs, set *table.Set) *Builder {
	b := &Builder{d: d, tables: map[string]*pending{}, evidence: map[evidenceKey]bool{}}
	for _, t := range set.Tables {
		p := &pending{t: t, cols: map[string]int{}}
		for i, c := range t.Schema.Columns {
			p.cols[c.Name] = i
		}
		b.tables[t.Name()] = p
	}
	var err error
	if b.flat, err = newFlatter(set.Schema); err != nil {
		b.fail(err)
	}
	b.sources()
	b.agencies()
	b.regions()
	b.flush()
	clear(b.evidence)
	if b.flat != nil {
		sources, err := set.Table("sources").All()
		if err != nil {
			b.fail(err)
		}
		b.url = b.flat.urls(sources)
	}
	return b
}

// Plan writes the rows of one plan: plans, aspects, task_categories, plan_members, tasks,
// task_agencies, targets, task_regions, task_outcomes, their evidence, and the plan's
// tasks_flat rows. Issues carry the positions of the values they are about, so call Plan
// before the plan's positions are forgotten (source.Docs.Drop). Nothing of the plan is kept
// once Plan returns.
//
// tasks_flat joins a task with the plan, categories, agencies, regions, targets and evidence
// of its own plan only: validation makes sure that a task names a category of its plan and
// that ids are unique across plans, and on such sources the rows equal those Flat computes
// from the whole set.
func (b *Builder) Plan(pf *plan.PlanFile) {
	clear(b.evidence)
	b.plan(pf)
	if b.flat != nil {
		rows := b.flat.rows(flatInput{
			plans: b.tables["plans"].rows, categories: b.tables["task_categories"].rows,
			tasks: b.tables["tasks"].rows, agencies: b.tables["task_agencies"].rows,
			regions: b.tables["task_regions"].rows, targets: b.tables["targets"].rows,
			evidence: b.tables["evidence"].rows,
		}, b.url)
		if p := b.tables["tasks_flat"]; p != nil {
			for _, r := range rows {
				b.add(p, r)
			}
		}
	}
	b.flush()
	clear(b.evidence)
}

// Finish writes the rows that need the whole of the sources (source_checks) and returns every
// issue found since New, in the order found. The error is the first row the set refused, or a
// failure to read or write the set; the tables are incomplete then. Call it once, after the
// last Plan.
func (b *Builder) Finish() ([]plan.Issue, error) {
	b.checks()
	b.flush()
	return b.issues, b.err
}

func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *Builder) issue(p any, rule, format string, args ...any) {
	b.issues = append(b.issues, plan.Issue{Pos: b.d.Pos(p), Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

// put adds a row given as column name, value pairs; columns not named are NULL.
func (b *Builder) put(name string, kv ...any) {
	p := b.tables[name]
	if p == nil {
		b.fail(fmt.Errorf("normalize: no table %s", name))
		return
	}
	// A row of an earlier plan, emptied by flush, is used again where there is one.
	var r table.Row
	if n := len(p.rows); n < cap(p.rows) {
		r = p.rows[:n+1][n]
	}
	if len(r) != len(p.t.Schema.Columns) {
		r = make(table.Row, len(p.t.Schema.Columns))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		col, ok := p.cols[kv[i].(string)]
		if !ok {
			clear(r)
			b.fail(fmt.Errorf("normalize: table %s has no column %v", name, kv[i]))
			return
		}
		r[col] = cell(kv[i+1])
	}
	b.add(p, r)
}

// add adds a row to the pending rows of a table.
func (b *Builder) add(p *pending, r table.Row) {
	if len(p.rows) == 0 {
		b.written = append(b.written, p)
	}
	p.rows = append(p.rows, r)
}

// flush appends the pending rows to the set and forgets them.
func (b *Builder) flush() {
	for _, p := range b.written {
		for _, r := range p.rows {
			if err := p.t.Append(r); err != nil {
				b.fail(fmt.Errorf("normalize: %w; the row: %s", err, rowText(r)))
			}
		}
		for _, r := range p.rows {
			clear(r) // the row stays for put to use again; its cells go
		}
		p.rows = p.rows[:0]
	}
	clear(b.written)
	b.written = b.written[:0]
}

// rowText shows a row in an error message, whatever its cells hold.
func rowText(r table.Row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		switch v.(type) {
		case nil, string, []string, int64, float64, time.Time:
			parts[i] = table.Canon(v)
		default:
			parts[i] = fmt.Sprintf("%T(%v)", v, v)
		}
	}
	return strings.Join(parts, "\t")
}

// cell maps Go values to table cells: nil pointers, blank text and empty lists are NULL.
func cell(v any) any {
	switch x := v.(type) {
	case *string:
		if x == nil {
			return nil
		}
		return cell(*x)
	case string:
		if strings.TrimSpace(x) == "" {
			return nil
		}
		return v
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case int:
		return int64(x)
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *time.Time:
		if x == nil {
			return nil
		}
		return *x
	case []string:
		if len(x) == 0 {
			return nil
		}
		return x
	}
	return v
}

// date parses an optional YYYY-MM-DD value; validation has already reported bad ones.
func date(s *string) *time.Time {
	if s == nil {
		return nil
	}
	t, err := time.Parse("2006-01-02", *s)
	if err != nil {
		return nil
	}
	return &t
}

// cite records evidence rows linking a subject to its sources.
func (b *Builder) cite(subjectTable, subjectID string, refs []plan.Ref) {
	var subject any = subjectID // made a cell once for all its rows
	for _, r := range refs {
		key := evidenceKey{subjectTable, subjectID, r.ID}
		if b.evidence[key] {
			continue
		}
		b.evidence[key] = true
		b.put("evidence", "subject_table", subjectTable, "subject_id", subject, "source_id", r.ID, "note", r.Note)
	}
}

func (b *Builder) sources() {
	for i := range b.d.Sources {
		s := &b.d.Sources[i]
		b.put("sources", "source_id", s.ID, "url", s.URL, "title", s.Title, "publisher", s.Publisher,
			"published_on", date(s.PublishedOn), "kind", s.Kind, "language", s.Language,
			"reliability", s.Reliability, "note", s.Note)
	}
}

// checks publishes the availability checks of sources that still exist with the same URL; a
// check of a source since removed or moved is stale and left out.
func (b *Builder) checks() {
	urls := map[string]string{}
	for _, s := range b.d.Sources {
		urls[s.ID] = s.URL
	}
	for i := range b.d.Checks {
		c := &b.d.Checks[i]
		if urls[c.SourceID] != c.URL {
			continue
		}
		available := "no"
		if c.Error == nil && c.Status != nil && *c.Status >= 200 && *c.Status < 300 {
			available = "yes"
		}
		b.put("source_checks", "source_id", c.SourceID, "url", c.URL, "final_url", c.FinalURL,
			"status", c.Status, "error", c.Error, "sha256", c.SHA256, "bytes", c.Bytes,
			"checked_at", c.CheckedAt, "available", available)
	}
}

// form is one name under which an agency or region may be written.
type form struct {
	text   *string
	lang   string
	origin string
}

// names registers the name forms of one entity for lookup and publishes them as alias rows. A
// form that already stands for another entity is an issue.
func (b *Builder) names(aliasTable, idCol, id string, lookup map[string]string, forms []form) {
	published := map[string]bool{}
	for _, f := range forms {
		if f.text == nil || strings.TrimSpace(*f.text) == "" {
			continue
		}
		key := parse.Name(*f.text)
		if other, ok := lookup[key]; ok && other != id {
			b.issue(f.text, "duplicate-alias", "name %q already stands for %q", *f.text, other)
			continue
		}
		lookup[key] = id
		if published[*f.text] {
			continue
		}
		published[*f.text] = true
		b.put(aliasTable, "alias", *f.text, idCol, id, "lang", f.lang, "origin", f.origin)
	}
}

func (b *Builder) agencies() {
	b.agencyOf = map[string]string{}
	for i := range b.d.Agencies {
		a := &b.d.Agencies[i]
		b.put("agencies", "agency_id", a.ID, "name_zh", a.NameZH, "short_name_zh", a.ShortNameZH,
			"name_en", a.NameEN, "abbreviation", a.Abbreviation, "kind", a.Kind,
			"parent_agency_id", a.Parent, "valid_from", date(a.ValidFrom), "valid_to", date(a.ValidTo))
		forms := []form{{&a.NameZH, "zh", "name_zh"}, {a.ShortNameZH, "zh", "short_name_zh"}, {&a.NameEN, "en", "name_en"}, {a.Abbreviation, "en", "abbreviation"}}
		for j := range a.Aliases {
			forms = append(forms, form{&a.Aliases[j].Alias, a.Aliases[j].Lang, "alias"})
		}
		b.names("agency_aliases", "agency_id", a.ID, b.agencyOf, forms)
		b.cite("agencies", a.ID, a.Sources)
	}
}

func (b *Builder) regions() {
	b.regionOf = map[string]string{}
	for i := range b.d.Regions {
		r := &b.d.Regions[i]
		b.put("regions", "region_id", r.ID, "kind", r.Kind, "gb2260_code", r.GB2260, "iso_code", r.ISO,
			"name_zh", r.NameZH, "short_name_zh", r.ShortNameZH, "name_en", r.NameEN,
			"name_pinyin", r.Pinyin, "member_region_ids", r.Members)
		forms := []form{{&r.NameZH, "zh", "name_zh"}, {r.ShortNameZH, "zh", "short_name_zh"}, {&r.NameEN, "en", "name_en"}, {r.Pinyin, "en", "name_pinyin"}}
		for j := range r.Aliases {
			forms = append(forms, form{&r.Aliases[j].Alias, r.Aliases[j].Lang, "alias"})
		}
		b.names("region_aliases", "region_id", r.ID, b.regionOf, forms)
		b.cite("regions", r.ID, r.Sources)
	}
}

func (b *Builder) plan(pf *plan.PlanFile) {
	p := &pf.Plan
	named := 0
	for _, k := range pf.Categories {
		if k.NameZH != nil || k.NameEN != nil {
			named++
		}
	}
	var coverage *float64
	if n := p.Declared.Measures; n != nil && *n > 0 {
		c := float64(len(pf.Tasks)) / float64(*n)
		coverage = &c
	}
	b.put("plans", "plan_id", p.ID, "series", p.Series, "year", p.Year, "title_zh", p.TitleZH,
		"title_en", p.TitleEN, "notice_title_zh", p.NoticeTitleZH, "doc_number", p.DocNumber,
		"doc_number_confidence", p.DocNumberConfidence, "doc_number_note", p.DocNumberNote,
		"published_on", date(p.PublishedOn), "url", p.URL, "summary_en", p.SummaryEN,
		"categories_declared", p.Declared.Categories, "measures_declared", p.Declared.Measures,
		"members_declared", p.Declared.Members, "categories_recorded", len(pf.Categories),
		"categories_named", named, "measures_recorded", len(pf.Tasks),
		"members_recorded", len(pf.Members), "measures_coverage", coverage,
		"confidence", p.Confidence, "note", p.Note)
	b.cite("plans", p.ID, p.Sources)

	aspects := map[string]*plan.Aspect{}
	for i := range pf.Aspects {
		a := &pf.Aspects[i]
		id := p.ID + "-" + a.ID
		aspects[a.ID] = a
		b.put("aspects", "aspect_id", id, "plan_id", p.ID, "seq", a.Seq, "name_zh", a.NameZH, "name_en", a.NameEN, "confidence", a.Confidence)
		b.cite("aspects", id, a.Sources)
	}
	perCategory := map[string]int{}
	for _, t := range pf.Tasks {
		if t.Category != nil {
			perCategory[*t.Category]++
		}
	}
	for i := range pf.Categories {
		k := &pf.Categories[i]
		var aspectID, aspectZH, aspectEN *string
		if k.Aspect != nil {
			if a, ok := aspects[*k.Aspect]; ok {
				id := p.ID + "-" + a.ID
				aspectID, aspectZH, aspectEN = &id, a.NameZH, a.NameEN
			}
		}
		b.put("task_categories", "category_id", k.ID, "plan_id", p.ID, "seq", k.Seq, "aspect_id", aspectID,
			"aspect_zh", aspectZH, "aspect_en", aspectEN, "name_zh", k.NameZH, "name_en", k.NameEN,
			"name_status", k.NameStatus, "measures_recorded", perCategory[k.ID],
			"confidence", k.Confidence, "note", k.Note)
		b.cite("task_categories", k.ID, k.Sources)
	}
	for i := range pf.Members {
		m := &pf.Members[i]
		b.put("plan_members", "plan_id", p.ID, "agency_id", m.Agency, "role", m.Role, "confidence", m.Confidence, "note", m.Note)
		b.cite("plan_members", p.ID+"/"+m.Agency, m.Sources)
	}
	var planID any = p.ID // made a cell once for all its tasks
	for i := range pf.Tasks {
		b.task(&pf.Tasks[i], planID)
	}
}

func (b *Builder) task(t *plan.Task, planID any) {
	var tid any = t.ID // made a cell once for all its rows
	var deadlineDate *time.Time
	var precision *string
	if t.Deadline != nil {
		dl, err := parse.Deadline(*t.Deadline)
		if err != nil {
			b.issue(t.Deadline, "unresolved-deadline", "%v", err)
		} else {
			if dl.HasDate {
				deadlineDate = &dl.Date
			}
			precision = &dl.Precision
		}
	}
	var responsible *string
	if t.Responsible != nil {
		responsible = &t.Responsible.AsWritten
	}
	b.put("tasks", "task_id", tid, "plan_id", planID, "category_id", t.Category,
		"category_confidence", t.CategoryConfidence, "summary_en", t.SummaryEN, "summary_zh", t.SummaryZH,
		"key_terms_zh", t.KeyTermsZH, "annual_goal_en", t.AnnualGoalEN,
		"responsible_as_written", responsible, "deadline_as_written", t.Deadline,
		"deadline_date", deadlineDate, "deadline_precision", precision,
		"confidence", t.Confidence, "note", t.Note)
	b.cite("tasks", t.ID, t.Sources)

	if r := t.Responsible; r != nil {
		resolve := func(name string) (string, bool) {
			id, ok := b.agencyOf[parse.Name(name)]
			return id, ok
		}
		as, err := parse.Agencies(r.AsWritten, resolve)
		if err != nil {
			b.issue(&r.AsWritten, "unresolved-agency", "%v", err)
		}
		for _, a := range as {
			b.put("task_agencies", "task_id", tid, "agency_id", a.ID, "role", a.Role, "as_written", a.AsWritten, "confidence", r.Confidence)
			b.cite("task_agencies", t.ID+"/"+a.ID, r.Sources)
		}
	}
	for i := range t.Targets {
		g := &t.Targets[i]
		v, err := parse.Target(g.AsWritten)
		if err != nil {
			b.issue(&g.AsWritten, "unresolved-target", "%v", err)
			continue
		}
		unitZH, unitEN := v.UnitZH, v.UnitEN
		if g.UnitZH != nil {
			unitZH = *g.UnitZH
		}
		if g.UnitEN != nil {
			unitEN = *g.UnitEN
		}
		b.put("targets", "target_id", g.ID, "task_id", tid, "metric_en", g.MetricEN,
			"value_min", v.Min, "value_max", v.Max, "comparator", v.Comparator,
			"unit_zh", unitZH, "unit_en", unitEN, "as_written", g.AsWritten, "confidence", g.Confidence)
		b.cite("targets", g.ID, g.Sources)
	}
	seen := map[string]bool{}
	for i := range t.Regions {
		r := &t.Regions[i]
		id, ok := b.regionOf[parse.Name(r.AsWritten)]
		if !ok {
			b.issue(&r.AsWritten, "unresolved-region", "region %q is not a name or alias in %s", r.AsWritten, source.RegionsFile)
			continue
		}
		if seen[id] {
			b.issue(&r.AsWritten, "duplicate-region", "region %q (%s) is named twice for this task", r.AsWritten, id)
			continue
		}
		seen[id] = true
		b.put("task_regions", "task_id", tid, "region_id", id, "role_en", r.RoleEN, "as_written", r.AsWritten, "confidence", r.Confidence)
		b.cite("task_regions", t.ID+"/"+id, r.Sources)
	}
	for i := range t.Outcomes {
		o := &t.Outcomes[i]
		b.put("task_outcomes", "outcome_id", o.ID, "task_id", tid, "outcome_en", o.OutcomeEN,
			"doc_number", o.DocNumber, "date", date(o.Date), "confidence", o.Confidence)
		b.cite("task_outcomes", o.ID, o.Sources)
	}
}

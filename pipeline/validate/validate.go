// Package validate checks loaded sources against the ground rules of the dataset. It reports
// every problem it finds, each with the file, line and column of the value at fault, and never
// stops at the first.
package validate

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/source"
)

// Allowed values of the enumerated keys.
var (
	SourceKinds   = []string{"official", "official_reproduced", "wire", "news", "news_repost", "analysis", "report", "translation"}
	Languages     = []string{"zh", "zh-Hant", "en", "ja", "de"}
	AgencyKinds   = []string{"ministry", "commission", "central_bank", "administration", "regulator", "party_office", "academy", "department", "leading_group", "working_group", "institute", "alliance"}
	RegionKinds   = []string{"province", "municipality", "autonomous_region", "sar", "country", "bloc", "zone"}
	NameStatuses  = []string{"named_in_source", "inferred"}
	MemberRoles   = []string{"lead", "member"}
	AliasLangs    = []string{"zh", "zh-Hant", "en"}
	chineseKinds  = []string{"province", "municipality", "autonomous_region", "sar"}
	gb2260Pattern = regexp.MustCompile(`^[1-8][0-9]0000$`)
	isoDivision   = regexp.MustCompile(`^CN-[A-Z]{2}$`)
	isoCountry    = regexp.MustCompile(`^[A-Z]{2}$`)
)

type checker struct {
	d      *source.Docs
	issues []plan.Issue
}

func (c *checker) add(p any, rule, format string, args ...any) {
	c.issues = append(c.issues, plan.Issue{Pos: c.d.Pos(p), Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

// Check returns every problem in d, in file order.
func Check(d *source.Docs) []plan.Issue {
	v := New(d)
	for _, pf := range d.Plans {
		v.Plan(pf)
	}
	return v.Issues()
}

// Validator checks sources one plan at a time: New checks the reference files, Plan one plan,
// and Issues returns what was found so far. Between plans it keeps only the reference files'
// indexes and the ids that must be unique across plans, so that plans can be loaded, checked
// and dropped one by one (see source.Docs.LoadPlan).
type Validator struct {
	c        checker // the issues of the reference files, then those of the plans
	checks   []plan.Issue
	sources  map[string]*plan.Source
	agencies map[string]*plan.Agency
	planIDs  map[string]struct{}
	ids      map[string]idKind // category, task, target and outcome ids: unique across plans
}

// idKind is what an id of ids names.
type idKind uint8

const (
	categoryID idKind = iota
	taskID
	targetID
	outcomeID
)

var idKinds = [...]string{categoryID: "category", taskID: "task", targetID: "target", outcomeID: "outcome"}

func (k idKind) String() string { return idKinds[k] }

// New checks the reference files of d (sources, agencies, regions, source checks).
func New(d *source.Docs) *Validator {
	v := &Validator{c: checker{d: d}, planIDs: map[string]struct{}{}, ids: map[string]idKind{}}
	v.sources = v.c.sources()
	v.agencies = v.c.agencies(v.sources)
	v.c.regions(v.sources)
	// The source checks were checked after the plans; their issues come last before sorting,
	// so that issues without a position keep that order.
	k := &checker{d: d}
	k.checks()
	v.checks = k.issues
	return v
}

// Plan checks one plan, loaded with d.LoadPlan or found in d.Plans, and remembers the ids
// that must be unique across plans. It reads the plan's positions and path, so call it before
// d.Drop(pf); the issues it finds keep their positions after that.
func (v *Validator) Plan(pf *plan.PlanFile) { v.c.plan(pf, v) }

// Issues returns every issue found so far, in the order Check returns them: by file, line and
// column.
func (v *Validator) Issues() []plan.Issue {
	issues := slices.Concat(v.c.issues, v.checks)
	slices.SortStableFunc(issues, func(a, b plan.Issue) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return issues
}

func (c *checker) checks() {
	seen := map[string]bool{}
	for i := range c.d.Checks {
		k := &c.d.Checks[i]
		if seen[k.SourceID] {
			c.add(&k.SourceID, "duplicate-id", "source %q is checked twice", k.SourceID)
		}
		seen[k.SourceID] = true
		if _, err := time.Parse(time.RFC3339, k.CheckedAt); err != nil {
			c.add(&k.CheckedAt, "bad-date", "checked_at %q is not an RFC 3339 time", k.CheckedAt)
		}
	}
}

func (c *checker) id(p *string, what string) {
	if !plan.IDPattern.MatchString(*p) {
		c.add(p, "bad-id", "%s id %q is not a lower-case slug (%s)", what, *p, plan.IDPattern)
	}
}

func (c *checker) enum(p *string, key string, allowed []string) {
	if !slices.Contains(allowed, *p) {
		c.add(p, "bad-value", "%s %q is not one of %s", key, *p, strings.Join(allowed, ", "))
	}
}

func (c *checker) confidence(p *string) { c.enum(p, "confidence", plan.Confidences) }

func (c *checker) confidenceOf(p *string, key string) { c.enum(p, key, plan.Confidences) }

func (c *checker) date(p *string, key string) {
	if p == nil {
		return
	}
	if _, err := time.Parse("2006-01-02", *p); err != nil {
		c.add(p, "bad-date", "%s %q is not a date (YYYY-MM-DD)", key, *p)
	}
}

// cites checks a fact's citations: at least one, each to a known source.
func (c *checker) cites(owner any, refs []plan.Ref, what string, sources map[string]*plan.Source) {
	if len(refs) == 0 {
		c.add(owner, "no-evidence", "%s cites no source; every fact needs at least one", what)
	}
	seen := map[string]bool{}
	for i := range refs {
		r := &refs[i]
		s, ok := sources[r.ID]
		switch {
		case !ok:
			c.add(r, "dangling-reference", "source %q is not in %s", r.ID, source.SourcesFile)
		case s.Kind == "background":
			c.add(r, "background-source", "%s rests on source %q, which is background knowledge; such facts are not published", what, r.ID)
		case seen[r.ID]:
			c.add(r, "duplicate-reference", "source %q cited twice", r.ID)
		}
		seen[r.ID] = true
	}
}

func (c *checker) sources() map[string]*plan.Source {
	byID := map[string]*plan.Source{}
	byURL := map[string]string{}
	for i := range c.d.Sources {
		s := &c.d.Sources[i]
		c.id(&s.ID, "source")
		if _, dup := byID[s.ID]; dup {
			c.add(&s.ID, "duplicate-id", "source id %q is used twice", s.ID)
		}
		byID[s.ID] = s
		if prev, dup := byURL[s.URL]; dup {
			c.add(&s.URL, "duplicate-url", "URL already cited as source %q", prev)
		} else {
			byURL[s.URL] = s.ID
		}
		if !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") {
			c.add(&s.URL, "bad-url", "url %q is not an http(s) address", s.URL)
		}
		if s.Kind == "background" {
			c.add(&s.Kind, "background-source", "source %q is background knowledge; nothing may be published on it", s.ID)
		} else {
			c.enum(&s.Kind, "kind", SourceKinds)
		}
		c.enum(&s.Language, "language", Languages)
		c.enum(&s.Reliability, "reliability", plan.Confidences)
		c.date(s.PublishedOn, "published_on")
	}
	return byID
}

func (c *checker) agencies(sources map[string]*plan.Source) map[string]*plan.Agency {
	byID := map[string]*plan.Agency{}
	for i := range c.d.Agencies {
		a := &c.d.Agencies[i]
		c.id(&a.ID, "agency")
		if _, dup := byID[a.ID]; dup {
			c.add(&a.ID, "duplicate-id", "agency id %q is used twice", a.ID)
		}
		byID[a.ID] = a
		c.enum(&a.Kind, "kind", AgencyKinds)
		c.date(a.ValidFrom, "valid_from")
		c.date(a.ValidTo, "valid_to")
		if a.ValidFrom != nil && a.ValidTo != nil && *a.ValidTo < *a.ValidFrom {
			c.add(a.ValidTo, "bad-date", "valid_to %s is before valid_from %s", *a.ValidTo, *a.ValidFrom)
		}
		for j := range a.Aliases {
			c.enum(&a.Aliases[j].Lang, "lang", AliasLangs)
		}
		if len(a.Sources) > 0 {
			c.cites(a, a.Sources, "agency "+a.ID, sources)
		}
	}
	for i := range c.d.Agencies {
		a := &c.d.Agencies[i]
		if a.Parent == nil {
			continue
		}
		if _, ok := byID[*a.Parent]; !ok {
			c.add(a.Parent, "dangling-reference", "parent agency %q is not in %s", *a.Parent, source.AgenciesFile)
		}
		// A cycle of parents would make the hierarchy meaningless. Each agency on a cycle is
		// reported; one that merely leads into a cycle is not.
		seen := map[string]bool{}
		for p := a.Parent; p != nil; {
			if *p == a.ID {
				c.add(a.Parent, "parent-cycle", "agency %q is its own ancestor", a.ID)
				break
			}
			if seen[*p] {
				break
			}
			seen[*p] = true
			next, ok := byID[*p]
			if !ok {
				break
			}
			p = next.Parent
		}
	}
	return byID
}

func (c *checker) regions(sources map[string]*plan.Source) {
	byID := map[string]*plan.Region{}
	codes := map[string]string{}
	for i := range c.d.Regions {
		r := &c.d.Regions[i]
		c.id(&r.ID, "region")
		if _, dup := byID[r.ID]; dup {
			c.add(&r.ID, "duplicate-id", "region id %q is used twice", r.ID)
		}
		byID[r.ID] = r
		c.enum(&r.Kind, "kind", RegionKinds)
		chinese := slices.Contains(chineseKinds, r.Kind)
		switch {
		case chinese && r.GB2260 == nil:
			c.add(r, "missing-key", "%s %q needs a gb2260_code", r.Kind, r.ID)
		case chinese && !gb2260Pattern.MatchString(*r.GB2260):
			c.add(r.GB2260, "bad-code", "gb2260_code %q is not a six-digit provincial code", *r.GB2260)
		case !chinese && r.GB2260 != nil:
			c.add(r.GB2260, "bad-code", "only Chinese divisions carry a gb2260_code")
		}
		if r.GB2260 != nil {
			if prev, dup := codes[*r.GB2260]; dup {
				c.add(r.GB2260, "duplicate-code", "gb2260_code %s already belongs to %q", *r.GB2260, prev)
			}
			codes[*r.GB2260] = r.ID
		}
		if r.ISO != nil {
			switch {
			case chinese && !isoDivision.MatchString(*r.ISO):
				c.add(r.ISO, "bad-code", "iso_code %q is not an ISO 3166-2:CN code such as CN-BJ", *r.ISO)
			case r.Kind == "country" && !isoCountry.MatchString(*r.ISO):
				c.add(r.ISO, "bad-code", "iso_code %q is not an ISO 3166-1 alpha-2 code", *r.ISO)
			case !chinese && r.Kind != "country":
				c.add(r.ISO, "bad-code", "a %s carries no iso_code", r.Kind)
			}
		} else if chinese || r.Kind == "country" {
			c.add(r, "missing-key", "%s %q needs an iso_code", r.Kind, r.ID)
		}
		for j := range r.Aliases {
			c.enum(&r.Aliases[j].Lang, "lang", AliasLangs)
		}
		if len(r.Sources) > 0 {
			c.cites(r, r.Sources, "region "+r.ID, sources)
		}
	}
	for i := range c.d.Regions {
		r := &c.d.Regions[i]
		for j := range r.Members {
			if _, ok := byID[r.Members[j]]; !ok {
				c.add(&r.Members[j], "dangling-reference", "member region %q is not in %s", r.Members[j], source.RegionsFile)
			}
		}
	}
}

func (c *checker) plan(pf *plan.PlanFile, v *Validator) {
	sources, agencies := v.sources, v.agencies
	p := &pf.Plan
	c.id(&p.ID, "plan")
	if _, dup := v.planIDs[p.ID]; dup {
		c.add(&p.ID, "duplicate-id", "plan id %q is used twice", p.ID)
	}
	v.planIDs[p.ID] = struct{}{}
	unique := func(id *string, what idKind) {
		if prev, dup := v.ids[*id]; dup {
			c.add(id, "duplicate-id", "%s id %q is already used by %s", what, *id, article(prev.String()))
			return
		}
		v.ids[*id] = what
	}
	if want := fmt.Sprintf("%s-%d", p.Series, p.Year); p.ID != want {
		c.add(&p.ID, "bad-id", "plan id %q should be %q (series-year)", p.ID, want)
	}
	if base := strings.TrimSuffix(path.Base(c.d.PlanPath(pf)), ".yaml"); base != p.ID {
		c.add(&p.ID, "bad-id", "plan %q is in file %s.yaml; name the file after the plan id", p.ID, base)
	}
	if p.Year < 2000 || p.Year > 2100 {
		c.add(&p.Year, "bad-value", "year %d is out of range", p.Year)
	}
	c.confidence(&p.Confidence)
	if p.DocNumberConfidence != nil {
		c.confidenceOf(p.DocNumberConfidence, "doc_number_confidence")
	}
	if p.DocNumber != nil && p.DocNumberConfidence == nil {
		c.add(p.DocNumber, "missing-key", "doc_number needs a doc_number_confidence")
	}
	c.date(p.PublishedOn, "published_on")
	c.cites(p, p.Sources, "plan "+p.ID, sources)
	for _, n := range []*int64{p.Declared.Categories, p.Declared.Measures, p.Declared.Members} {
		if n != nil && *n < 0 {
			c.add(n, "bad-value", "a declared count cannot be negative")
		}
	}

	aspects := map[string]bool{}
	aspectSeqs := map[int64]bool{}
	for i := range pf.Aspects {
		a := &pf.Aspects[i]
		c.id(&a.ID, "aspect")
		if aspects[a.ID] {
			c.add(&a.ID, "duplicate-id", "aspect id %q is used twice in this plan", a.ID)
		}
		aspects[a.ID] = true
		if aspectSeqs[a.Seq] {
			c.add(&a.Seq, "duplicate-seq", "seq %d is used by two aspects of this plan", a.Seq)
		}
		aspectSeqs[a.Seq] = true
		c.confidence(&a.Confidence)
		c.cites(a, a.Sources, "aspect "+a.ID, sources)
	}
	cats := map[string]bool{}
	seqs := map[int64]bool{}
	for i := range pf.Categories {
		k := &pf.Categories[i]
		c.id(&k.ID, "category")
		c.prefixed(&k.ID, p.ID+"-c", "category")
		unique(&k.ID, categoryID)
		cats[k.ID] = true
		if seqs[k.Seq] {
			c.add(&k.Seq, "duplicate-seq", "seq %d is used by two categories of this plan", k.Seq)
		}
		seqs[k.Seq] = true
		if k.Aspect != nil && !aspects[*k.Aspect] {
			c.add(k.Aspect, "dangling-reference", "aspect %q is not defined in this plan", *k.Aspect)
		}
		c.enum(&k.NameStatus, "name_status", NameStatuses)
		if k.NameZH == nil && k.NameEN == nil && k.NameStatus == "named_in_source" {
			c.add(&k.NameStatus, "bad-value", "a category without a name cannot be named_in_source")
		}
		if k.NameStatus == "inferred" && k.Confidence != "low" {
			c.add(&k.Confidence, "bad-value", "a category name inferred from a related document has confidence low, not %q", k.Confidence)
		}
		c.confidence(&k.Confidence)
		c.cites(k, k.Sources, "category "+k.ID, sources)
	}
	members := map[string]bool{}
	for i := range pf.Members {
		m := &pf.Members[i]
		if _, ok := agencies[m.Agency]; !ok {
			c.add(&m.Agency, "dangling-reference", "agency %q is not in %s", m.Agency, source.AgenciesFile)
		}
		if members[m.Agency] {
			c.add(&m.Agency, "duplicate-id", "agency %q is listed twice as a member", m.Agency)
		}
		members[m.Agency] = true
		c.enum(&m.Role, "role", MemberRoles)
		c.confidence(&m.Confidence)
		c.cites(m, m.Sources, "member "+m.Agency, sources)
	}
	for i := range pf.Tasks {
		c.task(&pf.Tasks[i], p.ID, cats, unique, sources)
	}
	c.declared(p.Declared.Categories, len(pf.Categories), "categories")
	c.declared(p.Declared.Measures, len(pf.Tasks), "measures")
	c.declared(p.Declared.Members, len(pf.Members), "members")
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

func (c *checker) declared(n *int64, recorded int, what string) {
	if n != nil && int64(recorded) > *n {
		c.add(n, "recorded-exceeds-declared", "%d %s recorded but the plan declares %d", recorded, what, *n)
	}
}

func (c *checker) prefixed(p *string, prefix, what string) {
	if !strings.HasPrefix(*p, prefix) {
		c.add(p, "bad-id", "%s id %q should start with %q", what, *p, prefix)
	}
}

func (c *checker) task(t *plan.Task, planID string, cats map[string]bool, unique func(*string, idKind), sources map[string]*plan.Source) {
	c.id(&t.ID, "task")
	c.prefixed(&t.ID, planID+"-m", "task")
	unique(&t.ID, taskID)
	if t.Category != nil && !cats[*t.Category] {
		c.add(t.Category, "dangling-reference", "category %q is not defined in this plan", *t.Category)
	}
	if t.CategoryConfidence != nil {
		c.confidenceOf(t.CategoryConfidence, "category_confidence")
		if t.Category == nil {
			c.add(t.CategoryConfidence, "bad-value", "category_confidence given for a task without a category")
		}
	}
	c.confidence(&t.Confidence)
	c.cites(t, t.Sources, "task "+t.ID, sources)
	for i := range t.KeyTermsZH {
		if strings.Contains(t.KeyTermsZH[i], ";") || strings.TrimSpace(t.KeyTermsZH[i]) == "" {
			c.add(&t.KeyTermsZH[i], "bad-value", "a key term may not be empty or hold ';'")
		}
	}
	if r := t.Responsible; r != nil {
		c.confidence(&r.Confidence)
		c.cites(r, r.Sources, "responsible units of "+t.ID, sources)
	}
	for i := range t.Targets {
		g := &t.Targets[i]
		c.id(&g.ID, "target")
		c.prefixed(&g.ID, t.ID+"-t", "target")
		unique(&g.ID, targetID)
		c.confidence(&g.Confidence)
		c.cites(g, g.Sources, "target "+g.ID, sources)
	}
	for i := range t.Regions {
		r := &t.Regions[i]
		c.confidence(&r.Confidence)
		c.cites(r, r.Sources, "region "+r.AsWritten+" of "+t.ID, sources)
	}
	for i := range t.Outcomes {
		o := &t.Outcomes[i]
		c.id(&o.ID, "outcome")
		c.prefixed(&o.ID, t.ID+"-o", "outcome")
		unique(&o.ID, outcomeID)
		c.date(o.Date, "date")
		c.confidence(&o.Confidence)
		c.cites(o, o.Sources, "outcome "+o.ID, sources)
	}
}

// Package synth writes synthetic sources in the curated source format, for benchmarks and
// scale tests: the real sources.yaml, agencies.yaml and regions.yaml (so that every name
// resolves), and plans/<plan-id>.yaml files with about 15 categories and 80 measures each.
//
// Measures carry what real measures carry, in the mix a large curated set would have:
// responsible units, deadlines, targets and regions written in the as-written forms the
// normalisers accept, citations of real source ids, mixed confidence. Every as-written value
// is checked against the normalisers while it is generated, so a synthetic folder loads,
// validates and normalises without issues.
//
// Plan ids are <series>-<year> with series syn1, syn2, … and years 2000-2099, one hundred
// plans per series. The output depends only on the measure count, the seed and the embedded
// reference files: the same arguments give the same bytes.
package synth

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/plandata/plandata"
	"github.com/plandata/plandata/pipeline/normalize/parse"
	"github.com/plandata/plandata/pipeline/source"
)

// Shape of the synthetic plans.
const (
	MeasuresPerPlan   = 80
	CategoriesPerPlan = 15
	plansPerSeries    = 100
	firstYear         = 2000
)

// Plans is the number of plan files Write writes for the given number of measures.
func Plans(measures int) int { return (measures + MeasuresPerPlan - 1) / MeasuresPerPlan }

// PlanID is the id of the i-th plan (from 0).
func PlanID(i int) string {
	return fmt.Sprintf("syn%d-%d", i/plansPerSeries+1, firstYear+i%plansPerSeries)
}

// Write writes the sources of measures synthetic measures into dir, which is created if
// needed. Files already in dir with the same names are replaced; others are left alone.
func Write(dir string, measures int, seed int64) error {
	if measures < 0 {
		return fmt.Errorf("synth: %d measures", measures)
	}
	ref, err := loadReference()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, source.PlansDir), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	for _, name := range []string{source.SourcesFile, source.AgenciesFile, source.RegionsFile} {
		b, err := fs.ReadFile(plandata.Sources(), name)
		if err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		if err := writeFile(filepath.Join(dir, name), b); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	for i, left := 0, measures; left > 0; i, left = i+1, left-MeasuresPerPlan {
		// Each plan draws from its own stream, so a plan's text does not depend on the plans
		// before it.
		g := &gen{ref: ref, rng: rand.New(rand.NewPCG(uint64(seed), uint64(i))), b: &buf}
		buf.Reset()
		g.plan(i, min(left, MeasuresPerPlan))
		p := filepath.Join(dir, source.PlansDir, PlanID(i)+".yaml")
		if err := writeFile(p, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes one file. Synthetic folders are scratch data, written once and read
// later, so files are not synced one by one as release files are.
func writeFile(p string, b []byte) error {
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// reference is what the plans draw on from the real reference files.
type reference struct {
	sources  []string   // source ids that may be cited
	agencies []agency   // agencies with the name forms a plan may use
	regions  [][]string // name forms of each region
	lookup   map[string]string
}

type agency struct {
	id      string
	zh      []string // Chinese forms: full and short name
	en      []string // English forms: abbreviation and name
	dept    bool
	parent  string
	parentZ string // parent's Chinese name, for 工业和信息化部（信发司）
}

// loadReference reads the embedded reference files.
func loadReference() (*reference, error) {
	d, issues, err := source.Load(plandata.Sources(), source.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("synth: load reference files: %w", err)
	}
	if len(issues) > 0 {
		return nil, fmt.Errorf("synth: reference files: %s", issues[0])
	}
	r := &reference{}
	for _, s := range d.Sources {
		if s.Kind != "background" {
			r.sources = append(r.sources, s.ID)
		}
	}
	zhOf := map[string]string{}
	for _, a := range d.Agencies {
		zhOf[a.ID] = a.NameZH
	}
	for _, a := range d.Agencies {
		ag := agency{id: a.ID, zh: []string{a.NameZH}, dept: a.Kind == "department"}
		if a.ShortNameZH != nil {
			ag.zh = append(ag.zh, *a.ShortNameZH)
		}
		if a.Abbreviation != nil {
			ag.en = append(ag.en, *a.Abbreviation)
		}
		ag.en = append(ag.en, a.NameEN)
		if a.Parent != nil {
			ag.parent, ag.parentZ = *a.Parent, zhOf[*a.Parent]
		}
		r.agencies = append(r.agencies, ag)
	}
	for _, g := range d.Regions {
		forms := []string{g.NameZH, g.NameEN}
		if g.ShortNameZH != nil {
			forms = append(forms, *g.ShortNameZH)
		}
		for _, a := range g.Aliases {
			forms = append(forms, a.Alias)
		}
		r.regions = append(r.regions, forms)
	}
	if len(r.sources) == 0 || len(r.agencies) < 4 || len(r.regions) < 4 {
		return nil, errors.New("synth: the reference files hold too few sources, agencies or regions")
	}
	return r, nil
}

// gen writes one plan file.
type gen struct {
	ref *reference
	rng *rand.Rand
	b   *bytes.Buffer
}

func (g *gen) pct(p int) bool            { return g.rng.IntN(100) < p }
func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *gen) line(indent int, format string, args ...any) {
	g.b.WriteString(strings.Repeat(" ", indent))
	fmt.Fprintf(g.b, format, args...)
	g.b.WriteByte('\n')
}

// confidence draws a confidence level: mostly medium, then high, then low.
func (g *gen) confidence() string {
	switch n := g.rng.IntN(10); {
	case n < 3:
		return "high"
	case n < 8:
		return "medium"
	}
	return "low"
}

// cites draws 1 to max distinct sources, some with a note: one in most cases, as in the real
// sources, where a fact cites 1.4 sources on average.
func (g *gen) cites(max int) string {
	n := 1
	if max > 1 && g.pct(35) {
		n = 2
		if max > 2 && g.pct(15) {
			n = 3
		}
	}
	ids := make([]string, 0, n)
	for len(ids) < n {
		id := g.pick(g.ref.sources)
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for i, id := range ids {
		if g.pct(10) {
			ids[i] = "{id: " + id + ", note: " + quote(g.pick(refNotes)) + "}"
		}
	}
	return "[" + strings.Join(ids, ", ") + "]"
}

func (g *gen) plan(i, measures int) {
	id := PlanID(i)
	series, yearText, _ := strings.Cut(id, "-")
	year, _ := strconv.Atoi(yearText)
	g.line(0, "# Synthetic plan %d (%d measures), written by plandata synth.", i+1, measures)
	g.line(0, "plan:")
	g.line(2, "id: %s", id)
	g.line(2, "series: %s", series)
	g.line(2, "year: %d", year)
	g.line(2, "title_zh: %s第%d号工作计划（%d年）", series, i+1, year)
	g.line(2, "title_en: Synthetic Work Plan %s %d", strings.ToUpper(series), year)
	if g.pct(30) {
		g.line(2, "doc_number: 工信厅信管〔%d〕%d号", year, 1+g.rng.IntN(400))
		g.line(2, "doc_number_confidence: %s", g.confidence())
	}
	g.line(2, "published_on: %d-%02d-%02d", year, 1+g.rng.IntN(12), 1+g.rng.IntN(28))
	declared := "null"
	if g.pct(70) {
		declared = strconv.Itoa(measures + g.rng.IntN(20))
	}
	members := 1 + g.rng.IntN(4)
	g.line(2, "declared: {categories: %d, measures: %s, members: %s}", CategoriesPerPlan, declared, nullOr(g.pct(50), strconv.Itoa(members+g.rng.IntN(16))))
	g.line(2, "summary_en: %s", quote(fmt.Sprintf("Synthetic plan %s with %d measures in %d categories, generated to measure the pipeline.", id, measures, CategoriesPerPlan)))
	g.line(2, "confidence: %s", g.confidence())
	g.line(2, "sources: %s", g.cites(3))

	g.line(0, "aspects:")
	for j, a := range aspects {
		g.line(2, "- {id: %s, seq: %d, name_zh: %s, name_en: %s, confidence: %s, sources: %s}", a[0], j+1, a[1], quote(a[2]), g.confidence(), g.cites(1))
	}
	g.line(0, "categories:")
	for c := 1; c <= CategoriesPerPlan; c++ {
		name := categories[(c-1)%len(categories)]
		g.line(2, "- id: %s-c%02d", id, c)
		g.line(4, "seq: %d", c)
		if c <= 12 {
			g.line(4, "aspect: %s", aspects[(c-1)/3][0])
		}
		// A name inferred from a related document has confidence low.
		confidence := "low"
		switch {
		case g.pct(10):
			g.line(4, "name_status: inferred")
		case g.pct(30):
			g.line(4, "name_zh: %s", name[0])
			g.line(4, "name_en: %s", quote(name[1]))
			g.line(4, "name_status: inferred")
		default:
			g.line(4, "name_zh: %s", name[0])
			g.line(4, "name_en: %s", quote(name[1]))
			g.line(4, "name_status: named_in_source")
			confidence = g.confidence()
		}
		g.line(4, "confidence: %s", confidence)
		g.line(4, "sources: %s", g.cites(2))
	}
	g.line(0, "members:")
	for j, k := range g.rng.Perm(len(g.ref.agencies))[:members] {
		role := "member"
		if j == 0 {
			role = "lead"
		}
		g.line(2, "- {agency: %s, role: %s, confidence: %s, sources: %s}", g.ref.agencies[k].id, role, g.confidence(), g.cites(2))
	}
	g.line(0, "tasks:")
	for m := 1; m <= measures; m++ {
		g.task(id, year, m)
	}
}

func nullOr(ok bool, s string) string {
	if ok {
		return s
	}
	return "null"
}

func (g *gen) task(planID string, year, m int) {
	id := fmt.Sprintf("%s-m%02d", planID, m)
	g.line(2, "- id: %s", id)
	if g.pct(92) {
		g.line(4, "category: %s-c%02d", planID, 1+g.rng.IntN(CategoriesPerPlan))
		if g.pct(60) {
			g.line(4, "category_confidence: %s", g.confidence())
		}
	}
	verb, object, where := g.pick(verbs), g.pick(objects), g.pick(settings)
	g.line(4, "summary_en: %s", quote(strings.Join(strings.Fields(fmt.Sprintf("%s %s %s (measure %d).", verb, object, where, m)), " ")))
	if g.pct(75) {
		g.line(4, "summary_zh: %s", quote(g.pick(verbsZH)+g.pick(objectsZH)+"。"))
	}
	if g.pct(40) {
		terms := g.rng.Perm(len(objectsZH))[:1+g.rng.IntN(3)]
		var ts []string
		for _, k := range terms {
			ts = append(ts, objectsZH[k])
		}
		g.line(4, "key_terms_zh: [%s]", strings.Join(ts, ", "))
	}
	if g.pct(10) {
		g.line(4, "annual_goal_en: %s", quote("By the end of "+strconv.Itoa(year)+", "+strings.ToLower(verb[:1])+verb[1:]+" "+object+"."))
	}
	if g.pct(60) {
		g.line(4, "responsible: {as_written: %s, confidence: %s, sources: %s}", quote(g.responsible()), g.confidence(), g.cites(2))
	}
	if g.pct(80) {
		g.line(4, "deadline: %s", quote(g.deadline(year)))
	}
	g.line(4, "confidence: %s", g.confidence())
	g.line(4, "sources: %s", g.cites(3))
	if g.pct(15) {
		g.line(4, "note: %s", quote(g.pick(taskNotes)))
	}
	if g.pct(30) {
		g.line(4, "targets:")
		for t := 1; t <= 1+g.rng.IntN(2); t++ {
			g.line(6, "- {id: %s-t%d, metric_en: %s, as_written: %s, confidence: %s, sources: %s}",
				id, t, quote(g.pick(metrics)), quote(g.target()), g.confidence(), g.cites(2))
		}
	}
	if g.pct(20) {
		g.line(4, "regions:")
		for _, k := range g.rng.Perm(len(g.ref.regions))[:1+g.rng.IntN(3)] {
			role := ""
			if g.pct(50) {
				role = ", role_en: " + quote(g.pick(regionRoles))
			}
			g.line(6, "- {as_written: %s%s, confidence: %s, sources: %s}", quote(g.pick(g.ref.regions[k])), role, g.confidence(), g.cites(2))
		}
	}
	if g.pct(5) {
		g.line(4, "outcomes:")
		g.line(6, "- id: %s-o1", id)
		g.line(8, "outcome_en: %s", quote("A follow-up document delivered "+object+"."))
		if g.pct(50) {
			g.line(8, "doc_number: 工信部信管〔%d〕%d号", year+1, 1+g.rng.IntN(300))
		}
		g.line(8, "date: %d-%02d-%02d", year+1, 1+g.rng.IntN(12), 1+g.rng.IntN(28))
		g.line(8, "confidence: %s", g.confidence())
		g.line(8, "sources: %s", g.cites(2))
	}
}

// responsible draws a 责任单位 text that parse.Agencies resolves. Draws that do not resolve
// (a name form another agency's name contains, say) are drawn again.
func (g *gen) responsible() string {
	for {
		s := g.responsibleDraw()
		if _, err := parse.Agencies(s, g.ref.resolve); err == nil {
			return s
		}
	}
}

func (g *gen) responsibleDraw() string {
	k := g.rng.Perm(len(g.ref.agencies))[:3]
	a, b, c := g.ref.agencies[k[0]], g.ref.agencies[k[1]], g.ref.agencies[k[2]]
	zh := func(x agency) string { return g.pick(x.zh) }
	en := func(x agency) string { return g.pick(x.en) }
	switch g.rng.IntN(11) {
	case 0:
		return zh(a) + "牵头"
	case 1:
		return zh(a) + "牵头，" + zh(b) + "、" + zh(c) + "配合"
	case 2:
		return zh(a) + "牵头，" + zh(b) + "参与"
	case 3:
		return zh(a) + "、" + zh(b) + "按职责分工负责"
	case 4:
		return zh(a) + "、" + zh(b) + "等按职责分工负责"
	case 5:
		return zh(a) + "、" + zh(b) + "、" + zh(c)
	case 6:
		return zh(a) + "和" + zh(b)
	case 7:
		if a.dept && a.parentZ != "" && len(a.zh) > 1 {
			return a.parentZ + "（" + a.zh[1] + "）"
		}
		return zh(a)
	case 8:
		return en(a) + " and " + en(b)
	case 9:
		return "led by " + en(a)
	}
	return "led by " + en(a) + ", with " + en(b) + " and " + en(c)
}

// resolve looks a name up as normalize does.
func (r *reference) resolve(name string) (string, bool) {
	if r.lookup == nil {
		r.lookup = map[string]string{}
		for _, a := range r.agencies {
			for _, f := range append(slices.Clone(a.zh), a.en...) {
				r.lookup[parse.Name(f)] = a.id
			}
		}
	}
	id, ok := r.lookup[parse.Name(name)]
	return id, ok
}

// deadline draws a 完成时限 in one of the accepted forms.
func (g *gen) deadline(year int) string {
	y := strconv.Itoa(year)
	forms := []string{
		y + "年12月底", y + "年12月", y + "年" + strconv.Itoa(1+g.rng.IntN(12)) + "月",
		y + "年第三季度", y + "年三季度", y + "年上半年", y + "年下半年", y + "年底前", y + "年底",
		y + "年", y + "年12月31日", y + "-12", y + "-12-31", "December " + y, "end of " + y,
		"持续推进", "长期", "ongoing",
	}
	for {
		s := g.pick(forms)
		if _, err := parse.Deadline(s); err == nil {
			return s
		}
	}
}

// target draws a target phrase in one of the accepted forms.
func (g *gen) target() string {
	n := []int{3, 5, 10, 20, 30, 50, 100, 120, 300, 1000}[g.rng.IntN(10)]
	lo := 1 + g.rng.IntN(5)
	d, u := strconv.Itoa(n), g.pick([]string{"个", "家", "项", "所"})
	forms := []string{
		d + u, strconv.Itoa(lo) + "-" + strconv.Itoa(lo+2) + u, strconv.Itoa(lo) + "～" + strconv.Itoa(lo+2) + u,
		d + "万家以上", "约" + d + u, "不少于" + d + u, "超过" + d + u, "至少" + d + u, d + u + "以上",
		d + "余家", d + " benchmark factories", strconv.Itoa(lo) + "-" + strconv.Itoa(lo+2),
		"about " + d + " regions", "at least " + strconv.Itoa(n) + ",000 enterprises",
		d + "0,000+ enterprises", "more than " + d, d + "+",
	}
	for {
		s := g.pick(forms)
		if _, err := parse.Target(s); err == nil {
			return s
		}
	}
}

// quote writes s as a YAML scalar: plain when that is safe, double-quoted otherwise.
func quote(s string) string {
	if plainSafe(s) {
		return s
	}
	return strconv.Quote(s)
}

// plainSafe reports whether s reads back as the same string when written as a plain scalar,
// in block and flow context alike. It is deliberately strict.
func plainSafe(s string) bool {
	if s == "" || s != strings.TrimSpace(s) {
		return false
	}
	switch strings.ToLower(s) {
	case "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n":
		return false
	}
	if strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`0123456789+.") {
		return false
	}
	if strings.ContainsAny(s, ",[]{}#:\"'\\\n\t") {
		return false
	}
	return true
}

package validate_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/validate"
)

// The baseline: a small source set that follows every rule. Each case edits one thing.
const (
	sourcesF  = source.SourcesFile
	agenciesF = source.AgenciesFile
	regionsF  = source.RegionsFile
	planF     = "plans/iiswg-2022.yaml"

	sourcesYAML = `sources:
  - id: s01
    url: "https://example.org/plan-2022"
    title: Plan 2022
    published_on: 2022-04-13
    kind: official
    language: zh
    reliability: high
  - id: s02
    url: "https://example.org/report"
    title: Report on the plan
    kind: news
    language: en
    reliability: medium
`

	agenciesYAML = `agencies:
  - id: miit
    name_zh: 工业和信息化部
    name_en: Ministry of Industry and Information Technology
    kind: ministry
    valid_from: 2008-03-15
    sources: [s01]
    aliases:
      - {alias: 国家工信部, lang: zh}
  - id: sastind
    name_zh: 国家国防科技工业局
    name_en: State Administration for Science, Technology and Industry for National Defence
    kind: administration
    parent: miit
`

	regionsYAML = `regions:
  - id: cn-he
    kind: province
    gb2260_code: "130000"
    iso_code: CN-HE
    name_zh: 河北省
    name_en: Hebei
    aliases:
      - {alias: 冀, lang: zh}
  - id: cn-sx
    kind: province
    gb2260_code: "140000"
    iso_code: CN-SX
    name_zh: 山西省
    name_en: Shanxi
  - id: north
    kind: zone
    name_zh: 华北
    name_en: North China
    members: [cn-he, cn-sx]
    sources: [s02]
`

	planYAML = `plan:
  id: iiswg-2022
  series: iiswg
  year: 2022
  title_zh: 工业互联网专项工作组2022年工作计划
  title_en: Industrial Internet Special Working Group 2022 Work Plan
  doc_number: 工信厅信管〔2022〕423号
  doc_number_confidence: low
  published_on: 2022-04-13
  declared: {categories: 15, measures: 83, members: 20}
  confidence: high
  sources: [s01, {id: s02, note: "reports the release"}]

aspects:
  - id: infrastructure
    seq: 1
    name_zh: 夯实基础设施
    confidence: medium
    sources: [s02]

categories:
  - id: iiswg-2022-c01
    seq: 1
    aspect: infrastructure
    name_zh: 网络体系强基行动
    name_en: Network infrastructure strengthening action
    name_status: named_in_source
    confidence: high
    sources: [s01]
  - id: iiswg-2022-c02
    seq: 2
    name_status: inferred
    confidence: low
    sources: [s02]

members:
  - agency: miit
    role: lead
    confidence: high
    sources: [s01]

tasks:
  - id: iiswg-2022-m01
    category: iiswg-2022-c01
    category_confidence: medium
    summary_en: Build ten 5G fully-connected factories.
    key_terms_zh: [5G全连接工厂]
    responsible:
      as_written: 工业和信息化部牵头
      confidence: medium
      sources: [s01]
    deadline: 2022年12月底
    confidence: high
    sources: [s01]
    targets:
      - id: iiswg-2022-m01-t1
        metric_en: benchmark factories
        as_written: 10个
        confidence: high
        sources: [s01]
    regions:
      - as_written: 河北
        role_en: pilot province
        confidence: medium
        sources: [s02]
    outcomes:
      - id: iiswg-2022-m01-o1
        outcome_en: MIIT published the guide.
        date: 2022-09-06
        confidence: high
        sources: [s02]
  - id: iiswg-2022-m02
    summary_en: Speed up identifier resolution.
    confidence: medium
    sources: [s02]
`

	// A second plan file, for the rules that span plans.
	plan2023YAML = `plan: {id: iiswg-2023, series: iiswg, year: 2023, title_zh: 二〇二三, title_en: "2023", confidence: high, sources: [s01]}
`

	slug = "(^[a-z0-9]+(-[a-z0-9]+)*$)"
)

// files is a sources folder as text, by path.
type files map[string]string

func baseline() files {
	return files{sourcesF: sourcesYAML, agenciesF: agenciesYAML, regionsF: regionsYAML, planF: planYAML}
}

// edit changes a sources folder.
type edit struct {
	file, old, new string // replace old (which must occur once) by new
	add            string // append to the file
	to             string // rename the file
	put            *string
}

func repl(file, old, new string) edit { return edit{file: file, old: old, new: new} }
func add(file, text string) edit      { return edit{file: file, add: text} }
func mv(file, to string) edit         { return edit{file: file, to: to} }
func put(file, text string) edit      { return edit{file: file, put: &text} }

func (f files) apply(t *testing.T, edits ...edit) {
	t.Helper()
	for _, e := range edits {
		switch {
		case e.to != "":
			f[e.to] = f[e.file]
			delete(f, e.file)
		case e.put != nil:
			f[e.file] = *e.put
		case e.add != "":
			f[e.file] += e.add
		default:
			if n := strings.Count(f[e.file], e.old); n != 1 {
				t.Fatalf("edit of %s: %q occurs %d times, want once", e.file, e.old, n)
			}
			f[e.file] = strings.Replace(f[e.file], e.old, e.new, 1)
		}
	}
}

// at gives "file:line:col" of the place marked by '|' in marker, which must occur exactly once
// (without the '|') in the file. Columns count characters, as YAML does.
func (f files) at(t *testing.T, file, marker string) string {
	t.Helper()
	cut := strings.Index(marker, "|")
	if cut < 0 {
		cut = 0
	}
	plain := strings.Replace(marker, "|", "", 1)
	text, ok := f[file]
	if !ok {
		t.Fatalf("no file %s", file)
	}
	if n := strings.Count(text, plain); n != 1 {
		t.Fatalf("marker %q occurs %d times in %s, want once", plain, n, file)
	}
	before := text[:strings.Index(text, plain)+cut]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}

// want is one expected issue: where (a file and a marker, see files.at) and "rule: message".
type want struct{ file, marker, text string }

func (f files) expect(t *testing.T, ws []want) []string {
	t.Helper()
	var out []string
	for _, w := range ws {
		out = append(out, f.at(t, w.file, w.marker)+": "+w.text)
	}
	return out
}

// docs loads a source set, which must load without issues: the cases here are about Check.
func (f files) docs(t *testing.T) *source.Docs {
	t.Helper()
	m := fstest.MapFS{}
	for p, s := range f {
		m[p] = &fstest.MapFile{Data: []byte(s)}
	}
	d, issues, err := source.Load(m, source.DefaultLimits)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(issues) > 0 {
		t.Fatalf("the edited sources do not load:\n%s", strings.Join(strs(issues), "\n"))
	}
	return d
}

func strs(issues []plan.Issue) []string {
	var out []string
	for _, i := range issues {
		out = append(out, i.String())
	}
	return out
}

func TestBaseline(t *testing.T) {
	if got := strs(validate.Check(baseline().docs(t))); len(got) > 0 {
		t.Errorf("baseline: got issues\n%s", strings.Join(got, "\n"))
	}
}

// Rows appended to sources.yaml and regions.yaml, and snippets of the plan that edits replace.
const (
	source3   = "  - {id: s03, url: \"https://example.org/3\", title: Third, kind: news, language: en, reliability: low}\n"
	germany   = "  - {id: de, kind: country, iso_code: DE, name_zh: 德国, name_en: Germany}\n"
	taskM02   = "Speed up identifier resolution.\n    confidence: medium\n    sources: [s02]\n"
	aspectEnd = "    confidence: medium\n    sources: [s02]\n\ncategories:"
)

// TestCheckRules has one case (or a few) per rule: a small edit of the baseline and the exact
// issues expected.
func TestCheckRules(t *testing.T) {
	for _, c := range []struct {
		name  string
		edits []edit
		want  []want
	}{
		// bad-id
		{
			name:  "bad-id/upper case",
			edits: []edit{add(sourcesF, strings.Replace(source3, "s03", "S03", 1))},
			want:  []want{{sourcesF, "{id: |S03", `bad-id: source id "S03" is not a lower-case slug ` + slug}},
		},
		{
			name:  "bad-id/path separator",
			edits: []edit{add(agenciesF, "  - {id: a/b, name_zh: 甲, name_en: A, kind: ministry}\n")},
			want:  []want{{agenciesF, "{id: |a/b", `bad-id: agency id "a/b" is not a lower-case slug ` + slug}},
		},
		{
			name:  "bad-id/dot dot",
			edits: []edit{add(regionsF, "  - {id: \"..\", kind: zone, name_zh: 乙, name_en: B}\n")},
			want:  []want{{regionsF, `{id: |".."`, `bad-id: region id ".." is not a lower-case slug ` + slug}},
		},
		{
			name:  "bad-id/space in an outcome id",
			edits: []edit{repl(planF, "- id: iiswg-2022-m01-o1", "- id: iiswg-2022-m01-o 1")},
			want: []want{
				{planF, "- id: |iiswg-2022-m01-o 1", `bad-id: outcome id "iiswg-2022-m01-o 1" is not a lower-case slug ` + slug},
			},
		},
		{
			name:  "bad-id/task id without the plan prefix",
			edits: []edit{repl(planF, "- id: iiswg-2022-m02", "- id: m02")},
			want:  []want{{planF, "- id: |m02", `bad-id: task id "m02" should start with "iiswg-2022-m"`}},
		},
		{
			name:  "bad-id/category id of another plan",
			edits: []edit{repl(planF, "- id: iiswg-2022-c02", "- id: iiswg-2021-c02")},
			want:  []want{{planF, "- id: |iiswg-2021-c02", `bad-id: category id "iiswg-2021-c02" should start with "iiswg-2022-c"`}},
		},
		{
			name:  "bad-id/target id of another task",
			edits: []edit{repl(planF, "- id: iiswg-2022-m01-t1", "- id: iiswg-2022-m02-t1")},
			want:  []want{{planF, "- id: |iiswg-2022-m02-t1", `bad-id: target id "iiswg-2022-m02-t1" should start with "iiswg-2022-m01-t"`}},
		},
		{
			name:  "bad-id/outcome id without -o",
			edits: []edit{repl(planF, "- id: iiswg-2022-m01-o1", "- id: iiswg-2022-m01-r1")},
			want:  []want{{planF, "- id: |iiswg-2022-m01-r1", `bad-id: outcome id "iiswg-2022-m01-r1" should start with "iiswg-2022-m01-o"`}},
		},
		{
			name:  "bad-id/plan id not series-year",
			edits: []edit{repl(planF, "series: iiswg", "series: swg")},
			want:  []want{{planF, "  id: |iiswg-2022\n", `bad-id: plan id "iiswg-2022" should be "swg-2022" (series-year)`}},
		},
		{
			name:  "bad-id/file name not the plan id",
			edits: []edit{mv(planF, "plans/plan-2022.yaml")},
			want: []want{{"plans/plan-2022.yaml", "  id: |iiswg-2022\n",
				`bad-id: plan "iiswg-2022" is in file plan-2022.yaml; name the file after the plan id`}},
		},

		// duplicate-id
		{
			name:  "duplicate-id/sources",
			edits: []edit{add(sourcesF, strings.Replace(source3, "s03", "s02", 1))},
			want:  []want{{sourcesF, "{id: |s02", `duplicate-id: source id "s02" is used twice`}},
		},
		{
			name:  "duplicate-id/agencies",
			edits: []edit{add(agenciesF, "  - {id: miit, name_zh: 工信部, name_en: MIIT, kind: ministry}\n")},
			want:  []want{{agenciesF, "{id: |miit", `duplicate-id: agency id "miit" is used twice`}},
		},
		{
			name:  "duplicate-id/regions",
			edits: []edit{add(regionsF, "  - {id: north, kind: zone, name_zh: 北方, name_en: The North}\n")},
			want:  []want{{regionsF, "{id: |north", `duplicate-id: region id "north" is used twice`}},
		},
		{
			name:  "duplicate-id/plans",
			edits: []edit{put("plans/iiswg-2023.yaml", strings.NewReplacer("iiswg-2023", "iiswg-2022", "2023,", "2022,").Replace(plan2023YAML))},
			want: []want{
				{"plans/iiswg-2023.yaml", "{id: |iiswg-2022", `duplicate-id: plan id "iiswg-2022" is used twice`},
				{"plans/iiswg-2023.yaml", "{id: |iiswg-2022", `bad-id: plan "iiswg-2022" is in file iiswg-2023.yaml; name the file after the plan id`},
			},
		},
		{
			name: "duplicate-id/categories",
			edits: []edit{repl(planF, "\nmembers:",
				"  - id: iiswg-2022-c02\n    seq: 3\n    name_status: inferred\n    confidence: low\n    sources: [s01]\n\nmembers:")},
			want: []want{{planF, "- id: |iiswg-2022-c02\n    seq: 3", `duplicate-id: category id "iiswg-2022-c02" is already used by a category`}},
		},
		{
			name: "duplicate-id/tasks across plans",
			edits: []edit{put("plans/iiswg-2023.yaml", plan2023YAML+
				"tasks:\n  - {id: iiswg-2022-m01, summary_en: again, confidence: high, sources: [s01]}\n")},
			want: []want{
				{"plans/iiswg-2023.yaml", "{id: |iiswg-2022-m01", `bad-id: task id "iiswg-2022-m01" should start with "iiswg-2023-m"`},
				{"plans/iiswg-2023.yaml", "{id: |iiswg-2022-m01", `duplicate-id: task id "iiswg-2022-m01" is already used by a task`},
			},
		},
		{
			name: "duplicate-id/targets",
			edits: []edit{repl(planF, "    regions:\n",
				"      - {id: iiswg-2022-m01-t1, metric_en: again, as_written: 1个, confidence: high, sources: [s01]}\n    regions:\n")},
			want: []want{{planF, "{id: |iiswg-2022-m01-t1", `duplicate-id: target id "iiswg-2022-m01-t1" is already used by a target`}},
		},
		{
			name:  "duplicate-id/outcomes",
			edits: []edit{repl(planF, "  - id: iiswg-2022-m02\n", "      - {id: iiswg-2022-m01-o1, outcome_en: again, confidence: low, sources: [s01]}\n  - id: iiswg-2022-m02\n")},
			want:  []want{{planF, "{id: |iiswg-2022-m01-o1", `duplicate-id: outcome id "iiswg-2022-m01-o1" is already used by an outcome`}},
		},
		{
			name:  "duplicate-id/aspects",
			edits: []edit{repl(planF, aspectEnd, "    confidence: medium\n    sources: [s02]\n  - {id: infrastructure, seq: 2, confidence: low, sources: [s01]}\n\ncategories:")},
			want:  []want{{planF, "{id: |infrastructure", `duplicate-id: aspect id "infrastructure" is used twice in this plan`}},
		},
		{
			name:  "duplicate-id/members",
			edits: []edit{repl(planF, "\ntasks:", "  - {agency: miit, role: member, confidence: low, sources: [s02]}\n\ntasks:")},
			want:  []want{{planF, "{agency: |miit", `duplicate-id: agency "miit" is listed twice as a member`}},
		},

		// duplicate-url, bad-url, background-source
		{
			name:  "duplicate-url",
			edits: []edit{add(sourcesF, strings.Replace(source3, "https://example.org/3", "https://example.org/report", 1))},
			want:  []want{{sourcesF, `s03, url: |"https://example.org/report"`, `duplicate-url: URL already cited as source "s02"`}},
		},
		{
			name:  "bad-url/ftp",
			edits: []edit{add(sourcesF, strings.Replace(source3, "https://example.org/3", "ftp://example.org/3", 1))},
			want:  []want{{sourcesF, `url: |"ftp:`, `bad-url: url "ftp://example.org/3" is not an http(s) address`}},
		},
		{
			name:  "bad-url/no scheme",
			edits: []edit{add(sourcesF, strings.Replace(source3, "https://example.org/3", "example.org/3", 1))},
			want:  []want{{sourcesF, `url: |"example.org/3"`, `bad-url: url "example.org/3" is not an http(s) address`}},
		},
		{
			name: "background-source",
			edits: []edit{
				add(sourcesF, strings.Replace(source3, "kind: news", "kind: background", 1)),
				repl(planF, aspectEnd, "    confidence: medium\n    sources: [s03]\n\ncategories:"),
			},
			want: []want{
				{planF, "sources: [|s03]", `background-source: aspect infrastructure rests on source "s03", which is background knowledge; such facts are not published`},
				{sourcesF, "kind: |background", `background-source: source "s03" is background knowledge; nothing may be published on it`},
			},
		},

		// bad-value
		{
			name:  "bad-value/confidence",
			edits: []edit{repl(planF, taskM02, "Speed up identifier resolution.\n    confidence: certain\n    sources: [s02]\n")},
			want:  []want{{planF, "confidence: |certain", `bad-value: confidence "certain" is not one of high, medium, low`}},
		},
		{
			name:  "bad-value/doc_number_confidence",
			edits: []edit{repl(planF, "doc_number_confidence: low", "doc_number_confidence: unsure")},
			want:  []want{{planF, "doc_number_confidence: |unsure", `bad-value: doc_number_confidence "unsure" is not one of high, medium, low`}},
		},
		{
			name:  "bad-value/category_confidence",
			edits: []edit{repl(planF, "category_confidence: medium", "category_confidence: likely")},
			want:  []want{{planF, "category_confidence: |likely", `bad-value: category_confidence "likely" is not one of high, medium, low`}},
		},
		{
			name:  "bad-value/kind of source",
			edits: []edit{repl(sourcesF, "kind: news", "kind: blog")},
			want: []want{{sourcesF, "kind: |blog",
				`bad-value: kind "blog" is not one of official, official_reproduced, wire, news, news_repost, analysis, report, translation`}},
		},
		{
			name:  "bad-value/kind of agency",
			edits: []edit{repl(agenciesF, "kind: administration", "kind: bureau")},
			want: []want{{agenciesF, "kind: |bureau",
				`bad-value: kind "bureau" is not one of ministry, commission, central_bank, administration, regulator, party_office, academy, department, leading_group, working_group, institute, alliance`}},
		},
		{
			name:  "bad-value/kind of region",
			edits: []edit{repl(regionsF, "kind: zone", "kind: area")},
			want: []want{{regionsF, "kind: |area",
				`bad-value: kind "area" is not one of province, municipality, autonomous_region, sar, country, bloc, zone`}},
		},
		{
			name:  "bad-value/language",
			edits: []edit{repl(sourcesF, "language: en", "language: English")},
			want:  []want{{sourcesF, "language: |English", `bad-value: language "English" is not one of zh, zh-Hant, en, ja, de`}},
		},
		{
			name:  "bad-value/reliability",
			edits: []edit{repl(sourcesF, "reliability: medium", "reliability: mid")},
			want:  []want{{sourcesF, "reliability: |mid", `bad-value: reliability "mid" is not one of high, medium, low`}},
		},
		{
			name:  "bad-value/name_status",
			edits: []edit{repl(planF, "name_status: inferred", "name_status: guessed")},
			want:  []want{{planF, "name_status: |guessed", `bad-value: name_status "guessed" is not one of named_in_source, inferred`}},
		},
		{
			name:  "bad-value/role",
			edits: []edit{repl(planF, "role: lead", "role: chair")},
			want:  []want{{planF, "role: |chair", `bad-value: role "chair" is not one of lead, member`}},
		},
		{
			name:  "bad-value/alias lang of an agency",
			edits: []edit{repl(agenciesF, "lang: zh}", "lang: cn}")},
			want:  []want{{agenciesF, "lang: |cn}", `bad-value: lang "cn" is not one of zh, zh-Hant, en`}},
		},
		{
			name:  "bad-value/alias lang of a region",
			edits: []edit{repl(regionsF, "lang: zh}", "lang: ja}")},
			want:  []want{{regionsF, "lang: |ja}", `bad-value: lang "ja" is not one of zh, zh-Hant, en`}},
		},
		{
			name:  "bad-value/year before 2000",
			edits: []edit{repl(planF, "year: 2022", "year: 1999")},
			want: []want{
				{planF, "  id: |iiswg-2022\n", `bad-id: plan id "iiswg-2022" should be "iiswg-1999" (series-year)`},
				{planF, "year: |1999", "bad-value: year 1999 is out of range"},
			},
		},
		{
			name:  "bad-value/year after 2100",
			edits: []edit{repl(planF, "year: 2022", "year: 2101")},
			want: []want{
				{planF, "  id: |iiswg-2022\n", `bad-id: plan id "iiswg-2022" should be "iiswg-2101" (series-year)`},
				{planF, "year: |2101", "bad-value: year 2101 is out of range"},
			},
		},
		{
			name:  "bad-value/named_in_source without a name",
			edits: []edit{repl(planF, "name_status: inferred", "name_status: named_in_source\n    name_zh: null")},
			want:  []want{{planF, "name_status: |named_in_source\n    name_zh: null", "bad-value: a category without a name cannot be named_in_source"}},
		},
		{
			name:  "bad-value/inferred category name above low",
			edits: []edit{repl(planF, "name_status: inferred\n    confidence: low", "name_status: inferred\n    confidence: medium")},
			want:  []want{{planF, "name_status: inferred\n    confidence: |medium", `bad-value: a category name inferred from a related document has confidence low, not "medium"`}},
		},
		{
			name:  "bad-value/category_confidence without a category",
			edits: []edit{repl(planF, taskM02, "Speed up identifier resolution.\n    category_confidence: low\n    confidence: medium\n    sources: [s02]\n")},
			want:  []want{{planF, "category_confidence: |low", "bad-value: category_confidence given for a task without a category"}},
		},
		{
			name:  "bad-value/key term with ';'",
			edits: []edit{repl(planF, "key_terms_zh: [5G全连接工厂]", "key_terms_zh: [5G全连接工厂, 标杆;示范]")},
			want:  []want{{planF, "5G全连接工厂, |标杆;示范]", "bad-value: a key term may not be empty or hold ';'"}},
		},
		{
			name:  "bad-value/empty key term",
			edits: []edit{repl(planF, "key_terms_zh: [5G全连接工厂]", `key_terms_zh: [5G全连接工厂, " "]`)},
			want:  []want{{planF, `5G全连接工厂, |" "]`, "bad-value: a key term may not be empty or hold ';'"}},
		},
		{
			name:  "bad-value/negative declared count",
			edits: []edit{repl(planF, "members: 20}", "members: -1}")},
			want: []want{
				{planF, "members: |-1}", "bad-value: a declared count cannot be negative"},
				{planF, "members: |-1}", "recorded-exceeds-declared: 1 members recorded but the plan declares -1"},
			},
		},

		// bad-date
		{
			name:  "bad-date/published_on of a source",
			edits: []edit{repl(sourcesF, "published_on: 2022-04-13", "published_on: 2022-13-45")},
			want:  []want{{sourcesF, "published_on: |2022-13-45", `bad-date: published_on "2022-13-45" is not a date (YYYY-MM-DD)`}},
		},
		{
			name:  "bad-date/published_on of a plan",
			edits: []edit{repl(planF, "published_on: 2022-04-13", "published_on: 2022-04-31")},
			want:  []want{{planF, "published_on: |2022-04-31", `bad-date: published_on "2022-04-31" is not a date (YYYY-MM-DD)`}},
		},
		{
			name:  "bad-date/outcome date without leading zeros",
			edits: []edit{repl(planF, "date: 2022-09-06", "date: 2022-9-6")},
			want:  []want{{planF, "date: |2022-9-6", `bad-date: date "2022-9-6" is not a date (YYYY-MM-DD)`}},
		},
		{
			name:  "bad-date/valid_from in words",
			edits: []edit{repl(agenciesF, "valid_from: 2008-03-15", "valid_from: March 2008")},
			want:  []want{{agenciesF, "valid_from: |March 2008", `bad-date: valid_from "March 2008" is not a date (YYYY-MM-DD)`}},
		},
		{
			name:  "bad-date/valid_to before valid_from",
			edits: []edit{repl(agenciesF, "valid_from: 2008-03-15\n", "valid_from: 2008-03-15\n    valid_to: 2001-01-01\n")},
			want:  []want{{agenciesF, "valid_to: |2001-01-01", "bad-date: valid_to 2001-01-01 is before valid_from 2008-03-15"}},
		},

		// no-evidence, one per kind of fact row
		{
			name:  "no-evidence/plan",
			edits: []edit{repl(planF, "  sources: [s01, {id: s02, note: \"reports the release\"}]\n", "")},
			want:  []want{{planF, "  |id: iiswg-2022\n", "no-evidence: plan iiswg-2022 cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/aspect",
			edits: []edit{repl(planF, aspectEnd, "    confidence: medium\n\ncategories:")},
			want:  []want{{planF, "- |id: infrastructure", "no-evidence: aspect infrastructure cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/category, empty list",
			edits: []edit{repl(planF, "    sources: [s02]\n\nmembers:", "    sources: []\n\nmembers:")},
			want:  []want{{planF, "- |id: iiswg-2022-c02", "no-evidence: category iiswg-2022-c02 cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/category, null",
			edits: []edit{repl(planF, "    sources: [s02]\n\nmembers:", "    sources: null\n\nmembers:")},
			want:  []want{{planF, "- |id: iiswg-2022-c02", "no-evidence: category iiswg-2022-c02 cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/member",
			edits: []edit{repl(planF, "    sources: [s01]\n\ntasks:", "\ntasks:")},
			want:  []want{{planF, "- |agency: miit", "no-evidence: member miit cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/task",
			edits: []edit{repl(planF, taskM02, "Speed up identifier resolution.\n    confidence: medium\n")},
			want:  []want{{planF, "- |id: iiswg-2022-m02", "no-evidence: task iiswg-2022-m02 cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/responsible",
			edits: []edit{repl(planF, "      confidence: medium\n      sources: [s01]\n", "      confidence: medium\n")},
			want:  []want{{planF, "responsible:\n      |as_written", "no-evidence: responsible units of iiswg-2022-m01 cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/target",
			edits: []edit{repl(planF, "        confidence: high\n        sources: [s01]\n", "        confidence: high\n")},
			want:  []want{{planF, "- |id: iiswg-2022-m01-t1", "no-evidence: target iiswg-2022-m01-t1 cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/task region",
			edits: []edit{repl(planF, "        confidence: medium\n        sources: [s02]\n", "        confidence: medium\n")},
			want:  []want{{planF, "- |as_written: 河北", "no-evidence: region 河北 of iiswg-2022-m01 cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/outcome",
			edits: []edit{repl(planF, "        confidence: high\n        sources: [s02]\n", "        confidence: high\n")},
			want:  []want{{planF, "- |id: iiswg-2022-m01-o1", "no-evidence: outcome iiswg-2022-m01-o1 cites no source; every fact needs at least one"}},
		},
		{
			name:  "no-evidence/not needed for reference rows",
			edits: []edit{repl(agenciesF, "    sources: [s01]\n", ""), repl(regionsF, "    sources: [s02]\n", "")},
		},

		// dangling-reference
		{
			name:  "dangling-reference/source id",
			edits: []edit{repl(planF, taskM02, "Speed up identifier resolution.\n    confidence: medium\n    sources: [s09]\n")},
			want:  []want{{planF, "[|s09]", `dangling-reference: source "s09" is not in sources.yaml`}},
		},
		{
			name:  "dangling-reference/source id of an agency",
			edits: []edit{repl(agenciesF, "sources: [s01]", "sources: [{id: s07, note: x}]")},
			want:  []want{{agenciesF, "[|{id: s07", `dangling-reference: source "s07" is not in sources.yaml`}},
		},
		{
			name:  "dangling-reference/parent agency",
			edits: []edit{repl(agenciesF, "parent: miit", "parent: cast")},
			want:  []want{{agenciesF, "parent: |cast", `dangling-reference: parent agency "cast" is not in agencies.yaml`}},
		},
		{
			name:  "dangling-reference/member region",
			edits: []edit{repl(regionsF, "members: [cn-he, cn-sx]", "members: [cn-he, cn-xx]")},
			want:  []want{{regionsF, "cn-he, |cn-xx]", `dangling-reference: member region "cn-xx" is not in regions.yaml`}},
		},
		{
			name:  "dangling-reference/aspect",
			edits: []edit{repl(planF, "aspect: infrastructure", "aspect: platforms")},
			want:  []want{{planF, "aspect: |platforms", `dangling-reference: aspect "platforms" is not defined in this plan`}},
		},
		{
			name:  "dangling-reference/category",
			edits: []edit{repl(planF, "category: iiswg-2022-c01", "category: iiswg-2022-c09")},
			want:  []want{{planF, "category: |iiswg-2022-c09", `dangling-reference: category "iiswg-2022-c09" is not defined in this plan`}},
		},
		{
			name:  "dangling-reference/member agency",
			edits: []edit{repl(planF, "agency: miit", "agency: ndrc")},
			want:  []want{{planF, "agency: |ndrc", `dangling-reference: agency "ndrc" is not in agencies.yaml`}},
		},

		// duplicate-reference
		{
			name:  "duplicate-reference",
			edits: []edit{repl(planF, "    confidence: high\n    sources: [s01]\n    targets:", "    confidence: high\n    sources: [s01, {id: s01, note: again}]\n    targets:")},
			want:  []want{{planF, "[s01, |{id: s01, note: again}]", `duplicate-reference: source "s01" cited twice`}},
		},

		// parent-cycle
		{
			name:  "parent-cycle/two agencies",
			edits: []edit{repl(agenciesF, "kind: ministry\n", "kind: ministry\n    parent: sastind\n")},
			want: []want{
				{agenciesF, "parent: |sastind", `parent-cycle: agency "miit" is its own ancestor`},
				{agenciesF, "parent: |miit", `parent-cycle: agency "sastind" is its own ancestor`},
			},
		},
		{
			name:  "parent-cycle/own parent",
			edits: []edit{repl(agenciesF, "parent: miit", "parent: sastind")},
			want:  []want{{agenciesF, "parent: |sastind", `parent-cycle: agency "sastind" is its own ancestor`}},
		},

		// missing-key
		{
			name:  "missing-key/doc_number without doc_number_confidence",
			edits: []edit{repl(planF, "  doc_number_confidence: low\n", "")},
			want:  []want{{planF, "doc_number: |工信厅", "missing-key: doc_number needs a doc_number_confidence"}},
		},
		{
			name:  "missing-key/province without gb2260_code",
			edits: []edit{repl(regionsF, "    gb2260_code: \"140000\"\n", "")},
			want:  []want{{regionsF, "- |id: cn-sx", `missing-key: province "cn-sx" needs a gb2260_code`}},
		},
		{
			name:  "missing-key/province without iso_code",
			edits: []edit{repl(regionsF, "    iso_code: CN-SX\n", "")},
			want:  []want{{regionsF, "- |id: cn-sx", `missing-key: province "cn-sx" needs an iso_code`}},
		},
		{
			name:  "missing-key/country without iso_code",
			edits: []edit{add(regionsF, strings.Replace(germany, "iso_code: DE, ", "", 1))},
			want:  []want{{regionsF, "- |{id: de", `missing-key: country "de" needs an iso_code`}},
		},

		// bad-code, duplicate-code
		{
			name:  "bad-code/gb2260 of five digits",
			edits: []edit{repl(regionsF, `"140000"`, `"14000"`)},
			want:  []want{{regionsF, `gb2260_code: |"14000"`, `bad-code: gb2260_code "14000" is not a six-digit provincial code`}},
		},
		{
			name:  "bad-code/gb2260 of a prefecture",
			edits: []edit{repl(regionsF, `"140000"`, `"140100"`)},
			want:  []want{{regionsF, `gb2260_code: |"140100"`, `bad-code: gb2260_code "140100" is not a six-digit provincial code`}},
		},
		{
			name:  "bad-code/iso of a division without CN-",
			edits: []edit{repl(regionsF, "iso_code: CN-SX", "iso_code: SX")},
			want:  []want{{regionsF, "iso_code: |SX", `bad-code: iso_code "SX" is not an ISO 3166-2:CN code such as CN-BJ`}},
		},
		{
			name:  "bad-code/iso of a country with three letters",
			edits: []edit{add(regionsF, strings.Replace(germany, "iso_code: DE", "iso_code: DEU", 1))},
			want:  []want{{regionsF, "iso_code: |DEU", `bad-code: iso_code "DEU" is not an ISO 3166-1 alpha-2 code`}},
		},
		{
			name:  "bad-code/gb2260 on a country",
			edits: []edit{add(regionsF, strings.Replace(germany, "kind: country, ", "kind: country, gb2260_code: \"990000\", ", 1))},
			want:  []want{{regionsF, `gb2260_code: |"990000"`, "bad-code: only Chinese divisions carry a gb2260_code"}},
		},
		{
			name:  "duplicate-code",
			edits: []edit{repl(regionsF, `"140000"`, `"130000"`)},
			want:  []want{{regionsF, "gb2260_code: |\"130000\"\n    iso_code: CN-SX", `duplicate-code: gb2260_code 130000 already belongs to "cn-he"`}},
		},

		// duplicate-seq
		{
			name:  "duplicate-seq",
			edits: []edit{repl(planF, "    seq: 2\n", "    seq: 1\n")},
			want:  []want{{planF, "seq: |1\n    name_status: inferred", "duplicate-seq: seq 1 is used by two categories of this plan"}},
		},

		// recorded-exceeds-declared
		{
			name:  "recorded-exceeds-declared/categories",
			edits: []edit{repl(planF, "categories: 15", "categories: 1")},
			want:  []want{{planF, "categories: |1,", "recorded-exceeds-declared: 2 categories recorded but the plan declares 1"}},
		},
		{
			name:  "recorded-exceeds-declared/measures",
			edits: []edit{repl(planF, "measures: 83", "measures: 1")},
			want:  []want{{planF, "measures: |1,", "recorded-exceeds-declared: 2 measures recorded but the plan declares 1"}},
		},
		{
			name:  "recorded-exceeds-declared/members",
			edits: []edit{repl(planF, "members: 20", "members: 0")},
			want:  []want{{planF, "members: |0}", "recorded-exceeds-declared: 1 members recorded but the plan declares 0"}},
		},
		{
			name:  "recorded-exceeds-declared/as many as declared",
			edits: []edit{repl(planF, "{categories: 15, measures: 83, members: 20}", "{categories: 2, measures: 2, members: 1}")},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := baseline()
			f.apply(t, c.edits...)
			got := strs(validate.Check(f.docs(t)))
			if diff := cmp.Diff(f.expect(t, c.want), got); diff != "" {
				t.Errorf("issues (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckParentChainIntoCycle: an agency whose parents lead into a cycle it is not part of is
// not "its own ancestor"; the cycle is reported on its members.
func TestCheckParentChainIntoCycle(t *testing.T) {
	f := baseline()
	f.apply(t,
		repl(agenciesF, "parent: miit", "parent: g1"),
		add(agenciesF, "  - {id: g1, name_zh: 甲, name_en: G1, kind: department, parent: g2}\n"),
		add(agenciesF, "  - {id: g2, name_zh: 乙, name_en: G2, kind: department, parent: g1}\n"),
	)
	got := strs(validate.Check(f.docs(t)))
	want := f.expect(t, []want{
		{agenciesF, "parent: |g2}", `parent-cycle: agency "g1" is its own ancestor`},
		{agenciesF, "parent: |g1}", `parent-cycle: agency "g2" is its own ancestor`},
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
}

// TestCheckCodesOfZones: "Blocs and zones carry no codes" (sources/regions.yaml); an iso_code
// on a zone is refused like a gb2260_code on a country.
func TestCheckCodesOfZones(t *testing.T) {
	f := baseline()
	f.apply(t, repl(regionsF, "    kind: zone\n", "    kind: zone\n    iso_code: CN-HB\n"))
	issues := validate.Check(f.docs(t))
	wantAt := f.at(t, regionsF, "iso_code: |CN-HB")
	for _, is := range issues {
		if is.Pos.String() == wantAt && is.Rule == "bad-code" {
			return
		}
	}
	t.Errorf("no bad-code issue at %s; got %v", wantAt, strs(issues))
}

// TestCheckAll: Check reports every problem of a source set at once, sorted by file, line and
// column, whatever order the rules found them in.
func TestCheckAll(t *testing.T) {
	f := baseline()
	f.apply(t,
		// sources.yaml is checked first but sorts last.
		repl(sourcesF, "reliability: medium", "reliability: mid"),
		add(sourcesF, strings.Replace(source3, "https://example.org/3", "https://example.org/report", 1)),
		// the dangling parent is found in a second pass over the agencies, after the bad kind
		// of the agency below it.
		repl(agenciesF, "parent: miit", "parent: cast"),
		add(agenciesF, "  - {id: a/b, name_zh: 甲, name_en: A, kind: bureau}\n"),
		// two problems on one line, in column order.
		add(regionsF, "  - {id: de, kind: country, gb2260_code: \"990000\", iso_code: DEU, name_zh: 德国, name_en: Germany}\n"),
		// plan: the declared counts are checked after the tasks below them.
		repl(planF, "categories: 15", "categories: 1"),
		repl(planF, "category: iiswg-2022-c01", "category: iiswg-2022-c09"),
		repl(planF, "date: 2022-09-06", "date: 2022-09-31"),
		put("plans/iiswg-2023.yaml", plan2023YAML+"tasks:\n  - {id: iiswg-2023-m01, summary_en: x, confidence: sure, sources: []}\n"),
	)
	got := strs(validate.Check(f.docs(t)))
	want := f.expect(t, []want{
		{agenciesF, "parent: |cast", `dangling-reference: parent agency "cast" is not in agencies.yaml`},
		{agenciesF, "{id: |a/b", `bad-id: agency id "a/b" is not a lower-case slug ` + slug},
		{agenciesF, "kind: |bureau", `bad-value: kind "bureau" is not one of ministry, commission, central_bank, administration, regulator, party_office, academy, department, leading_group, working_group, institute, alliance`},
		{planF, "categories: |1,", "recorded-exceeds-declared: 2 categories recorded but the plan declares 1"},
		{planF, "category: |iiswg-2022-c09", `dangling-reference: category "iiswg-2022-c09" is not defined in this plan`},
		{planF, "date: |2022-09-31", `bad-date: date "2022-09-31" is not a date (YYYY-MM-DD)`},
		{"plans/iiswg-2023.yaml", "- |{id: iiswg-2023-m01", "no-evidence: task iiswg-2023-m01 cites no source; every fact needs at least one"},
		{"plans/iiswg-2023.yaml", "confidence: |sure", `bad-value: confidence "sure" is not one of high, medium, low`},
		{regionsF, `gb2260_code: |"990000"`, "bad-code: only Chinese divisions carry a gb2260_code"},
		{regionsF, "iso_code: |DEU", `bad-code: iso_code "DEU" is not an ISO 3166-1 alpha-2 code`},
		{sourcesF, "reliability: |mid", `bad-value: reliability "mid" is not one of high, medium, low`},
		{sourcesF, `s03, url: |"https://example.org/report"`, `duplicate-url: URL already cited as source "s02"`},
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
}

// TestRealSources: the curated sources of the repository load and validate without issues.
func TestRealSources(t *testing.T) {
	const dir = "../../sources"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no sources folder at %s: %v", dir, err)
	}
	d, issues, err := source.Load(os.DirFS(dir), source.DefaultLimits)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(issues) > 0 {
		t.Fatalf("sources do not load:\n%s", strings.Join(strs(issues), "\n"))
	}
	if len(d.Sources) == 0 || len(d.Agencies) == 0 || len(d.Regions) == 0 || len(d.Plans) == 0 {
		t.Fatalf("sources loaded empty: %d sources, %d agencies, %d regions, %d plans",
			len(d.Sources), len(d.Agencies), len(d.Regions), len(d.Plans))
	}
	if got := strs(validate.Check(d)); len(got) > 0 {
		t.Errorf("sources have %d issues:\n%s", len(got), strings.Join(got, "\n"))
	}
}

package source_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/source"
)

// The minimal valid set of source files. Every test starts from it and edits one thing.
const (
	planPath = "plans/iiswg-2022.yaml"

	sourcesYAML = `sources:
  - id: s01
    url: "https://example.org/plan-2022"
    title: Plan 2022
    publisher: 工业和信息化部
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
    note: "a report, in our words"
`

	agenciesYAML = `agencies:
  - {id: miit, name_zh: 工业和信息化部, name_en: Ministry of Industry and Information Technology, kind: ministry}
  - id: sastind
    name_zh: 国家国防科技工业局
    name_en: State Administration for Science, Technology and Industry for National Defence
    kind: administration
    parent: miit
    sources: [s01]
    aliases:
      - {alias: 国防科工局, lang: zh}
`

	regionsYAML = `---
regions:
  - id: cn-bj
    kind: municipality
    gb2260_code: "110000"
    iso_code: CN-BJ
    name_zh: 北京市
    name_en: Beijing
    members: []
`

	planYAML = `plan:
  id: iiswg-2022
  series: iiswg
  year: 2022
  title_zh: 工业互联网专项工作组2022年工作计划
  title_en: Industrial Internet Special Working Group 2022 Work Plan
  notice_title_zh: null
  doc_number: 工信厅信管〔2022〕423号
  doc_number_confidence: low
  declared: {categories: 15, measures: 83, members: 20}
  confidence: high
  sources:
    - s01
    - {id: s02, note: "reports the release"}

categories:
  - id: iiswg-2022-c01
    seq: 1
    name_zh: 网络体系强基行动
    name_status: named_in_source
    confidence: high
    sources: [s01]

members:
  - agency: miit
    role: lead
    confidence: high
    sources: [s01]

tasks:
  - id: iiswg-2022-m01
    category: iiswg-2022-c01
    summary_en: "Build ten 5G fully-connected factories."
    key_terms_zh: [5G全连接工厂]
    deadline: 2022年12月底
    confidence: high
    sources: [s01]
    targets:
      - id: iiswg-2022-m01-t1
        metric_en: benchmark factories
        as_written: 10个
        confidence: high
        sources: [s01]
`
)

// files is a sources folder as text, by path.
type files map[string]string

func baseFiles() files {
	return files{
		source.SourcesFile:  sourcesYAML,
		source.AgenciesFile: agenciesYAML,
		source.RegionsFile:  regionsYAML,
		planPath:            planYAML,
	}
}

func (f files) fs() fstest.MapFS {
	m := fstest.MapFS{}
	for p, s := range f {
		m[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return m
}

// edit changes one file of a sources folder.
type edit struct {
	file     string
	old, new string // replace old, which must occur exactly once, by new
	put      *string
	del      bool
}

func repl(file, old, new string) edit { return edit{file: file, old: old, new: new} }
func put(file, s string) edit         { return edit{file: file, put: &s} }
func del(file string) edit            { return edit{file: file, del: true} }

func (f files) apply(t *testing.T, edits ...edit) {
	t.Helper()
	for _, e := range edits {
		switch {
		case e.del:
			delete(f, e.file)
		case e.put != nil:
			f[e.file] = *e.put
		default:
			if n := strings.Count(f[e.file], e.old); n != 1 {
				t.Fatalf("edit of %s: %q occurs %d times, want once", e.file, e.old, n)
			}
			f[e.file] = strings.Replace(f[e.file], e.old, e.new, 1)
		}
	}
}

// at gives "file:line:col" of the place marked by '|' in marker, which must occur exactly once
// (without the '|') in the file. Columns count characters, as YAML does. A marker of "" means
// the start of the file.
func (f files) at(t *testing.T, file, marker string) string {
	t.Helper()
	if marker == "" {
		return file + ":1:1"
	}
	cut := strings.Index(marker, "|")
	if cut < 0 {
		cut = 0
	}
	plain := strings.Replace(marker, "|", "", 1)
	text := f[file]
	if n := strings.Count(text, plain); n != 1 {
		t.Fatalf("marker %q occurs %d times in %s, want once", plain, n, file)
	}
	before := text[:strings.Index(text, plain)+cut]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}

// want is one expected issue: where (a file and a marker, see files.at) and "rule: message".
type want struct {
	file, marker, text string
}

func (f files) expect(t *testing.T, ws []want) []string {
	t.Helper()
	var out []string
	for _, w := range ws {
		out = append(out, f.at(t, w.file, w.marker)+": "+w.text)
	}
	return out
}

func load(t *testing.T, f files, lim source.Limits) (*source.Docs, []string) {
	t.Helper()
	return loadFS(t, f.fs(), lim)
}

func loadFS(t *testing.T, fsys fs.FS, lim source.Limits) (*source.Docs, []string) {
	t.Helper()
	d, issues, err := source.Load(fsys, lim)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d, strs(issues)
}

func strs(issues []plan.Issue) []string {
	var out []string
	for _, i := range issues {
		out = append(out, i.String())
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestLoadValid(t *testing.T) {
	f := baseFiles()
	d, issues := load(t, f, source.DefaultLimits)
	if len(issues) > 0 {
		t.Fatalf("minimal valid set: got issues:\n%s", strings.Join(issues, "\n"))
	}

	wantSources := []plan.Source{
		{
			ID: "s01", URL: "https://example.org/plan-2022", Title: "Plan 2022",
			Publisher: ptr("工业和信息化部"), PublishedOn: ptr("2022-04-13"),
			Kind: "official", Language: "zh", Reliability: "high",
		},
		{
			ID: "s02", URL: "https://example.org/report", Title: "Report on the plan",
			Kind: "news", Language: "en", Reliability: "medium", Note: ptr("a report, in our words"),
		},
	}
	if diff := cmp.Diff(wantSources, d.Sources); diff != "" {
		t.Errorf("Sources (-want +got):\n%s", diff)
	}
	wantAgencies := []plan.Agency{
		{ID: "miit", NameZH: "工业和信息化部", NameEN: "Ministry of Industry and Information Technology", Kind: "ministry"},
		{
			ID: "sastind", NameZH: "国家国防科技工业局",
			NameEN: "State Administration for Science, Technology and Industry for National Defence",
			Kind:   "administration", Parent: ptr("miit"), Sources: []plan.Ref{{ID: "s01"}},
			Aliases: []plan.Alias{{Alias: "国防科工局", Lang: "zh"}},
		},
	}
	if diff := cmp.Diff(wantAgencies, d.Agencies); diff != "" {
		t.Errorf("Agencies (-want +got):\n%s", diff)
	}
	wantRegions := []plan.Region{{
		ID: "cn-bj", Kind: "municipality", GB2260: ptr("110000"), ISO: ptr("CN-BJ"),
		NameZH: "北京市", NameEN: "Beijing", Members: []string{},
	}}
	if diff := cmp.Diff(wantRegions, d.Regions); diff != "" {
		t.Errorf("Regions (-want +got):\n%s", diff)
	}
	wantPlans := []*plan.PlanFile{{
		Plan: plan.Plan{
			ID: "iiswg-2022", Series: "iiswg", Year: 2022,
			TitleZH:             "工业互联网专项工作组2022年工作计划",
			TitleEN:             "Industrial Internet Special Working Group 2022 Work Plan",
			DocNumber:           ptr("工信厅信管〔2022〕423号"),
			DocNumberConfidence: ptr("low"),
			Declared:            plan.Declared{Categories: ptr[int64](15), Measures: ptr[int64](83), Members: ptr[int64](20)},
			Confidence:          "high",
			Sources:             []plan.Ref{{ID: "s01"}, {ID: "s02", Note: ptr("reports the release")}},
		},
		Categories: []plan.Category{{
			ID: "iiswg-2022-c01", Seq: 1, NameZH: ptr("网络体系强基行动"), NameStatus: "named_in_source",
			Confidence: "high", Sources: []plan.Ref{{ID: "s01"}},
		}},
		Members: []plan.Member{{Agency: "miit", Role: "lead", Confidence: "high", Sources: []plan.Ref{{ID: "s01"}}}},
		Tasks: []plan.Task{{
			ID: "iiswg-2022-m01", Category: ptr("iiswg-2022-c01"),
			SummaryEN:  "Build ten 5G fully-connected factories.",
			KeyTermsZH: []string{"5G全连接工厂"}, Deadline: ptr("2022年12月底"),
			Confidence: "high", Sources: []plan.Ref{{ID: "s01"}},
			Targets: []plan.Target{{
				ID: "iiswg-2022-m01-t1", MetricEN: "benchmark factories", AsWritten: "10个",
				Confidence: "high", Sources: []plan.Ref{{ID: "s01"}},
			}},
		}},
	}}
	if diff := cmp.Diff(wantPlans, d.Plans); diff != "" {
		t.Errorf("Plans (-want +got):\n%s", diff)
	}
	if t.Failed() {
		return
	}

	// Positions: the value itself, not its key; columns count characters.
	pf := d.Plans[0]
	task := &pf.Tasks[0]
	for _, c := range []struct {
		name string
		ptr  any
		want string
	}{
		{"source url (quoted)", &d.Sources[1].URL, f.at(t, source.SourcesFile, `url: |"https://example.org/report"`)},
		{"optional value, address of the field", &d.Sources[0].PublishedOn, f.at(t, source.SourcesFile, "published_on: |2022-04-13")},
		{"optional value, the pointer", d.Sources[0].PublishedOn, f.at(t, source.SourcesFile, "published_on: |2022-04-13")},
		{"after Chinese text in a flow mapping", &d.Agencies[0].Kind, f.at(t, source.AgenciesFile, "kind: |ministry}")},
		{"agency row (flow mapping)", &d.Agencies[0], f.at(t, source.AgenciesFile, "- |{id: miit")},
		{"agency row (block mapping)", &d.Agencies[1], f.at(t, source.AgenciesFile, "- |id: sastind")},
		{"alias", &d.Agencies[1].Aliases[0].Lang, f.at(t, source.AgenciesFile, "lang: |zh}")},
		{"after a document start line", &d.Regions[0].ID, f.at(t, source.RegionsFile, "id: |cn-bj")},
		{"plan row", &pf.Plan, f.at(t, planPath, "  |id: iiswg-2022\n")},
		{"plan year", &pf.Plan.Year, f.at(t, planPath, "year: |2022")},
		{"declared count", pf.Plan.Declared.Measures, f.at(t, planPath, "measures: |83")},
		{"ref as an id", &pf.Plan.Sources[0], f.at(t, planPath, "    - |s01\n")},
		{"ref as a mapping", &pf.Plan.Sources[1], f.at(t, planPath, "- |{id: s02")},
		{"task row", task, f.at(t, planPath, "- |id: iiswg-2022-m01\n")},
		{"task deadline, address of the field", &task.Deadline, f.at(t, planPath, "deadline: |2022年12月底")},
		{"task deadline, the pointer", task.Deadline, f.at(t, planPath, "deadline: |2022年12月底")},
		{"key term", &task.KeyTermsZH[0], f.at(t, planPath, "[|5G全连接工厂]")},
		{"target as_written", &task.Targets[0].AsWritten, f.at(t, planPath, "as_written: |10个")},
		{"the plan file", pf, planPath + ":1:1"},
	} {
		if got := d.Pos(c.ptr).String(); got != c.want {
			t.Errorf("Pos(%s) = %s, want %s", c.name, got, c.want)
		}
	}
	if got := d.Pos(new(string)); got != (plan.Pos{}) {
		t.Errorf("Pos(a pointer that was never read) = %v, want the zero Pos", got)
	}
	if got := d.PlanPath(pf); got != planPath {
		t.Errorf("PlanPath = %q, want %q", got, planPath)
	}
}

func TestLoadFiles(t *testing.T) {
	f := baseFiles()
	f["README.md"] = "# Sources\n"
	f["plans/iiswg-2021.yaml"] = strings.NewReplacer("2022", "2021").Replace(planYAML)
	d, issues := load(t, f, source.DefaultLimits)
	if len(issues) > 0 {
		t.Fatalf("got issues:\n%s", strings.Join(issues, "\n"))
	}
	// The fixed files first, then the plans in name order; README.md is not a source file.
	var want []source.File
	for _, p := range []string{source.SourcesFile, source.AgenciesFile, source.RegionsFile, "plans/iiswg-2021.yaml", planPath} {
		sum := sha256.Sum256([]byte(f[p]))
		want = append(want, source.File{Path: p, Bytes: int64(len(f[p])), SHA256: hex.EncodeToString(sum[:])})
	}
	if diff := cmp.Diff(want, d.Files); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
	if len(d.Plans) != 2 || d.Plans[0].Plan.ID != "iiswg-2021" || d.Plans[1].Plan.ID != "iiswg-2022" {
		t.Errorf("Plans are not in file name order")
	}
	// A known vector, so that the digest is SHA-256 in lower-case hex and not something else.
	g := files{source.SourcesFile: "abc", source.AgenciesFile: agenciesYAML, source.RegionsFile: regionsYAML}
	d, _ = load(t, g, source.DefaultLimits)
	if len(d.Files) == 0 || d.Files[0].SHA256 != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" || d.Files[0].Bytes != 3 {
		t.Errorf("Files[0] = %+v, want the SHA-256 of \"abc\" and 3 bytes", d.Files)
	}
}

// taskKeys is every key of a task, in the order of plan.Task, as unknown-key lists them.
const taskKeys = "id, category, category_confidence, summary_en, summary_zh, key_terms_zh, annual_goal_en, responsible, deadline, confidence, sources, note, targets, regions, outcomes"

const (
	strayFile   = "stray-file: not a source file; sources hold sources.yaml, agencies.yaml, regions.yaml, source-checks.yaml, plans/*.yaml and README.md"
	strayFolder = "stray-file: unexpected folder; sources hold sources.yaml, agencies.yaml, regions.yaml, source-checks.yaml, plans/*.yaml and README.md"
)

// TestLoadRules has one case (or a few) per loader rule, with the exact issues expected.
func TestLoadRules(t *testing.T) {
	small := func(change func(*source.Limits)) *source.Limits {
		l := source.DefaultLimits
		change(&l)
		return &l
	}
	refBytes := int64(len(sourcesYAML) + len(agenciesYAML) + len(regionsYAML))
	for _, c := range []struct {
		name  string
		edits []edit
		lim   *source.Limits
		want  []want
	}{
		// yaml-syntax
		{
			name:  "yaml-syntax/tab indentation",
			edits: []edit{repl(planPath, "plan:\n  id: iiswg-2022\n", "plan:\n\tid: iiswg-2022\n")},
			want:  []want{{planPath, "|\tid", "yaml-syntax: found character that cannot start any token"}},
		},
		{
			name:  "yaml-syntax/mapping value on a plain scalar",
			edits: []edit{repl(planPath, "title_en: Industrial", "title_en: Industrial: Internet")},
			want:  []want{{planPath, "|  title_en: Industrial: Internet", "yaml-syntax: mapping values are not allowed in this context"}},
		},
		{
			name:  "yaml-syntax/second document",
			edits: []edit{repl(planPath, "\ncategories:\n", "\n---\ncategories:\n")},
			want:  []want{{planPath, "|---\n", "yaml-syntax: a source file holds one YAML document; found a second"}},
		},
		{
			name:  "yaml-syntax/second document in a reference file",
			edits: []edit{put(source.RegionsFile, regionsYAML+"---\nregions: []\n")},
			want:  []want{{source.RegionsFile, "|---\nregions: []", "yaml-syntax: a source file holds one YAML document; found a second"}},
		},

		// unknown-key
		{
			name:  "unknown-key/in a task",
			edits: []edit{repl(planPath, "    deadline:", "    owner: 工信部\n    deadline:")},
			want:  []want{{planPath, "|owner:", `unknown-key: unknown key "owner"; expected one of ` + taskKeys}},
		},
		{
			name:  "unknown-key/at the top of a plan file",
			edits: []edit{put(planPath, planYAML+"meta: {}\n")},
			want:  []want{{planPath, "|meta:", `unknown-key: unknown key "meta"; expected one of plan, aspects, categories, members, tasks`}},
		},
		{
			name:  "unknown-key/in a source",
			edits: []edit{repl(source.SourcesFile, "    title: Report", "    author: somebody\n    title: Report")},
			want:  []want{{source.SourcesFile, "|author", `unknown-key: unknown key "author"; expected one of id, url, title, publisher, published_on, kind, language, reliability, note`}},
		},
		{
			name:  "unknown-key/misspelt top-level key, then the missing one",
			edits: []edit{repl(source.SourcesFile, "sources:\n", "source:\n")},
			want: []want{
				{source.SourcesFile, "", `unknown-key: unknown key "source"; expected one of sources`},
				{source.SourcesFile, "", `missing-key: required key "sources" is missing`},
			},
		},

		// duplicate-key
		{
			name:  "duplicate-key/in the plan",
			edits: []edit{repl(planPath, "  confidence: high\n  sources:", "  confidence: high\n  confidence: low\n  sources:")},
			want:  []want{{planPath, "\n  |confidence: low", `duplicate-key: key "confidence" appears twice in this mapping`}},
		},
		{
			name:  "duplicate-key/top level",
			edits: []edit{put(planPath, planYAML+"members: []\n")},
			want:  []want{{planPath, "|members: []", `duplicate-key: key "members" appears twice in this mapping`}},
		},

		// wrong-type
		{
			name:  "wrong-type/list for text",
			edits: []edit{repl(planPath, `summary_en: "Build ten 5G fully-connected factories."`, "summary_en: [build, factories]")},
			want:  []want{{planPath, "summary_en: |[build", "wrong-type: expected text, found a list"}},
		},
		{
			name:  "wrong-type/mapping for text",
			edits: []edit{repl(planPath, "metric_en: benchmark factories", "metric_en: {en: benchmark factories}")},
			want:  []want{{planPath, "metric_en: |{en", "wrong-type: expected text, found a mapping"}},
		},
		{
			name:  "wrong-type/text for a list",
			edits: []edit{repl(planPath, "key_terms_zh: [5G全连接工厂]", "key_terms_zh: 5G全连接工厂")},
			want:  []want{{planPath, "key_terms_zh: |5G", `wrong-type: expected a list, found "5G全连接工厂"`}},
		},
		{
			name:  "wrong-type/mapping for a list",
			edits: []edit{repl(planPath, "  - agency: miit\n    role: lead\n    confidence: high\n    sources: [s01]\n", "  agency: miit\n  role: lead\n")},
			want:  []want{{planPath, "|agency: miit", "wrong-type: expected a list, found a mapping"}},
		},
		{
			name:  "wrong-type/text for a mapping",
			edits: []edit{repl(planPath, "    deadline:", "    responsible: 工信部牵头\n    deadline:")},
			want:  []want{{planPath, "responsible: |工信部牵头", `wrong-type: expected a mapping, found "工信部牵头"`}},
		},
		{
			name:  "wrong-type/list for a mapping",
			edits: []edit{repl(planPath, "declared: {categories: 15, measures: 83, members: 20}", "declared: [15, 83, 20]")},
			want:  []want{{planPath, "declared: |[15", "wrong-type: expected a mapping, found a list"}},
		},
		{
			name:  "wrong-type/a whole file that is a list",
			edits: []edit{put(planPath, "- plan\n")},
			want:  []want{{planPath, "", "wrong-type: expected a mapping, found a list"}},
		},
		{
			name:  "wrong-type/quoted number",
			edits: []edit{repl(planPath, "year: 2022", `year: "2022"`)},
			want:  []want{{planPath, `year: |"2022"`, `wrong-type: expected a whole number, found "2022"`}},
		},
		{
			name:  "wrong-type/fraction",
			edits: []edit{repl(planPath, "seq: 1", "seq: 1.5")},
			want:  []want{{planPath, "seq: |1.5", `wrong-type: expected a whole number, found "1.5"`}},
		},
		{
			name:  "wrong-type/number beyond int64",
			edits: []edit{repl(planPath, "measures: 83", "measures: 18446744073709551615")},
			want:  []want{{planPath, "measures: |1844", `wrong-type: expected a whole number, found "18446744073709551615"`}},
		},
		{
			name:  "wrong-type/list for a number",
			edits: []edit{repl(planPath, "year: 2022", "year: [2022]")},
			want:  []want{{planPath, "year: |[2022]", "wrong-type: expected a whole number, found a list"}},
		},
		{
			name:  "missing-key/null for a required text",
			edits: []edit{repl(planPath, "title_en: Industrial Internet Special Working Group 2022 Work Plan", "title_en: null")},
			want:  []want{{planPath, "title_en: |null", `missing-key: required key "title_en" has no value`}},
		},
		{
			name:  "missing-key/tilde for a required text",
			edits: []edit{repl(planPath, "as_written: 10个", "as_written: ~")},
			want:  []want{{planPath, "as_written: |~", `missing-key: required key "as_written" has no value`}},
		},
		{
			name:  "missing-key/null for a required mapping",
			edits: []edit{put(planPath, "plan: null\n")},
			want:  []want{{planPath, "plan: |null", `missing-key: required key "plan" has no value`}},
		},

		// missing-key
		{
			name:  "missing-key/in a task",
			edits: []edit{repl(planPath, "    summary_en: \"Build ten 5G fully-connected factories.\"\n", "")},
			want:  []want{{planPath, "- |id: iiswg-2022-m01\n", `missing-key: required key "summary_en" is missing`}},
		},
		{
			name:  "missing-key/several, in struct order",
			edits: []edit{repl(source.AgenciesFile, "name_zh: 工业和信息化部, name_en: Ministry of Industry and Information Technology, ", "")},
			want: []want{
				{source.AgenciesFile, "- |{id: miit", `missing-key: required key "name_zh" is missing`},
				{source.AgenciesFile, "- |{id: miit", `missing-key: required key "name_en" is missing`},
			},
		},
		{
			name:  "missing-key/no plan in a plan file",
			edits: []edit{put(planPath, "tasks: []\n")},
			want:  []want{{planPath, "", `missing-key: required key "plan" is missing`}},
		},

		// missing-file, stray-file, symlink
		{
			name:  "missing-file/agencies.yaml",
			edits: []edit{del(source.AgenciesFile)},
			want:  []want{{source.AgenciesFile, "", "missing-file: required file is missing"}},
		},
		{
			name:  "missing-file/all three, plans are optional",
			edits: []edit{del(source.SourcesFile), del(source.AgenciesFile), del(source.RegionsFile), del(planPath)},
			want: []want{
				{source.SourcesFile, "", "missing-file: required file is missing"},
				{source.AgenciesFile, "", "missing-file: required file is missing"},
				{source.RegionsFile, "", "missing-file: required file is missing"},
			},
		},
		{
			name: "stray-file/files and folders, in name order",
			edits: []edit{
				put("notes.txt", "todo\n"),
				put("drafts/iiswg-2023.yaml", planYAML),
				put("plans/iiswg-2021.yml", planYAML),
				put("plans/old/iiswg-2020.yaml", planYAML),
				put("README.md", "# allowed\n"),
			},
			want: []want{
				{"drafts", "", strayFolder},
				{"notes.txt", "", strayFile},
				{"plans/iiswg-2021.yml", "", strayFile},
				{"plans/old", "", strayFolder},
			},
		},
		{
			name:  "stray-file/README.md only at the top",
			edits: []edit{put("plans/README.md", "# not here\n")},
			want:  []want{{"plans/README.md", "", strayFile}},
		},

		// empty-file
		{
			name:  "empty-file/no bytes",
			edits: []edit{put(planPath, "")},
			want:  []want{{planPath, "", "empty-file: file is empty"}},
		},
		{
			name:  "empty-file/only white space",
			edits: []edit{put(source.RegionsFile, "  \n\n\t\n")},
			want:  []want{{source.RegionsFile, "", "empty-file: file is empty"}},
		},

		// encoding
		{
			name:  "encoding/Latin-1 byte",
			edits: []edit{repl(planPath, "title_en: Industrial", "title_en: Caf\xe9 Industrial")},
			// The bad byte is the character after "title_en: Caf" on the sixth line.
			want: []want{{planPath, "  title_en: Caf|\xe9", "encoding: file is not valid UTF-8"}},
		},
		{
			name:  "encoding/truncated sequence after Chinese text",
			edits: []edit{repl(planPath, "deadline: 2022年12月底", "deadline: 2022年12月\xe5\xba")},
			want:  []want{{planPath, "deadline: 2022年12月|\xe5", "encoding: file is not valid UTF-8"}},
		},
		{
			name:  "encoding/UTF-16",
			edits: []edit{put(source.SourcesFile, "\xff\xfes\x00o\x00")},
			want:  []want{{source.SourcesFile, "", "encoding: file is not valid UTF-8"}},
		},
		{
			name:  "encoding/byte-order mark",
			edits: []edit{put(source.AgenciesFile, "\ufeff"+agenciesYAML)},
			want:  []want{{source.AgenciesFile, "", "encoding: file starts with a byte-order mark; save it as UTF-8 without BOM"}},
		},

		// too-large
		{
			name:  "too-large/file over MaxFileBytes",
			edits: []edit{put(planPath, planYAML+strings.Repeat("#", 1000)+"\n")},
			lim:   small(func(l *source.Limits) { l.MaxFileBytes = int64(len(planYAML)) + 1000 }),
			want:  []want{{planPath, "", fmt.Sprintf("too-large: file is larger than %d bytes", len(planYAML)+1000)}},
		},
		{
			name:  "too-large/file of exactly MaxFileBytes",
			edits: []edit{put(planPath, planYAML+strings.Repeat("#", 999)+"\n")},
			lim:   small(func(l *source.Limits) { l.MaxFileBytes = int64(len(planYAML)) + 1000 }),
		},
		{
			name: "too-large/all files over MaxTotalBytes",
			lim:  small(func(l *source.Limits) { l.MaxTotalBytes = refBytes + int64(len(planYAML)) - 1 }),
			want: []want{{planPath, "", fmt.Sprintf("too-large: sources together are larger than %d bytes", refBytes+int64(len(planYAML))-1)}},
		},
		{
			name: "too-large/all files of exactly MaxTotalBytes",
			lim:  small(func(l *source.Limits) { l.MaxTotalBytes = refBytes + int64(len(planYAML)) }),
		},
		{
			name: "too-large/more nodes than MaxNodes",
			lim:  small(func(l *source.Limits) { l.MaxNodes = 10 }),
			// Every file holds more than ten values; regions.yaml, the smallest, holds a mapping,
			// a list and a row of seven values.
			want: []want{
				{source.SourcesFile, "", "too-large: more than 10 YAML nodes once aliases are expanded"},
				{source.AgenciesFile, "", "too-large: more than 10 YAML nodes once aliases are expanded"},
				{source.RegionsFile, "", "too-large: more than 10 YAML nodes once aliases are expanded"},
				{planPath, "", "too-large: more than 10 YAML nodes once aliases are expanded"},
			},
		},

		// too-deep
		{
			name: "too-deep/rows of sources.yaml under MaxDepth 2",
			lim:  small(func(l *source.Limits) { l.MaxDepth = 2 }),
			// sources.yaml nests a mapping in a list in a mapping: the rows are the third level.
			edits: []edit{put(source.AgenciesFile, "agencies: []\n"), put(source.RegionsFile, "regions: []\n"), del(planPath)},
			want: []want{
				{source.SourcesFile, "- |id: s01", "too-deep: nesting deeper than 2 levels"},
				{source.SourcesFile, "- |id: s02", "too-deep: nesting deeper than 2 levels"},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := baseFiles()
			f.apply(t, c.edits...)
			lim := source.DefaultLimits
			if c.lim != nil {
				lim = *c.lim
			}
			_, got := load(t, f, lim)
			if diff := cmp.Diff(f.expect(t, c.want), got); diff != "" {
				t.Errorf("issues (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadDepth pins what MaxDepth counts: "nesting of mappings and lists" (Limits). A text or
// number inside the deepest allowed mapping is not one level more, and an optional value (a
// pointer in the plan types) nests exactly like a required one.
func TestLoadDepth(t *testing.T) {
	for _, c := range []struct {
		name  string
		depth int
		only  string // compare only the issues of this file
		edits []edit
		want  []want
	}{
		{
			// sources.yaml: mapping > list > mapping, and texts in the rows.
			name:  "three levels of mappings and lists load under MaxDepth 3",
			depth: 3,
			only:  source.SourcesFile,
		},
		{
			// plan.id (required) and plan.doc_number (optional) sit at the same depth.
			name:  "optional and required values at the same depth",
			depth: 3,
			only:  planPath,
			edits: []edit{put(planPath, "plan: {id: iiswg-2022, series: iiswg, year: 2022, title_zh: x, title_en: y, doc_number: z, confidence: high}\n")},
		},
		{
			// mapping > tasks > task > targets > target > sources (6) > {id, note} (7).
			name:  "a ref mapping one level too deep; plain ids beside it are fine",
			depth: 6,
			only:  planPath,
			edits: []edit{repl(planPath, "        sources: [s01]\n", "        sources: [s01, {id: s02, note: deep}]\n")},
			want:  []want{{planPath, "[s01, |{id: s02, note: deep}", "too-deep: nesting deeper than 6 levels"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := baseFiles()
			f.apply(t, c.edits...)
			lim := source.DefaultLimits
			lim.MaxDepth = c.depth
			_, all := load(t, f, lim)
			var got []string
			for _, s := range all {
				if strings.HasPrefix(s, c.only+":") {
					got = append(got, s)
				}
			}
			if diff := cmp.Diff(f.expect(t, c.want), got); diff != "" {
				t.Errorf("issues of %s (-want +got):\n%s", c.only, diff)
			}
		})
	}
}

// TestLoadYAMLSyntaxLine: a YAML error the parser reports without a line (control characters)
// must still point at its line, and carry no "yaml: " prefix like the other syntax messages.
func TestLoadYAMLSyntaxLine(t *testing.T) {
	f := baseFiles()
	f.apply(t, repl(planPath, "title_en: Industrial", "title_en: \x01Industrial"))
	d, issues, err := source.Load(f.fs(), source.DefaultLimits)
	if err != nil || d == nil {
		t.Fatalf("Load: %v", err)
	}
	if len(issues) != 1 {
		t.Fatalf("got %d issues %v, want 1", len(issues), issues)
	}
	wantLine := 6 // title_en is on the sixth line of planYAML
	got := issues[0]
	if got.File != planPath || got.Line != wantLine || got.Rule != "yaml-syntax" || got.Msg != "control characters are not allowed" {
		t.Errorf("got %s, want %s:%d:_: yaml-syntax: control characters are not allowed", got, planPath, wantLine)
	}
}

// TestLoadCommentOnly: a file that holds only comments has no content; it is an empty file,
// not a YAML syntax error "EOF".
func TestLoadCommentOnly(t *testing.T) {
	f := baseFiles()
	f.apply(t, put(planPath, "# yaml-language-server: $schema=../../schemas/sources.schema.json\n# to do\n"))
	_, got := load(t, f, source.DefaultLimits)
	want := []string{planPath + ":1:1: empty-file: file is empty"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
}

// TestLoadNull: "leave a key out (or write null) when no source gives it" (docs/sources.md).
// Writing null for an optional key loads like leaving it out.
func TestLoadNull(t *testing.T) {
	for _, c := range []struct {
		name      string
		with, out edit
	}{
		{"optional text", repl(planPath, "  doc_number_confidence: low\n", "  doc_number_confidence: low\n  url: null\n"), edit{}},
		{"optional list", repl(planPath, "    key_terms_zh: [5G全连接工厂]\n", "    key_terms_zh: [5G全连接工厂]\n    outcomes: null\n"), edit{}},
		{"optional mapping", repl(planPath, "    deadline:", "    responsible: null\n    deadline:"), edit{}},
		{
			"declared (documented as null when unknown)",
			repl(planPath, "declared: {categories: 15, measures: 83, members: 20}", "declared: null"),
			repl(planPath, "  declared: {categories: 15, measures: 83, members: 20}\n", ""),
		},
		{
			"note of a ref",
			repl(planPath, `{id: s02, note: "reports the release"}`, "{id: s02, note: null}"),
			repl(planPath, `{id: s02, note: "reports the release"}`, "{id: s02}"),
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			with := baseFiles()
			with.apply(t, c.with)
			out := baseFiles()
			if c.out.file != "" {
				out.apply(t, c.out)
			}
			dw, issues := load(t, with, source.DefaultLimits)
			if len(issues) > 0 {
				t.Errorf("with null: got issues\n%s", strings.Join(issues, "\n"))
			}
			do, _ := load(t, out, source.DefaultLimits)
			if diff := cmp.Diff(do.Plans, dw.Plans); diff != "" {
				t.Errorf("plan with null differs from plan without the key (-without +with):\n%s", diff)
			}
		})
	}
}

func TestLoadRefs(t *testing.T) {
	// Each case replaces the sources of the task.
	const task = "    sources: [s01]\n    targets:"
	for _, c := range []struct {
		name       string
		sources    string
		want       []plan.Ref
		wantIssues []want
	}{
		{name: "plain id", sources: "[s02]", want: []plan.Ref{{ID: "s02"}}},
		{name: "block list of ids", sources: "\n      - s01\n      - s02", want: []plan.Ref{{ID: "s01"}, {ID: "s02"}}},
		{name: "id and note", sources: `[{id: s02, note: "says so"}]`, want: []plan.Ref{{ID: "s02", Note: ptr("says so")}}},
		{name: "id only, as a mapping", sources: "[{id: s02}]", want: []plan.Ref{{ID: "s02"}}},
		{name: "block mapping", sources: "\n      - id: s01\n        note: x", want: []plan.Ref{{ID: "s01", Note: ptr("x")}}},
		{name: "empty list", sources: "[]", want: []plan.Ref{}},
		{name: "number as an id", sources: "[17]", want: []plan.Ref{{ID: "17"}}},
		{name: "an alias to an id", sources: "[&first s01, *first]", want: []plan.Ref{{ID: "s01"}, {ID: "s01"}}},
		{
			name: "an alias inside a ref mapping", sources: "[&first s01, {id: *first, note: again}]",
			want: []plan.Ref{{ID: "s01"}, {ID: "s01", Note: ptr("again")}},
		},
		{
			name: "unknown key in a ref", sources: "[{id: s01, page: 3}]",
			wantIssues: []want{{planPath, "|page: 3", `unknown-key: unknown key "page"; expected one of id, note`}},
		},
		{
			name: "duplicate key in a ref", sources: "[{id: s01, id: s02}]",
			wantIssues: []want{{planPath, "{id: s01, |id: s02}", `duplicate-key: key "id" appears twice in this mapping`}},
		},
		{
			name: "no id", sources: "[{note: orphan}]",
			wantIssues: []want{{planPath, "[|{note: orphan}", `missing-key: required key "id" is missing`}},
		},
		{
			name: "list for the id", sources: "[{id: [s01]}]",
			// One problem, one issue: the id is there, but of the wrong type.
			wantIssues: []want{{planPath, "{id: |[s01]}", "wrong-type: id: expected text, found a list"}},
		},
		{
			name: "a list where a ref is expected", sources: "[[s01, s02]]",
			wantIssues: []want{{planPath, "[|[s01, s02]]", "wrong-type: expected a source id or {id, note}, found a list"}},
		},
		{
			name: "null ref", sources: "[null]",
			wantIssues: []want{{planPath, "[|null]", "wrong-type: expected a source id or {id, note}, found null"}},
		},
		{
			name: "a single id instead of a list", sources: "s01",
			wantIssues: []want{{planPath, "sources: |s01\n    targets", `wrong-type: expected a list, found "s01"`}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := baseFiles()
			f.apply(t, repl(planPath, task, "    sources: "+c.sources+"\n    targets:"))
			d, issues := load(t, f, source.DefaultLimits)
			if diff := cmp.Diff(f.expect(t, c.wantIssues), issues); diff != "" {
				t.Errorf("issues (-want +got):\n%s", diff)
			}
			if c.wantIssues != nil {
				return // what is decoded next to an issue is not specified
			}
			if diff := cmp.Diff(c.want, d.Plans[0].Tasks[0].Sources); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadSeveralIssues: the loader does not stop at the first problem, in a file or across
// files.
func TestLoadSeveralIssues(t *testing.T) {
	f := baseFiles()
	f.apply(t,
		repl(planPath, "    category: iiswg-2022-c01\n", "    category: [iiswg-2022-c01]\n"),
		repl(planPath, "    deadline: 2022年12月底\n", "    deadline: 2022年12月底\n    owner: miit\n"),
		repl(planPath, "        confidence: high\n        sources: [s01]\n", "        confidence: high\n        confidence: low\n        sources: [s01]\n"),
		repl(source.SourcesFile, "    kind: news\n", "    kind: news\n    kind: wire\n"),
	)
	_, got := load(t, f, source.DefaultLimits)
	want := f.expect(t, []want{
		{source.SourcesFile, "|kind: wire", `duplicate-key: key "kind" appears twice in this mapping`},
		{planPath, "category: |[iiswg-2022-c01]", "wrong-type: expected text, found a list"},
		{planPath, "|owner: miit", `unknown-key: unknown key "owner"; expected one of ` + taskKeys},
		{planPath, "        |confidence: low", `duplicate-key: key "confidence" appears twice in this mapping`},
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
}

// failFS fails to open one file, or to list one folder.
type failFS struct {
	fstest.MapFS
	open, readDir string
}

func (f failFS) Open(name string) (fs.File, error) {
	if name == f.open {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.Open(name)
}

func (f failFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == f.readDir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.ReadDir(name)
}

func TestLoadUnreadableAndLinks(t *testing.T) {
	for _, c := range []struct {
		name string
		fsys func() fs.FS
		want []string
	}{
		{
			name: "a file that cannot be opened",
			fsys: func() fs.FS { return failFS{MapFS: baseFiles().fs(), open: source.RegionsFile} },
			want: []string{"regions.yaml:1:1: unreadable: open regions.yaml: permission denied"},
		},
		{
			name: "a folder that cannot be listed",
			fsys: func() fs.FS { return failFS{MapFS: baseFiles().fs(), readDir: source.PlansDir} },
			want: []string{"plans:1:1: unreadable: readdir plans: permission denied"},
		},
		{
			name: "a symbolic link out of the folder",
			fsys: func() fs.FS {
				m := baseFiles().fs()
				m["plans/iiswg-2021.yaml"] = &fstest.MapFile{Data: []byte("../../elsewhere/iiswg-2021.yaml"), Mode: fs.ModeSymlink}
				return m
			},
			want: []string{"plans/iiswg-2021.yaml:1:1: symlink: symbolic links are not allowed in the sources folder; copy the file instead"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, got := loadFS(t, c.fsys(), source.DefaultLimits)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("issues (-want +got):\n%s", diff)
			}
		})
	}
}

// Alias bombs: a small file whose aliases expand to a billion values. Each level is a list of
// n aliases to the row before, shaped like the plan types so that the decoder walks into it.
func laughs(n int) string {
	var b strings.Builder
	b.WriteString("plan: {id: iiswg-2022, series: iiswg, year: 2022, title_zh: x, title_en: y, confidence: high, sources: [s01]}\n")
	b.WriteString("tasks: [&t {id: iiswg-2022-m01, summary_en: x, confidence: high, sources: [s01], targets: [&g {id: iiswg-2022-m01-t1, metric_en: m, as_written: w, confidence: high, sources: [&r s01")
	b.WriteString(strings.Repeat(", *r", n) + "]}")
	b.WriteString(strings.Repeat(", *g", n) + "]}")
	b.WriteString(strings.Repeat(", *t", n) + "]\n")
	return b.String()
}

// emptyRows is an alias bomb whose rows are empty mappings: every expansion is also a handful
// of missing-key issues.
func emptyRows(n int) string {
	var b strings.Builder
	b.WriteString("plan: {id: iiswg-2022, series: iiswg, year: 2022, title_zh: x, title_en: y, confidence: high, sources: [s01]}\n")
	b.WriteString("tasks: [&t {id: iiswg-2022-m01, summary_en: x, confidence: high, sources: [s01], targets: [&g {}")
	b.WriteString(strings.Repeat(", *g", n) + "]}")
	b.WriteString(strings.Repeat(", *t", n) + "]\n")
	return b.String()
}

func TestLoadAliasBomb(t *testing.T) {
	const maxAlloc = 64 << 20
	small := source.DefaultLimits
	small.MaxNodes = 1000
	for _, c := range []struct {
		name string
		yaml string
		lim  source.Limits
		skip string
	}{
		{name: "billion laughs, MaxNodes 1000", yaml: laughs(1000), lim: small},
		{name: "billion laughs, DefaultLimits", yaml: laughs(1000), lim: source.DefaultLimits},
		{name: "empty rows, MaxNodes 1000", yaml: emptyRows(2000), lim: small},
		{name: "empty rows, DefaultLimits", yaml: emptyRows(2000), lim: source.DefaultLimits},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.skip != "" {
				t.Skip(c.skip)
			}
			if len(c.yaml) > 20_000 {
				t.Fatalf("bomb is %d bytes; it should be small", len(c.yaml))
			}
			f := baseFiles()
			f.apply(t, put(planPath, c.yaml))
			fsys := f.fs()

			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, issues, err := source.Load(fsys, c.lim)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}

			tooLarge := fmt.Sprintf("%s:1:1: too-large: more than %d YAML nodes once aliases are expanded", planPath, c.lim.MaxNodes)
			got := strs(issues)
			found := false
			for _, s := range got {
				found = found || s == tooLarge
			}
			if !found {
				t.Errorf("no %q among %d issues", tooLarge, len(got))
			}
			if elapsed > time.Second {
				t.Errorf("Load took %v; an alias bomb must fail fast", elapsed)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
				t.Errorf("Load allocated %d MiB (%d issues); want at most %d MiB", alloc>>20, len(got), maxAlloc>>20)
			}
		})
	}
}

package normalize_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/normalize"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

const sourcesYAML = `sources:
  - {id: s01, url: "https://example.org/a", title: A, kind: official, language: zh, reliability: high}
  - {id: s02, url: "https://example.org/b", title: B, kind: news, language: en, reliability: medium}
`

const agenciesYAML = `agencies:
  - id: miit
    name_zh: 工业和信息化部
    short_name_zh: 工信部
    name_en: Ministry of Industry and Information Technology
    abbreviation: MIIT
    kind: ministry
  - id: miit-itd
    name_zh: 工业和信息化部信息技术发展司
    short_name_zh: 信发司
    name_en: Department of Information Technology Development
    kind: department
    parent: miit
  - id: ndrc
    name_zh: 国家发展和改革委员会
    short_name_zh: 国家发展改革委
    name_en: National Development and Reform Commission
    abbreviation: NDRC
    kind: commission
    aliases:
      - {alias: 发改委, lang: zh}
`

const regionsYAML = `regions:
  - {id: cn-he, kind: province, gb2260_code: "130000", iso_code: CN-HE, name_zh: 河北省, short_name_zh: 河北, name_en: Hebei, aliases: [{alias: 冀, lang: zh}]}
  - {id: cn-cq, kind: municipality, gb2260_code: "500000", iso_code: CN-CQ, name_zh: 重庆市, short_name_zh: 重庆, name_en: Chongqing}
`

const planYAML = `plan:
  id: iiswg-2022
  series: iiswg
  year: 2022
  title_zh: 工业互联网专项工作组2022年工作计划
  title_en: Industrial Internet Special Working Group 2022 Work Plan
  declared: {categories: 15, measures: 83, members: 20}
  confidence: high
  sources: [s01]
categories:
  - {id: iiswg-2022-c01, seq: 1, name_zh: 网络体系强基行动, name_status: named_in_source, confidence: high, sources: [s01]}
  - {id: iiswg-2022-c02, seq: 2, name_status: inferred, confidence: low, sources: [s02]}
members:
  - {agency: miit, role: lead, confidence: high, sources: [{id: s01, note: "names MIIT as issuer"}]}
tasks:
  - id: iiswg-2022-m02
    summary_en: Second task, listed first.
    confidence: medium
    sources: [s02]
  - id: iiswg-2022-m01
    category: iiswg-2022-c01
    summary_en: Build benchmark factories.
    responsible:
      as_written: 工业和信息化部（信发司）牵头，国家发展改革委配合
      confidence: medium
      sources: [s02]
    deadline: 2022年第三季度
    confidence: high
    sources: [s01, s02]
    targets:
      - {id: iiswg-2022-m01-t1, metric_en: benchmark factories, as_written: 10万家以上, confidence: high, sources: [s01]}
    regions:
      - {as_written: 冀, role_en: pilot, confidence: medium, sources: [s02]}
      - {as_written: Chongqing, confidence: medium, sources: [s02]}
`

func load(t *testing.T, edit func(map[string]string)) (*table.Set, []string) {
	t.Helper()
	docs, issues, err := source.Load(fixture(edit), source.DefaultLimits)
	if err != nil || len(issues) > 0 {
		t.Fatalf("Load: %v %v", err, issues)
	}
	set, issues := normalize.Tables(docs, schemas.MustLoad())
	var out []string
	for _, is := range issues {
		out = append(out, is.String())
	}
	return set, out
}

// rows returns the canonical text of the named columns of every row of a table.
func rows(set *table.Set, name string, cols ...string) []string {
	t := set.Table(name)
	var out []string
	err := t.Scan(func(r table.Row) error {
		var parts []string
		for _, c := range cols {
			parts = append(parts, table.Canon(r[t.Schema.Index(c)]))
		}
		out = append(out, strings.Join(parts, " "))
		return nil
	})
	if err != nil {
		out = append(out, "error: "+err.Error())
	}
	return out
}

func TestTables(t *testing.T) {
	set, issues := load(t, nil)
	if len(issues) > 0 {
		t.Fatalf("issues: %v", issues)
	}
	tests := []struct {
		table string
		cols  []string
		want  []string
	}{
		// 10万家以上: 万 multiplies, 以上 means at least; the unit is the classifier after the number.
		{"targets", []string{"target_id", "value_min", "value_max", "comparator", "unit_zh", "unit_en"},
			[]string{`"iiswg-2022-m01-t1" 100000 null ">=" "家" "enterprises"`}},
		// The third quarter of 2022 ends on 30 September.
		{"tasks", []string{"task_id", "deadline_date", "deadline_precision", "category_id"},
			[]string{`"iiswg-2022-m01" 2022-09-30 "quarter" "iiswg-2022-c01"`, `"iiswg-2022-m02" null null null`}},
		// The department in brackets resolves; 牵头 makes it lead and 配合 the other joint.
		{"task_agencies", []string{"task_id", "agency_id", "role", "as_written"},
			[]string{`"iiswg-2022-m01" "miit-itd" "lead" "工业和信息化部（信发司）"`, `"iiswg-2022-m01" "ndrc" "joint" "国家发展改革委"`}},
		// An alias and an English name both resolve.
		{"task_regions", []string{"task_id", "region_id", "as_written"},
			[]string{`"iiswg-2022-m01" "cn-cq" "Chongqing"`, `"iiswg-2022-m01" "cn-he" "冀"`}},
		// Coverage: 2 of 83 measures, 2 categories of which 1 is named, 1 member.
		{"plans", []string{"categories_recorded", "categories_named", "measures_recorded", "members_recorded", "measures_coverage"},
			[]string{fmt.Sprintf("2 1 2 1 %v", 2.0/83)}},
		{"task_categories", []string{"category_id", "measures_recorded"},
			[]string{`"iiswg-2022-c01" 1`, `"iiswg-2022-c02" 0`}},
		// Every name form of an agency is an alias row, once.
		{"agency_aliases", []string{"alias", "agency_id", "origin"}, []string{
			`"Department of Information Technology Development" "miit-itd" "name_en"`,
			`"MIIT" "miit" "abbreviation"`,
			`"Ministry of Industry and Information Technology" "miit" "name_en"`,
			`"NDRC" "ndrc" "abbreviation"`,
			`"National Development and Reform Commission" "ndrc" "name_en"`,
			`"信发司" "miit-itd" "short_name_zh"`,
			`"发改委" "ndrc" "alias"`,
			`"国家发展和改革委员会" "ndrc" "name_zh"`,
			`"国家发展改革委" "ndrc" "short_name_zh"`,
			`"工业和信息化部" "miit" "name_zh"`,
			`"工业和信息化部信息技术发展司" "miit-itd" "name_zh"`,
			`"工信部" "miit" "short_name_zh"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, rows(set, tt.table, tt.cols...)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}

	// Evidence: link tables use key parts joined with '/', and a citation's note is kept.
	ev := strings.Join(rows(set, "evidence", "subject_table", "subject_id", "source_id", "note"), "\n")
	for _, want := range []string{
		`"plan_members" "iiswg-2022/miit" "s01" "names MIIT as issuer"`,
		`"task_agencies" "iiswg-2022-m01/miit-itd" "s02" null`,
		`"task_agencies" "iiswg-2022-m01/ndrc" "s02" null`,
		`"task_regions" "iiswg-2022-m01/cn-he" "s02" null`,
		`"targets" "iiswg-2022-m01-t1" "s01" null`,
		`"tasks" "iiswg-2022-m01" "s01" null`,
		`"tasks" "iiswg-2022-m01" "s02" null`,
	} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %s; it holds:\n%s", want, ev)
		}
	}

	// tasks_flat joins what belongs to each task.
	flat := rows(set, "tasks_flat", "task_id", "agencies", "regions", "targets", "source_urls")
	want := []string{
		`"iiswg-2022-m01" "joint:ndrc; lead:miit-itd" "cn-cq; cn-he" "benchmark factories: 10万家以上" "https://example.org/a https://example.org/b"`,
		`"iiswg-2022-m02" null null null "https://example.org/b"`,
	}
	if diff := cmp.Diff(want, flat); diff != "" {
		t.Errorf("tasks_flat (-want +got)\n%s", diff)
	}
}

// pos is the line:col of the last occurrence of marker in text, columns counted in characters.
func pos(text, marker string) string {
	i := strings.LastIndex(text, marker)
	if i < 0 {
		return "(marker " + marker + " not found)"
	}
	line := strings.Count(text[:i], "\n") + 1
	col := utf8.RuneCountInString(text[strings.LastIndex(text[:i], "\n")+1:i]) + 1
	return fmt.Sprintf("%d:%d", line, col)
}

func TestTablesIssues(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // replaced in the plan file
		agencies string // replaces agencies.yaml when set
		want     []string
	}{
		{
			name: "unresolved region", old: "as_written: 冀", new: "as_written: 火星",
			want: []string{`plans/iiswg-2022.yaml:@火星: unresolved-region: region "火星" is not a name or alias in regions.yaml`},
		},
		{
			name: "region named twice", old: "as_written: Chongqing", new: "as_written: 河北",
			want: []string{`plans/iiswg-2022.yaml:@河北: duplicate-region: region "河北" (cn-he) is named twice for this task`},
		},
		{
			name: "unresolved agency", old: "国家发展改革委配合", new: "国家数据局配合",
			want: []string{`plans/iiswg-2022.yaml:@工业和信息化部（信发司）: unresolved-agency: responsible units "工业和信息化部（信发司）牵头，国家数据局配合": unknown agency "国家数据局"`},
		},
		{
			name: "unresolved deadline", old: "2022年第三季度", new: "2022年13月",
			want: []string{`plans/iiswg-2022.yaml:@2022年13月: unresolved-deadline: deadline "2022年13月": month 13 is not between 1 and 12`},
		},
		{
			name: "unresolved target", old: "as_written: 10万家以上", new: "as_written: 若干家",
			want: []string{`plans/iiswg-2022.yaml:@若干家: unresolved-target: target "若干家": no number`},
		},
		{
			name:     "alias that stands for two agencies",
			agencies: strings.Replace(agenciesYAML, "{alias: 发改委, lang: zh}", "{alias: 工信部, lang: zh}", 1),
			want:     []string{`agencies.yaml:@工信部: duplicate-alias: name "工信部" already stands for "miit"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var edited map[string]string
			_, got := load(t, func(f map[string]string) {
				defer func() { edited = f }()
				if tt.old != "" {
					if !strings.Contains(f["plans/iiswg-2022.yaml"], tt.old) {
						t.Fatalf("plan file lacks %q", tt.old)
					}
					f["plans/iiswg-2022.yaml"] = strings.Replace(f["plans/iiswg-2022.yaml"], tt.old, tt.new, 1)
				}
				if tt.agencies != "" {
					f[source.AgenciesFile] = tt.agencies
				}
			})
			// "file:@marker: rest" stands for the position of the last occurrence of marker.
			var want []string
			for _, w := range tt.want {
				file, rest, _ := strings.Cut(w, ":@")
				marker, msg, _ := strings.Cut(rest, ": ")
				want = append(want, file+":"+pos(edited[file], marker)+": "+msg)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("issues (-want +got)\n%s", diff)
			}
		})
	}
}

// TestSourceChecks: a check is published for a source that still has the checked URL, and
// left out once the source's URL has changed or the source is gone.
func TestSourceChecks(t *testing.T) {
	checks := `checks:
  - {source_id: s01, url: "https://example.org/a", status: 404, checked_at: "2026-01-01T00:00:00Z"}
  - {source_id: s02, url: "https://example.org/old-b", status: 200, checked_at: "2026-01-01T00:00:00Z"}
  - {source_id: s09, url: "https://example.org/gone", status: 200, checked_at: "2026-01-01T00:00:00Z"}
`
	set, issues := load(t, func(f map[string]string) { f[source.ChecksFile] = checks })
	if len(issues) > 0 {
		t.Fatal(issues)
	}
	got := rows(set, "source_checks", "source_id", "status", "available")
	if diff := cmp.Diff([]string{`"s01" 404 "no"`}, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestOrderIndependent: the order of entries in the sources does not change any table.
func TestOrderIndependent(t *testing.T) {
	a, _ := load(t, nil)
	b, _ := load(t, func(f map[string]string) {
		p := f["plans/iiswg-2022.yaml"]
		i := strings.Index(p, "  - id: iiswg-2022-m02")
		j := strings.Index(p, "  - id: iiswg-2022-m01")
		f["plans/iiswg-2022.yaml"] = p[:i] + p[j:] + p[i:j]
	})
	for _, ta := range a.Tables {
		if diff := cmp.Diff(table.Dump(ta), table.Dump(b.Table(ta.Name()))); diff != "" {
			t.Errorf("table %s depends on source order (-a +b)\n%s", ta.Name(), diff)
		}
	}
}

package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

// go test ./pipeline/write/duckdb -run '^$' -bench Write -benchtime 3x [-duckdb.measures 1000000]
var benchMeasures = flag.Int("duckdb.measures", 100_000, "measures in the synthetic set of BenchmarkWrite")

// BenchmarkWrite times Write on a synthetic set shaped like a build's (see benchSet), and,
// for comparison, DuckDB loading the same rows from CSV files through the same driver: into
// the same tables with their primary keys (INSERT INTO ... SELECT * FROM read_csv), and into
// tables without keys (CREATE TABLE ... AS SELECT * FROM read_csv). Each ends with the database checkpointed and closed. Besides time
// it reports rows a second, CPU seconds of the whole process (DuckDB's threads included),
// the file's size, and the peak resident memory of the process during the run beside the
// resident memory before it.
func BenchmarkWrite(b *testing.B) {
	s := schemas.MustLoad()
	work := b.TempDir()
	set, err := benchSet(s, *benchMeasures, work)
	if err != nil {
		b.Fatal(err)
	}
	defer set.Close()
	order := baseTables(s)
	rows := 0
	for _, ts := range order {
		rows += set.Table(ts.Name).Len()
	}
	csvDir := filepath.Join(work, "csv")
	if err := writeCSVs(csvDir, set, order); err != nil {
		b.Fatal(err)
	}
	info := table.Info{Dataset: "bench"}
	run := func(b *testing.B, load func(path string) error) {
		path := filepath.Join(work, "bench.duckdb")
		var cpu time.Duration
		var base, peak int64
		for b.Loop() {
			b.StopTimer()
			os.Remove(path)
			runtime.GC()
			debug.FreeOSMemory()
			before := resetPeak()
			c0 := cpuTime()
			b.StartTimer()
			if err := load(path); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cpu += cpuTime() - c0
			base, peak = max(base, before), max(peak, peakRSS())
			b.StartTimer()
		}
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
		if peak > 0 {
			b.ReportMetric(float64(base)/(1<<20), "rss-before-MB")
			b.ReportMetric(float64(peak)/(1<<20), "rss-peak-MB")
		}
	}
	b.Run("write", func(b *testing.B) {
		run(b, func(path string) error {
			_, err := Writer{}.Write(filepath.Dir(path), set, info)
			return err
		})
	})
	b.Run("csv_keyed", func(b *testing.B) {
		run(b, func(path string) error { return loadCSV(path, csvDir, order, true) })
	})
	b.Run("csv_ctas", func(b *testing.B) {
		run(b, func(path string) error { return loadCSV(path, csvDir, order, false) })
	})
}

// loadCSV loads every table of order from its CSV file under dir into a new database at
// path: into the declared tables, keys and comments included, when keyed is set, else by
// CREATE TABLE AS, each table as DuckDB reads it.
func loadCSV(path, dir string, order []*schemas.Table, keyed bool) (err error) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, ts := range order {
		file := lit(filepath.Join(dir, ts.Name+".csv"))
		if !keyed {
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM read_csv(%s)", ident(ts.Name), file)); err != nil {
				return err
			}
			continue
		}
		if err := execAll(ctx, conn, createTable(ts)); err != nil {
			return err
		}
		spec := make([]string, len(ts.Columns))
		for i, c := range ts.Columns {
			spec[i] = lit(c.Name) + ": " + lit(sqlType(c.Type))
		}
		src := fmt.Sprintf("read_csv(%s, header = true, columns = {%s})", file, strings.Join(spec, ", "))
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s SELECT * FROM %s", ident(ts.Name), src)); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, "CHECKPOINT")
	return err
}

// writeCSVs writes every table of order as <dir>/<table>.csv, lists as JSON arrays (which
// DuckDB reads into VARCHAR[] columns).
func writeCSVs(dir string, set *table.Set, order []*schemas.Table) error {
	for _, ts := range order {
		if err := tabletest.WriteCSV(filepath.Join(dir, ts.Name+".csv"), set.Table(ts.Name), jsonList); err != nil {
			return err
		}
	}
	return nil
}

func jsonList(l []string) string {
	j, _ := json.Marshal(l)
	return string(j)
}

// resetPeak resets the peak resident memory of the process (Linux) and returns the resident
// memory now, or 0 where it cannot.
func resetPeak() int64 {
	if os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) != nil {
		return 0
	}
	return procStatus("VmRSS")
}

// peakRSS is the peak resident memory since resetPeak, or 0.
func peakRSS() int64 { return procStatus("VmHWM") }

func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// The rows below are shaped like those a build of synthetic sources gives (plandata synth):
// per plan 80 measures in 15 categories under 4 aspects; per measure about 1.2 responsible
// agencies, 0.45 targets, 0.4 regions, 0.05 outcomes and 4.6 evidence rows (a source for the
// measure and for most of its linked rows); ids such as syn12-2003-m07; Chinese text, enums,
// dates and lists as the real tables hold them.

var (
	benchAgencies = []struct{ id, zh, parent string }{
		{"miit", "工业和信息化部", ""}, {"ndrc", "国家发展和改革委员会", ""}, {"most", "科学技术部", ""},
		{"mof", "财政部", ""}, {"samr", "国家市场监督管理总局", ""}, {"sac", "国家标准化管理委员会", "samr"},
		{"cnipa", "国家知识产权局", "samr"}, {"nea", "国家能源局", "ndrc"}, {"nda", "国家数据局", "ndrc"},
		{"sastind", "国家国防科技工业局", "miit"}, {"sastind-sed3", "国防科工局第三司", "sastind"},
		{"caii", "中国工业互联网研究院", "miit"}, {"mem", "应急管理部", ""}, {"nmsa", "国家矿山安全监察局", "mem"},
		{"mohrss", "人力资源和社会保障部", ""}, {"moe", "教育部", ""}, {"mofcom", "商务部", ""},
		{"pbc", "中国人民银行", ""}, {"csrc", "中国证券监督管理委员会", ""}, {"cac", "国家互联网信息办公室", ""},
		{"mps", "公安部", ""}, {"sasac", "国务院国有资产监督管理委员会", ""}, {"aii", "工业互联网产业联盟", ""},
		{"mnr", "自然资源部", ""}, {"mot", "交通运输部", ""}, {"nhc", "国家卫生健康委员会", ""},
	}
	benchRegions = []struct{ id, kind, zh, en string }{
		{"cn-bj", "municipality", "北京市", "Beijing"}, {"cn-tj", "municipality", "天津市", "Tianjin"},
		{"cn-sh", "municipality", "上海市", "Shanghai"}, {"cn-cq", "municipality", "重庆市", "Chongqing"},
		{"cn-he", "province", "河北省", "Hebei"}, {"cn-gd", "province", "广东省", "Guangdong"},
		{"cn-js", "province", "江苏省", "Jiangsu"}, {"cn-zj", "province", "浙江省", "Zhejiang"},
		{"cn-mo", "sar", "澳门特别行政区", "Macao SAR"}, {"cn-hk", "sar", "香港特别行政区", "Hong Kong SAR"},
		{"asean", "bloc", "东南亚国家联盟", "Association of Southeast Asian Nations"},
		{"beijing-tianjin-hebei", "zone", "京津冀地区", "Beijing-Tianjin-Hebei"},
		{"yangtze-river-delta", "zone", "长三角地区", "Yangtze River Delta"}, {"ru", "country", "俄罗斯", "Russia"},
	}
	benchPhrases = []string{
		"Set up benchmarks for 5G fully-connected factories in industrial clusters",
		"Pilot cloud adoption by manufacturers with the help of leading enterprises",
		"Promote industrial internet platforms in shipbuilding and equipment manufacturing",
		"Build identifier resolution secondary nodes for key industries",
		"Train industrial internet engineers through joint university programmes",
		"Strengthen security monitoring of industrial control systems",
	}
	benchZH = []string{
		"培育推广工控安全监测。", "建设5G全连接工厂。", "推动工业互联网平台在重点行业落地应用。",
		"完善标识解析体系，建设二级节点。", "加快中小企业数字化转型。",
	}
	benchUnits     = []struct{ zh, en string }{{"个", "items"}, {"家", "enterprises"}, {"", ""}, {"万台", "ten thousand sets"}}
	benchConf      = []string{"high", "medium", "low"}
	benchPrecision = []string{"day", "month", "quarter", "half", "year"}
	benchAspects   = []string{"infrastructure", "platforms", "innovation", "factors"}
)

// rowOf builds rows of one table by column name.
type rowOf struct {
	ts  *schemas.Table
	idx map[string]int
	row table.Row
}

func newRowOf(ts *schemas.Table) *rowOf {
	b := &rowOf{ts: ts, idx: map[string]int{}, row: make(table.Row, len(ts.Columns))}
	for i, c := range ts.Columns {
		b.idx[c.Name] = i
	}
	return b
}

// set sets the named cell; an empty string or list is NULL.
func (b *rowOf) set(name string, v any) *rowOf {
	i, ok := b.idx[name]
	if !ok {
		panic(fmt.Sprintf("table %s has no column %s", b.ts.Name, name))
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			v = nil
		}
	case []string:
		if len(x) == 0 {
			v = nil
		}
	case int:
		v = int64(x)
	}
	b.row[i] = v
	return b
}

// benchSet returns a set of the declared base tables for the given number of measures, the
// same for the same number. In a set that spills (spill not empty), tables keep their rows in
// temporary files there.
func benchSet(s *schemas.Set, measures int, spill string) (*table.Set, error) {
	set := table.NewSet(s)
	if spill != "" {
		set.Spill(spill)
	}
	rng := rand.New(rand.NewPCG(1, uint64(measures)))
	pick := func(l []string) string { return l[rng.IntN(len(l))] }
	maybe := func(p float64, v string) string {
		if rng.Float64() < p {
			return v
		}
		return ""
	}
	var err error
	add := func(b *rowOf) {
		if err == nil {
			err = set.Table(b.ts.Name).Append(b.row)
		}
		clear(b.row)
	}
	row := func(name string) *rowOf { return newRowOf(s.Table(name)) }

	ag, al := row("agencies"), row("agency_aliases")
	for _, a := range benchAgencies {
		add(ag.set("agency_id", a.id).set("name_zh", a.zh).set("name_en", "Agency "+strings.ToUpper(a.id)).
			set("kind", "ministry").set("parent_agency_id", a.parent))
		add(al.set("alias", a.zh).set("agency_id", a.id).set("lang", "zh").set("origin", "name"))
		add(al.set("alias", strings.ToUpper(a.id)).set("agency_id", a.id).set("lang", "en").set("origin", "abbreviation"))
	}
	rg, ra := row("regions"), row("region_aliases")
	for _, r := range benchRegions {
		add(rg.set("region_id", r.id).set("kind", r.kind).set("name_zh", r.zh).set("name_en", r.en))
		add(ra.set("alias", r.zh).set("region_id", r.id).set("lang", "zh").set("origin", "name"))
	}
	src := row("sources")
	var sources []string
	for i := range 113 {
		id := fmt.Sprintf("%c%02d", "nrsy"[i%4], i/4+1)
		sources = append(sources, id)
		add(src.set("source_id", id).set("url", fmt.Sprintf("https://www.miit.gov.cn/jgsj/xxjsfzs/art/2022/art_%d.html", 1000+i)).
			set("title", "关于印发工业互联网专项工作组工作计划的通知").set("publisher", maybe(0.7, "工业和信息化部")).
			set("published_on", table.Date(2015+i%10, time.Month(1+i%12), 1+i%28)).set("kind", "official").
			set("language", "zh").set("reliability", pick(benchConf)))
	}

	pl, as, tc, tk := row("plans"), row("aspects"), row("task_categories"), row("tasks")
	tg, to, ta, tr, pm, ev := row("targets"), row("task_outcomes"), row("task_agencies"), row("task_regions"), row("plan_members"), row("evidence")
	evidence := func(subject, id string, n int) {
		for _, j := range rng.Perm(len(sources))[:n] {
			add(ev.set("subject_table", subject).set("subject_id", id).set("source_id", sources[j]).
				set("note", maybe(0.1, "named in the plan's list of measures")))
		}
	}
	const perPlan = 80
	plans := (measures + perPlan - 1) / perPlan
	for p := range plans {
		series, year := p/25+1, 2000+p%25
		plan := fmt.Sprintf("syn%d-%d", series, year)
		n := min(perPlan, measures-p*perPlan)
		add(pl.set("plan_id", plan).set("series", fmt.Sprintf("syn%d", series)).set("year", year).
			set("title_zh", fmt.Sprintf("syn%d第%d号工作计划（%d年）", series, p%25+1, year)).
			set("title_en", fmt.Sprintf("Synthetic Work Plan SYN%d %d", series, year)).
			set("published_on", table.Date(year, 2, 21)).
			set("summary_en", fmt.Sprintf("Synthetic plan %s with %d measures in 15 categories.", plan, n)).
			set("categories_declared", 15).set("categories_recorded", 15).set("categories_named", 13).
			set("measures_recorded", n).set("members_recorded", 2).set("confidence", pick(benchConf)))
		evidence("plans", plan, 1)
		for i, a := range benchAspects {
			add(as.set("aspect_id", plan+"-"+a).set("plan_id", plan).set("seq", i+1).set("name_zh", "夯实基础设施").
				set("name_en", "Consolidate "+a).set("confidence", pick(benchConf)))
			evidence("aspects", plan+"-"+a, 1)
		}
		for c := range 15 {
			id := fmt.Sprintf("%s-c%02d", plan, c+1)
			add(tc.set("category_id", id).set("plan_id", plan).set("seq", c+1).set("aspect_id", plan+"-"+benchAspects[c%4]).
				set("aspect_zh", "夯实基础设施").set("name_zh", "网络体系强基行动").set("name_en", "Network infrastructure strengthening action").
				set("name_status", "named_in_source").set("measures_recorded", n/15).set("confidence", pick(benchConf)))
			evidence("task_categories", id, 1+rng.IntN(2))
		}
		for _, j := range rng.Perm(len(benchAgencies))[:2] {
			add(pm.set("plan_id", plan).set("agency_id", benchAgencies[j].id).set("role", "member").set("confidence", "medium"))
			evidence("plan_members", plan+"/"+benchAgencies[j].id, 1)
		}
		for m := range n {
			task := fmt.Sprintf("%s-m%02d", plan, m+1)
			deadline := table.Date(year, time.Month(3*(1+rng.IntN(4))), 1).AddDate(0, 1, -1)
			var terms []string
			if rng.IntN(3) == 0 {
				terms = []string{"网络", "平台"}
			}
			add(tk.set("task_id", task).set("plan_id", plan).set("category_id", maybe(0.9, fmt.Sprintf("%s-c%02d", plan, 1+rng.IntN(15)))).
				set("category_confidence", maybe(0.2, "high")).
				set("summary_en", fmt.Sprintf("%s (measure %d).", pick(benchPhrases), m+1)).
				set("summary_zh", maybe(0.4, pick(benchZH))).set("key_terms_zh", terms).
				set("annual_goal_en", maybe(0.3, fmt.Sprintf("By the end of %d, %s.", year, strings.ToLower(pick(benchPhrases))))).
				set("responsible_as_written", "国家标准化管理委员会、国家能源局、国家质量监督检验检疫总局").
				set("deadline_as_written", fmt.Sprintf("%d年三季度", year)).set("deadline_date", deadline).
				set("deadline_precision", pick(benchPrecision)).set("confidence", pick(benchConf)))
			evidence("tasks", task, 1+rng.IntN(2))
			for _, j := range rng.Perm(len(benchAgencies))[:1+rng.IntN(2)*rng.IntN(2)] {
				a := benchAgencies[j]
				add(ta.set("task_id", task).set("agency_id", a.id).set("role", pick([]string{"lead", "joint", "unspecified"})).
					set("as_written", a.zh).set("confidence", pick(benchConf)))
				evidence("task_agencies", task+"/"+a.id, 1+rng.IntN(2)*rng.IntN(2))
			}
			for t := range rng.IntN(3) * rng.IntN(2) {
				id := fmt.Sprintf("%s-t%d", task, t+1)
				u := benchUnits[rng.IntN(len(benchUnits))]
				v := float64(10 * (1 + rng.IntN(5000)))
				add(tg.set("target_id", id).set("task_id", task).set("metric_en", "industrial internet platforms with industry reach").
					set("value_min", v).set("comparator", ">=").set("unit_zh", u.zh).set("unit_en", u.en).
					set("as_written", fmt.Sprintf("不少于%.0f%s", v, u.zh)).set("confidence", pick(benchConf)))
				evidence("targets", id, 1+rng.IntN(2)*rng.IntN(2))
			}
			if rng.IntN(5) < 2 {
				for _, j := range rng.Perm(len(benchRegions))[:1] {
					add(tr.set("task_id", task).set("region_id", benchRegions[j].id).set("role_en", maybe(0.5, "demonstration zone")).
						set("as_written", benchRegions[j].zh).set("confidence", pick(benchConf)))
					evidence("task_regions", task+"/"+benchRegions[j].id, 1+rng.IntN(2)*rng.IntN(2))
				}
			}
			if rng.IntN(20) == 0 {
				id := task + "-o1"
				add(to.set("outcome_id", id).set("task_id", task).set("outcome_en", "A follow-up document delivered industrial apps.").
					set("date", table.Date(year+1, 3, 13)).set("confidence", pick(benchConf)))
				evidence("task_outcomes", id, 1)
			}
		}
	}
	return set, err
}

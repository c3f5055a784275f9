package parquet

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

var (
	benchRows    = flag.Int("bench.rows", 100_000, "BenchmarkWrite: number of tasks (task_agencies and evidence get about 1.3 and 4.5 times as many rows)")
	benchCSV     = flag.String("bench.csv", "", "BenchmarkWrite: also write the benchmark's rows as CSV files into this folder (for comparisons with other tools)")
	benchRelease = flag.String("bench.release", "", "BenchmarkRelease: a release folder whose parquet files are read and written again")
)

var (
	phrasesZH = strings.Fields(`工业互联网 平台 建设 推进 加快 完善 标准体系 数字化转型 智能制造 示范工厂 中小企业 网络安全
		数据要素 融合应用 重点行业 产业集群 公共服务 试点示范 关键技术 攻关 培育 龙头企业 能力提升 基础设施 5G全连接工厂
		绿色低碳 安全生产 应急管理 人才培养 国际合作 统计监测 评估 政策支持 财政资金 金融服务 知识产权 检验检测 质量品牌`)
	wordsEN = strings.Fields(`set up benchmarks for 5G fully-connected factories in industrial clusters pilot cloud adoption by
		manufacturers with the help of leading enterprises improve standards promote digital transformation of small and
		medium-sized firms strengthen network security build public service platforms support key technologies`)
	agencies = []struct{ id, zh string }{
		{"miit", "工业和信息化部"}, {"ndrc", "国家发展改革委"}, {"mof", "财政部"}, {"most", "科技部"},
		{"samr", "市场监管总局"}, {"nea", "国家能源局"}, {"cac", "国家网信办"}, {"mee", "生态环境部"},
		{"mohrss", "人力资源社会保障部"}, {"pboc", "人民银行"}, {"sasac", "国务院国资委"}, {"aqsiq", "国家质量监督检验检疫总局"},
	}
	confidences = []string{"high", "medium", "low"}
	precisions  = []string{"day", "month", "quarter", "half", "year", "ongoing"}
	roles       = []string{"lead", "joint", "unspecified"}
)

// synthTables returns tasks, task_agencies and evidence filled as a build of n measures
// fills them: ids such as syn1-2003-m045, Chinese text of 20 to 60 characters, enumerations,
// dates, lists and NULLs.
func synthTables(tb testing.TB, n int) []*table.Table {
	s := schemas.MustLoad()
	tasks, ta, ev := table.New(s.Table("tasks")), table.New(s.Table("task_agencies")), table.New(s.Table("evidence"))
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(l []string) string { return l[rnd.IntN(len(l))] }
	zh := func(lo, hi int) string {
		var b strings.Builder
		for want := lo + rnd.IntN(hi-lo+1); b.Len() < 3*want; {
			b.WriteString(pick(phrasesZH))
		}
		return b.String()
	}
	en := func(words int) string {
		l := make([]string, words)
		for i := range l {
			l[i] = pick(wordsEN)
		}
		return strings.ToUpper(l[0][:1]) + strings.Join(l, " ")[1:] + "."
	}
	maybe := func(p float64, v any) any {
		if rnd.Float64() < p {
			return v
		}
		return nil
	}
	must := func(t *table.Table, r table.Row) {
		if err := t.Append(r); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range n {
		year := 2000 + i/80_000
		plan := fmt.Sprintf("syn1-%d-%03d", year, i/80%1000)
		id := fmt.Sprintf("%s-m%03d", plan, i%80)
		var terms any
		if rnd.IntN(2) == 0 {
			l := make([]string, 1+rnd.IntN(4))
			for k := range l {
				l[k] = pick(phrasesZH)
			}
			terms = l
		}
		k := 1 + rnd.IntN(3)
		if rnd.IntN(3) > 0 {
			k = 1
		}
		start := rnd.IntN(len(agencies) - k + 1)
		var resp []string
		for _, a := range agencies[start : start+k] {
			resp = append(resp, a.zh)
			must(ta, table.Row{id, a.id, pick(roles), a.zh, pick(confidences)})
		}
		must(tasks, table.Row{
			id, plan, maybe(0.9, fmt.Sprintf("%s-c%02d", plan, rnd.IntN(15))), maybe(0.7, pick(confidences)),
			en(8 + rnd.IntN(12)), maybe(0.8, zh(20, 60)), terms, maybe(0.3, en(10+rnd.IntN(10))),
			strings.Join(resp, "、"), maybe(0.8, fmt.Sprintf("%d年三季度", year)),
			maybe(0.8, table.Date(year, time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28))), maybe(0.8, pick(precisions)),
			pick(confidences), maybe(0.1, zh(10, 30)),
		})
		for j := range 3 + rnd.IntN(4) {
			sub, subID := "tasks", id
			if j > 0 {
				sub, subID = "task_agencies", id+"/"+agencies[start].id
			}
			must(ev, table.Row{sub, subID, fmt.Sprintf("y%02d", j*7+rnd.IntN(7)), maybe(0.2, en(6))})
		}
	}
	return []*table.Table{tasks, ta, ev}
}

// BenchmarkWrite writes synthetic tasks, task_agencies and evidence tables (-bench.rows
// tasks), with a worker per CPU and with one worker.
func BenchmarkWrite(b *testing.B) {
	tables := synthTables(b, *benchRows)
	if *benchCSV != "" {
		for _, t := range tables {
			if err := tabletest.WriteCSV(filepath.Join(*benchCSV, t.Name()+".csv"), t, joinList); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, workers := range []int{runtime.GOMAXPROCS(0), 1} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			benchWrite(b, tables, workers)
		})
	}
}

// BenchmarkRelease reads the parquet files of the release folder -bench.release and writes
// every table again: the parquet stage of a build of that release.
func BenchmarkRelease(b *testing.B) {
	if *benchRelease == "" {
		b.Skip("no -bench.release folder")
	}
	set, err := read(*benchRelease, schemas.MustLoad(), memory.DefaultAllocator)
	if err != nil {
		b.Fatal(err)
	}
	benchWrite(b, set.Tables, runtime.GOMAXPROCS(0))
}

func benchWrite(b *testing.B, tables []*table.Table, workers int) {
	rows := 0
	for _, t := range tables {
		rows += t.Len()
	}
	dir := b.TempDir()
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := writeTables(dir, tables, info, memory.DefaultAllocator, workers); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// The CPU time of the process (every thread, the garbage collector's included): on a busy
	// machine a steadier figure than the elapsed time.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
	var size int64
	for _, t := range tables {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel(t.Name()))))
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
		b.Logf("%s: %d rows, %d bytes", t.Name(), t.Len(), fi.Size())
	}
	b.ReportMetric(float64(size), "file-bytes")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func joinList(l []string) string { return strings.Join(l, ";") }

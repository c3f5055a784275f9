package normalize_test

import (
	"flag"
	"os"
	"testing"

	"github.com/plandata/plandata/pipeline/normalize"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/synth"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// The benchmarks run on synthetic sources (package synth), only with -bench:
//
//	go test ./pipeline/normalize -run '^$' -bench . -benchmem [-bench.measures 100000]
var benchMeasures = flag.Int("bench.measures", 10_000, "measures in the synthetic sources of the benchmarks")

func benchDocs(b *testing.B) *source.Docs {
	b.Helper()
	dir := b.TempDir()
	if err := synth.Write(dir, *benchMeasures, 1); err != nil {
		b.Fatal(err)
	}
	lim := source.DefaultLimits
	lim.MaxTotalBytes = 1 << 40
	d, issues, err := source.Load(os.DirFS(dir), lim)
	if err != nil || len(issues) > 0 {
		b.Fatalf("load: %v %v", err, issues)
	}
	return d
}

func reportMeasures(b *testing.B) {
	b.ReportMetric(float64(*benchMeasures)*float64(b.N)/b.Elapsed().Seconds(), "measures/s")
}

// BenchmarkTables times Tables: every table built in memory.
func BenchmarkTables(b *testing.B) {
	d := benchDocs(b)
	s := schemas.MustLoad()
	for b.Loop() {
		if _, issues := normalize.Tables(d, s); len(issues) > 0 {
			b.Fatal(issues[0])
		}
	}
	reportMeasures(b)
}

// BenchmarkBuilder times a build plan by plan into a set that spills to disk, as a large
// build runs.
func BenchmarkBuilder(b *testing.B) {
	d := benchDocs(b)
	s := schemas.MustLoad()
	dir := b.TempDir()
	for b.Loop() {
		set := table.NewSet(s)
		set.Spill(dir)
		nb := normalize.New(d, set)
		for _, pf := range d.Plans {
			nb.Plan(pf)
		}
		if issues, err := nb.Finish(); err != nil || len(issues) > 0 {
			b.Fatal(err, issues)
		}
		set.Close()
	}
	reportMeasures(b)
}

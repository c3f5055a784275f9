package pipeline_test

import (
	"flag"
	"os"
	"testing"
	"time"

	"github.com/plandata/plandata/pipeline"
	"github.com/plandata/plandata/pipeline/normalize"
	"github.com/plandata/plandata/pipeline/release"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/synth"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/validate"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/schemas"
)

// The benchmarks time each stage on synthetic sources (package synth); they run only with
// -bench, never in `go test ./...`. make bench runs them; scripts/bench.sh times whole builds
// at 100k and 1M measures.
//
//	go test ./pipeline -run '^$' -bench . -benchmem [-bench.measures 10000]
var benchMeasures = flag.Int("bench.measures", 10_000, "measures in the synthetic sources of the benchmarks")

// benchSources writes synthetic sources into a temporary folder.
func benchSources(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	if err := synth.Write(dir, *benchMeasures, 1); err != nil {
		b.Fatal(err)
	}
	return dir
}

func benchDocs(b *testing.B) *source.Docs {
	b.Helper()
	d, issues, err := source.Load(os.DirFS(benchSources(b)), source.DefaultLimits)
	if err != nil || len(issues) > 0 {
		b.Fatalf("load: %v %v", err, issues)
	}
	return d
}

func benchSet(b *testing.B) *table.Set {
	b.Helper()
	set, _, err := pipeline.Tables(pipeline.Config{Sources: os.DirFS(benchSources(b))})
	if err != nil {
		b.Fatal(err)
	}
	return set
}

// report adds measures per second, the figure the stages are compared by.
func report(b *testing.B, start time.Time) {
	b.ReportMetric(float64(*benchMeasures)*float64(b.N)/time.Since(start).Seconds(), "measures/s")
}

func BenchmarkLoad(b *testing.B) {
	fsys := os.DirFS(benchSources(b))
	start := time.Now()
	for b.Loop() {
		if _, issues, err := source.Load(fsys, source.DefaultLimits); err != nil || len(issues) > 0 {
			b.Fatalf("load: %v %v", err, issues)
		}
	}
	report(b, start)
}

func BenchmarkValidate(b *testing.B) {
	d := benchDocs(b)
	start := time.Now()
	for b.Loop() {
		if issues := validate.Check(d); len(issues) > 0 {
			b.Fatal(issues[0])
		}
	}
	report(b, start)
}

func BenchmarkNormalize(b *testing.B) {
	d := benchDocs(b)
	s := schemas.MustLoad()
	start := time.Now()
	for b.Loop() {
		if _, issues := normalize.Tables(d, s); len(issues) > 0 {
			b.Fatal(issues[0])
		}
	}
	report(b, start)
}

// benchWrite times one format writing the whole set into a fresh folder.
func benchWrite(b *testing.B, name string) {
	set := benchSet(b)
	var f write.Format
	for _, x := range write.All() {
		if x.Name() == name {
			f = x
		}
	}
	info := table.Info{Dataset: pipeline.Dataset, ReleaseID: "bench", Date: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Version: pipeline.Version}
	start := time.Now()
	for b.Loop() {
		dir, err := os.MkdirTemp(b.TempDir(), "w")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Write(dir, set, info); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
	}
	report(b, start)
}

func BenchmarkWriteParquet(b *testing.B) { benchWrite(b, "parquet") }
func BenchmarkWriteXLSX(b *testing.B)    { benchWrite(b, "xlsx") }
func BenchmarkWriteDuckDB(b *testing.B)  { benchWrite(b, "duckdb") }
func BenchmarkWriteCSV(b *testing.B)     { benchWrite(b, "csv") }

// BenchmarkCheck times the check stage: every format read back and digested.
func BenchmarkCheck(b *testing.B) {
	set := benchSet(b)
	info := table.Info{Dataset: pipeline.Dataset, ReleaseID: "bench", Date: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Version: pipeline.Version}
	dir := b.TempDir()
	for _, f := range write.All() {
		if _, err := f.Write(dir, set, info); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	for b.Loop() {
		if _, err := release.Digests(dir, set, info, write.All()); err != nil {
			b.Fatal(err)
		}
	}
	report(b, start)
}

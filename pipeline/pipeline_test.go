package pipeline_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/plandata/plandata"
	"github.com/plandata/plandata/pipeline"
)

var update = flag.Bool("update", false, "rewrite the coverage section of README.md")

// TestReadmeCoverage keeps the coverage tables in README.md equal to what the sources give;
// refresh them with go test ./pipeline -update.
func TestReadmeCoverage(t *testing.T) {
	set, _, err := pipeline.Tables(pipeline.Config{Sources: plandata.Sources()})
	if err != nil {
		t.Fatal(err)
	}
	const start, end = "<!-- coverage:start -->\n", "<!-- coverage:end -->"
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, start), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", start, end)
	}
	want := pipeline.Coverage(set)
	if *update {
		readme = readme[:i+len(start)] + want + readme[j:]
		if err := os.WriteFile("../README.md", []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := readme[i+len(start) : j]; got != want {
		t.Errorf("README.md coverage is stale; run go test ./pipeline -update\ngot:\n%s\nwant:\n%s", got, want)
	}
}

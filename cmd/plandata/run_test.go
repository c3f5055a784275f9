package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/plandata/plandata/schemas"
)

// The tests in this file run the command in-process, through the same function main calls,
// on copies of the repository's sources in temporary folders.

type result struct {
	code           int
	stdout, stderr string
}

func invoke(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, func(k string) string { return env[k] }, &out, &errb)
	return result{code, out.String(), errb.String()}
}

var epoch = map[string]string{"SOURCE_DATE_EPOCH": "1649808000"} // 2022-04-13

// copySources copies the repository's sources into a temporary folder.
func copySources(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "sources")
	if err := os.CopyFS(dir, os.DirFS("../../sources")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tree returns the sha256 of every file under dir, keyed by relative path.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			sums[filepath.ToSlash(rel)] = "-> " + target
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func TestBuildPublishesEveryFormat(t *testing.T) {
	out := t.TempDir()
	r := invoke(t, epoch, "build", "--sources", "../../sources", "--out", out)
	if r.code != exitOK {
		t.Fatalf("build exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	if !regexp.MustCompile(`^published: 2022-04-13-[0-9a-f]{12}\n`).MatchString(r.stdout) {
		t.Errorf("build printed %q, want a release id for 2022-04-13", r.stdout)
	}
	latest := filepath.Join(out, "latest")
	want := []string{"plandata.duckdb", "plandata.xlsx", "manifest.json", "datapackage.json", "README.md", "CHANGES.md", "schema.yaml"}
	for _, tb := range schemas.MustLoad().Tables {
		want = append(want, "parquet/"+tb.Name+".parquet", "csv/"+tb.Name+".csv")
	}
	for _, f := range want {
		if _, err := os.Stat(filepath.Join(latest, f)); err != nil {
			t.Errorf("release lacks %s: %v", f, err)
		}
	}
	if r := invoke(t, nil, "verify", latest); r.code != exitOK {
		t.Errorf("verify exit %d: %s", r.code, r.stderr)
	}
	before := tree(t, out)
	r = invoke(t, epoch, "build", "--sources", "../../sources", "--out", out)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "unchanged: ") {
		t.Errorf("second build: exit %d, stdout %q; want unchanged", r.code, r.stdout)
	}
	if after := tree(t, out); len(after) != len(before) {
		t.Errorf("unchanged build changed the output folder: %d files before, %d after", len(before), len(after))
	}
}

func TestBuildIsReproducible(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, out := range []string{a, b} {
		if r := invoke(t, epoch, "build", "--sources", "../../sources", "--out", out); r.code != exitOK {
			t.Fatalf("build exit %d: %s", r.code, r.stderr)
		}
	}
	ta, tb := tree(t, filepath.Join(a, "releases")), tree(t, filepath.Join(b, "releases"))
	if len(ta) == 0 || len(ta) != len(tb) {
		t.Fatalf("releases hold %d and %d files", len(ta), len(tb))
	}
	for p, sum := range ta {
		if strings.HasSuffix(p, ".duckdb") || strings.HasSuffix(p, "manifest.json") {
			continue // compared by content in verify: DuckDB files need not be byte-identical
		}
		if tb[p] != sum {
			t.Errorf("%s differs between two builds of the same sources", p)
		}
	}
}

func TestInvalidSourcesWriteNothing(t *testing.T) {
	out := t.TempDir()
	src := copySources(t)
	if r := invoke(t, epoch, "build", "--sources", src, "--out", out); r.code != exitOK {
		t.Fatalf("first build exit %d: %s", r.code, r.stderr)
	}
	before := tree(t, out)

	plan := filepath.Join(src, "plans", "iiswg-2022.yaml")
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(b), "confidence: high", "confidence: certain", 1)
	broken = strings.Replace(broken, "published_on: 2022-04-13", "published_on: 2022-13-45", 1)
	if broken == string(b) {
		t.Fatal("the edit did not change the plan file")
	}
	if err := os.WriteFile(plan, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"validate", "build"} {
		args := []string{cmd, "--sources", src}
		if cmd == "build" {
			args = append(args, "--out", out)
		}
		r := invoke(t, epoch, args...)
		if r.code != exitInvalid {
			t.Errorf("%s exit %d, want %d", cmd, r.code, exitInvalid)
		}
		for _, want := range []string{`iiswg-2022.yaml:\d+:\d+: bad-value: confidence "certain" is not one of high, medium, low`, `iiswg-2022.yaml:\d+:\d+: bad-date: published_on "2022-13-45"`} {
			if !regexp.MustCompile(want).MatchString(r.stderr) {
				t.Errorf("%s stderr lacks %s:\n%s", cmd, want, r.stderr)
			}
		}
	}
	after := tree(t, out)
	if len(after) != len(before) {
		t.Errorf("invalid build changed the output: %d files before, %d after", len(before), len(after))
	}
	for p, sum := range before {
		if after[p] != sum {
			t.Errorf("%s changed after an invalid build", p)
		}
	}
}

func TestChangedSourceMakesNewReleaseWithChanges(t *testing.T) {
	out := t.TempDir()
	src := copySources(t)
	if r := invoke(t, epoch, "build", "--sources", src, "--out", out); r.code != exitOK {
		t.Fatalf("first build exit %d: %s", r.code, r.stderr)
	}
	first, _ := os.Readlink(filepath.Join(out, "latest"))

	plan := filepath.Join(src, "plans", "iiswg-2022.yaml")
	b, _ := os.ReadFile(plan)
	re := regexp.MustCompile(`(?m)^(  - id: iiswg-2022-m03\n(?:    .*\n)*?    summary_en: ).*$`)
	edited := re.ReplaceAllString(string(b), `${1}"Edited summary for the test."`)
	if edited == string(b) {
		t.Fatal("could not find the summary of iiswg-2022-m03 to edit")
	}
	os.WriteFile(plan, []byte(edited), 0o644)

	later := map[string]string{"SOURCE_DATE_EPOCH": "1649894400"}
	r := invoke(t, later, "build", "--sources", src, "--out", out)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "published: 2022-04-14-") {
		t.Fatalf("second build: exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}
	changes, _ := os.ReadFile(filepath.Join(out, "latest", "CHANGES.md"))
	if !strings.Contains(string(changes), "modified `tasks` iiswg-2022-m03 (source_changed): summary_en") {
		t.Errorf("CHANGES.md does not name the change:\n%s", changes)
	}
	d := invoke(t, nil, "diff", filepath.Join(out, first), filepath.Join(out, "latest"))
	if d.code != exitOK || !strings.Contains(d.stdout, "Edited summary for the test.") {
		t.Errorf("diff exit %d, stdout:\n%s", d.code, d.stdout)
	}
}

func TestVerifyFailsOnTamperedRelease(t *testing.T) {
	out := t.TempDir()
	if r := invoke(t, epoch, "build", "--sources", "../../sources", "--out", out); r.code != exitOK {
		t.Fatalf("build exit %d: %s", r.code, r.stderr)
	}
	copyDir := filepath.Join(t.TempDir(), "copy")
	latest, _ := filepath.EvalSymlinks(filepath.Join(out, "latest"))
	if err := os.CopyFS(copyDir, os.DirFS(latest)); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(copyDir, "csv", "tasks.csv")
	b, _ := os.ReadFile(csv)
	os.WriteFile(csv, bytes.Replace(b, []byte("iiswg-2022-m03"), []byte("iiswg-2022-m99"), 1), 0o644)
	r := invoke(t, nil, "verify", copyDir)
	if r.code != exitVerify {
		t.Fatalf("verify of a tampered copy: exit %d, want %d", r.code, exitVerify)
	}
	for _, want := range []string{"csv/tasks.csv: sha256", "csv: table tasks rows differ"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("verify stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"build", "--no-such-flag"}, exitUsage},
		{[]string{"diff", "one"}, exitUsage},
		{[]string{"build", "--keep", "0"}, exitUsage},
		{[]string{"synth"}, exitUsage},
		{[]string{"help"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if r := invoke(t, nil, tt.args...); r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
		})
	}
}

// TestSynthBuilds: synthetic sources are taken by build as they are.
func TestSynthBuilds(t *testing.T) {
	src := filepath.Join(t.TempDir(), "synth")
	if r := invoke(t, nil, "synth", "--measures", "160", "--out", src, "--seed", "7"); r.code != exitOK {
		t.Fatalf("synth exit %d: %s", r.code, r.stderr)
	}
	if r := invoke(t, nil, "synth", "--measures", "160", "--out", src); r.code != exitUsage {
		t.Errorf("synth into a folder that is not empty: exit %d, want %d", r.code, exitUsage)
	}
	out := t.TempDir()
	if r := invoke(t, epoch, "build", "--sources", src, "--out", out); r.code != exitOK {
		t.Fatalf("build of synthetic sources: exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "latest", "csv", "tasks.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n") - 1; n != 160 {
		t.Errorf("tasks.csv holds %d rows, want the 160 measures asked for", n)
	}
}

// TestMemoryLimit: build sets the Go heap's soft limit for its own run only, and leaves it
// alone when GOMEMLIMIT is set.
func TestMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	var seen int64
	limitDuring = func() { seen = debug.SetMemoryLimit(-1) }
	defer func() { limitDuring = nil }()
	out := t.TempDir()
	if r := invoke(t, epoch, "build", "--out", out, "--memory-mib", "300"); r.code != exitOK {
		t.Fatalf("build exit %d: %s", r.code, r.stderr)
	}
	if seen != 300<<20 {
		t.Errorf("limit during the build %d, want %d", seen, 300<<20)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("limit after the build %d, want it restored to %d", after, before)
	}
	env := map[string]string{"SOURCE_DATE_EPOCH": epoch["SOURCE_DATE_EPOCH"], "GOMEMLIMIT": "1GiB"}
	if r := invoke(t, env, "build", "--out", out, "--memory-mib", "300"); r.code != exitOK {
		t.Fatalf("build exit %d: %s", r.code, r.stderr)
	}
	if seen != before {
		t.Errorf("with GOMEMLIMIT set the build changed the limit to %d", seen)
	}
}

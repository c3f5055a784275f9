package pipeline_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plandata/plandata/pipeline"
	"github.com/plandata/plandata/pipeline/source"
)

// The hostile corpus: sources folders that are broken, or built to hurt, the way a
// contributor's pull request or a bad editor could. Each case in source/testdata/hostile/<case>/
// holds the files that differ from _base/ (a minimal valid sources folder) under sources/,
// and want.txt: lines starting with "# " describe the case, the others are the exact
// problems expected, as `plandata validate` prints them (relative to the sources folder).
// What cannot be committed (links, big files, dot files) is made by hostileSetup.
//
// Every case goes through the first three stages of a build (load, validate, normalise) with
// the folder opened through os.OpenRoot, as the command opens --sources. Refresh want.txt
// with go test ./pipeline -run TestHostileSources -update, and read the diff.

const hostileDir = "source/testdata/hostile"

// hostileSetup finishes the sources folder dir of a case and may change the configuration.
var hostileSetup = map[string]func(t *testing.T, dir string, cfg *pipeline.Config){
	"file-too-large": func(t *testing.T, dir string, cfg *pipeline.Config) {
		line := "# padding padding padding padding padding padding padding padding padding\n"
		n := int(cfg.Limits.MaxFileBytes)/len(line) + 1
		b := []byte(strings.Repeat(line, n))[:cfg.Limits.MaxFileBytes+1]
		writeFile(t, dir, "plans/iiswg-2023.yaml", b)
	},
	"total-too-large": func(t *testing.T, dir string, cfg *pipeline.Config) {
		cfg.Limits.MaxTotalBytes = 3000
	},
	"deep-nesting": func(t *testing.T, dir string, cfg *pipeline.Config) {
		const depth = 20000
		b := "plan:\n  note: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
		writeFile(t, dir, "plans/iiswg-2023.yaml", []byte(b))
	},
	"symlink-loop": func(t *testing.T, dir string, cfg *pipeline.Config) {
		link(t, "loop.yaml", dir, "plans/loop.yaml")
		link(t, "pong.yaml", dir, "plans/ping.yaml")
		link(t, "ping.yaml", dir, "plans/pong.yaml")
		link(t, ".", dir, "plans/again")
	},
	"symlink-escape": func(t *testing.T, dir string, cfg *pipeline.Config) {
		// A valid plan just outside the folder: followed, it would load without a problem.
		b, err := os.ReadFile(filepath.Join(dir, "plans", "iiswg-2022.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Dir(dir), "iiswg-2023.yaml", bytes.ReplaceAll(b, []byte("2022"), []byte("2023")))
		link(t, "../../iiswg-2023.yaml", dir, "plans/iiswg-2023.yaml")
		if err := os.Remove(filepath.Join(dir, "agencies.yaml")); err != nil {
			t.Fatal(err)
		}
		link(t, "/etc/passwd", dir, "agencies.yaml")
		link(t, "../sources.yaml", dir, "plans/inside.yaml")
	},
	"stray-files": func(t *testing.T, dir string, cfg *pipeline.Config) {
		writeFile(t, dir, ".DS_Store", []byte("\x00\x00\x00\x01Bud1\x00\x00\x10\x00"))
		writeFile(t, dir, "plans/.DS_Store", []byte("\x00\x00\x00\x01Bud1\x00\x00\x10\x00"))
		writeFile(t, dir, "plans/iiswg-2022.yaml~", []byte("plan: {}\n"))
		if err := os.Mkdir(filepath.Join(dir, "plans", "empty"), 0o755); err != nil {
			t.Fatal(err)
		}
	},
}

func writeFile(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, dir, name string) {
	t.Helper()
	if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
		t.Fatal(err)
	}
}

// overlay copies every file under from into to, replacing files that exist.
func overlay(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, to, filepath.ToSlash(rel), b)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// readWant splits want.txt into its comment lines and the expected problems.
func readWant(t *testing.T, path string) (comments, want []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !(*update && os.IsNotExist(err)) {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		switch {
		case l == "":
		case strings.HasPrefix(l, "# "):
			comments = append(comments, l)
		default:
			want = append(want, l)
		}
	}
	return comments, want
}

// hostileProblems runs the first three stages of a build on cfg and returns every problem.
func hostileProblems(t *testing.T, cfg pipeline.Config) (problems []string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	_, _, err := pipeline.Tables(cfg)
	if err == nil {
		return nil
	}
	issues, ok := pipeline.IsInvalid(err)
	if !ok {
		t.Fatalf("not a problem with the sources: %v", err)
	}
	for _, is := range issues {
		if is.File == "" || is.Line < 1 || is.Col < 1 || is.Rule == "" || is.Msg == "" {
			t.Errorf("problem without a place, a rule or a message: %q", is)
		}
		problems = append(problems, is.String())
	}
	return problems
}

// lineDiff lists the lines missing from got and the lines got has too many; when there are
// none, the lines are the same in another order.
func lineDiff(want, got []string) string {
	var b strings.Builder
	for _, l := range want {
		if !slices.Contains(got, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	if b.Len() == 0 {
		return "the same lines, in this order:\n" + strings.Join(got, "\n")
	}
	return b.String()
}

func TestHostileSources(t *testing.T) {
	entries, err := os.ReadDir(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		name := e.Name()
		cases[name] = true
		t.Run(name, func(t *testing.T) {
			caseDir := filepath.Join(hostileDir, name)
			dir := filepath.Join(t.TempDir(), "sources")
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(hostileDir, "_base"))); err != nil {
				t.Fatal(err)
			}
			overlay(t, filepath.Join(caseDir, "sources"), dir)
			cfg := pipeline.Config{Limits: source.DefaultLimits}
			if setup := hostileSetup[name]; setup != nil {
				setup(t, dir, &cfg)
			}
			root, err := os.OpenRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			cfg.Sources = root.FS()

			start := time.Now()
			got := hostileProblems(t, cfg)
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v; a hostile input must fail fast", d)
			}

			wantFile := filepath.Join(caseDir, "want.txt")
			comments, want := readWant(t, wantFile)
			if *update {
				text := strings.Join(append(comments, got...), "\n") + "\n"
				if err := os.WriteFile(wantFile, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if len(comments) == 0 {
				t.Errorf("%s does not say what the case is (lines starting with \"# \")", wantFile)
			}
			if !slices.Equal(want, got) {
				t.Errorf("problems (-want +got):\n%s", lineDiff(want, got))
			}
		})
	}
	for name := range hostileSetup {
		if !cases[name] {
			t.Errorf("hostileSetup names %q, which is not a case in %s", name, hostileDir)
		}
	}
}

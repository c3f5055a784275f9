package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plandata/plandata"
	"github.com/plandata/plandata/pipeline"
	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/release"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/schemas"
)

// The tests in this file break a build on purpose, at one point each, and check that the
// output folder is left as it was: Build fails, no release folder is added, `latest` names the
// same release and that release still verifies, and no temporary file or folder remains.
//
// Every case starts from a good release built from the repository's sources and then builds
// with another pipeline version, which is part of the input hash: the build would publish a
// new release if nothing went wrong.

var (
	faultDate    = time.Date(2022, 4, 13, 0, 0, 0, 0, time.UTC)
	faultVersion = pipeline.Version + "-fault"
	goodOnce     sync.Once
	goodOut      string // output folder holding the good first release
	goodErr      error
)

// goodRelease builds the first release once for the whole package test run.
func goodRelease(t *testing.T) string {
	t.Helper()
	goodOnce.Do(func() {
		dir, err := os.MkdirTemp("", "plandata-fault-")
		if err != nil {
			goodErr = err
			return
		}
		goodOut = filepath.Join(dir, "out")
		_, goodErr = pipeline.Build(context.Background(), pipeline.Config{
			Sources: plandata.Sources(), Out: goodOut, Date: faultDate,
		})
	})
	if goodErr != nil {
		t.Fatalf("first build: %v", goodErr)
	}
	return goodOut
}

func TestMain(m *testing.M) {
	code := m.Run()
	if goodOut != "" {
		os.RemoveAll(filepath.Dir(goodOut))
	}
	os.Exit(code)
}

// freshOut copies the good release into a new output folder, with its `latest` link.
func freshOut(t *testing.T) string {
	t.Helper()
	good := goodRelease(t)
	out := filepath.Join(t.TempDir(), "out")
	if err := os.CopyFS(filepath.Join(out, release.ReleasesDir), os.DirFS(filepath.Join(good, release.ReleasesDir))); err != nil {
		t.Fatal(err)
	}
	target, err := os.Readlink(filepath.Join(good, release.LatestLink))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(out, release.LatestLink)); err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshot is what must not change when a build fails.
type snapshot struct {
	latest   string   // target of the link
	releases []string // entries of releases/
}

func snap(t *testing.T, out string) snapshot {
	t.Helper()
	target, err := os.Readlink(filepath.Join(out, release.LatestLink))
	if err != nil {
		t.Fatalf("latest: %v", err)
	}
	entries, err := os.ReadDir(filepath.Join(out, release.ReleasesDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return snapshot{target, names}
}

// temps lists every file or folder under out whose name starts with atomic.TempPrefix.
func temps(t *testing.T, out string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), atomic.TempPrefix) {
			rel, _ := filepath.Rel(out, p)
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// checkUntouched checks everything a failed build must leave as it was.
func checkUntouched(t *testing.T, out string, before snapshot) {
	t.Helper()
	after := snap(t, out)
	if after.latest != before.latest {
		t.Errorf("latest -> %s, was %s", after.latest, before.latest)
	}
	if !slices.Equal(after.releases, before.releases) {
		t.Errorf("releases/ holds %q, held %q", after.releases, before.releases)
	}
	problems, err := pipeline.Verify(filepath.Join(out, release.LatestLink), nil)
	if err != nil {
		t.Errorf("verify latest: %v", err)
	}
	for _, p := range problems {
		t.Errorf("latest does not verify: %s", p)
	}
	if left := temps(t, out); len(left) > 0 {
		t.Errorf("temporary files remain: %q", left)
	}
}

// faultConfig is the configuration of a build that would publish a new release over the good
// one, through the given formats.
func faultConfig(out string, formats []write.Format) pipeline.Config {
	return pipeline.Config{
		Sources: plandata.Sources(), Out: out, Date: faultDate, Version: faultVersion,
		Formats: formats,
	}
}

// wrapped is a real format with its Write or Read replaced.
type wrapped struct {
	write.Format
	write func(dir string, set *table.Set, info table.Info) ([]string, error)
	read  func(dir string, s *schemas.Set, info table.Info) (*table.Set, error)
}

func (w wrapped) Write(dir string, set *table.Set, info table.Info) ([]string, error) {
	if w.write != nil {
		return w.write(dir, set, info)
	}
	return w.Format.Write(dir, set, info)
}

func (w wrapped) Read(dir string, s *schemas.Set, info table.Info) (*table.Set, error) {
	if w.read != nil {
		return w.read(dir, s, info)
	}
	return w.Format.Read(dir, s, info)
}

// withFormat returns write.All() with the i-th format replaced by change(it).
func withFormat(i int, change func(write.Format) write.Format) []write.Format {
	formats := write.All()
	formats[i] = change(formats[i])
	return formats
}

var errHalfway = errors.New("writer gave up halfway")

// TestBuildWriterFailsHalfway: a format writes part of its output into the staging folder,
// under its final name and under a temporary one, and then fails. It is tried first and last,
// so that the staging folder holds either nothing else or the complete files of the others.
func TestBuildWriterFailsHalfway(t *testing.T) {
	all := write.All()
	for _, i := range []int{0, len(all) - 1} {
		t.Run(all[i].Name(), func(t *testing.T) {
			t.Parallel()
			out := freshOut(t)
			before := snap(t, out)
			formats := withFormat(i, func(real write.Format) write.Format {
				return wrapped{Format: real, write: func(dir string, set *table.Set, info table.Info) ([]string, error) {
					// The real files, then one of them cut in half, left in place.
					files, err := real.Write(dir, set, info)
					if err != nil {
						return nil, err
					}
					p := filepath.Join(dir, filepath.FromSlash(files[len(files)/2]))
					b, err := os.ReadFile(p)
					if err != nil {
						return nil, err
					}
					if err := os.WriteFile(p, b[:len(b)/2], 0o644); err != nil {
						return nil, err
					}
					tmp := filepath.Join(filepath.Dir(p), atomic.TempPrefix+filepath.Base(p)+"-half")
					if err := os.WriteFile(tmp, b[:len(b)/2], 0o644); err != nil {
						return nil, err
					}
					return nil, errHalfway
				}}
			})
			_, err := pipeline.Build(context.Background(), faultConfig(out, formats))
			if !errors.Is(err, errHalfway) {
				t.Errorf("Build error %v, want %v", err, errHalfway)
			}
			checkUntouched(t, out, before)
		})
	}
}

// enospc is what a write to a full disk returns.
func enospc(path string) error {
	return &fs.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
}

// TestBuildDiskFull: the disk fills while a format writes its first file, through
// atomic.WriteFile (a writer with an io.Writer) and through atomic.Path (a writer that needs a
// file name, as DuckDB does, and here leaves its partial file behind).
func TestBuildDiskFull(t *testing.T) {
	fill := func(w io.Writer, path string) error {
		if _, err := w.Write([]byte(strings.Repeat("x", 4096))); err != nil {
			return err
		}
		return enospc(path)
	}
	for _, c := range []struct {
		name   string
		format int
		write  func(dir string) error
	}{
		{"atomic.WriteFile in parquet/", 0, func(dir string) error {
			p := filepath.Join(dir, "parquet", "tasks.parquet")
			return atomic.WriteFile(p, func(w io.Writer) error { return fill(w, p) })
		}},
		{"atomic.Path for the database", 2, func(dir string) error {
			p := filepath.Join(dir, pipeline.Dataset+".duckdb")
			tmp, _, _, err := atomic.Path(p)
			if err != nil {
				return err
			}
			f, err := os.Create(tmp)
			if err != nil {
				return err
			}
			defer f.Close()
			return fmt.Errorf("duckdb: %w", fill(f, tmp)) // no abort: the partial file stays
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := freshOut(t)
			before := snap(t, out)
			formats := withFormat(c.format, func(real write.Format) write.Format {
				return wrapped{Format: real, write: func(dir string, _ *table.Set, _ table.Info) ([]string, error) {
					return nil, c.write(dir)
				}}
			})
			_, err := pipeline.Build(context.Background(), faultConfig(out, formats))
			if !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("Build error %v, want one wrapping ENOSPC", err)
			}
			checkUntouched(t, out, before)
		})
	}
}

func mustAll(t *table.Table) []table.Row {
	rows, err := t.All()
	if err != nil {
		panic(err)
	}
	return rows
}

func refill(t *table.Table, rows []table.Row) {
	t.Reset()
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			panic(err)
		}
	}
}

// TestBuildFormatsDisagree: one format reads back other rows than were written, so the
// cross-format check refuses to publish.
func TestBuildFormatsDisagree(t *testing.T) {
	s := schemas.MustLoad()
	summary := s.Table("tasks").Index("summary_en")
	for _, c := range []struct {
		name   string
		change func(tasks *table.Table)
	}{
		{"a row missing", func(tasks *table.Table) {
			rows := mustAll(tasks)
			refill(tasks, rows[:len(rows)-1])
		}},
		{"a value changed", func(tasks *table.Table) {
			rows := mustAll(tasks)
			rows[0][summary] = "changed on the way back"
			refill(tasks, rows)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := freshOut(t)
			before := snap(t, out)
			last := len(write.All()) - 1
			formats := withFormat(last, func(real write.Format) write.Format {
				return wrapped{Format: real, read: func(dir string, s *schemas.Set, info table.Info) (*table.Set, error) {
					set, err := real.Read(dir, s, info)
					if err != nil || !strings.Contains(filepath.Base(dir), atomic.TempPrefix) {
						return set, err // only the staged release reads back wrong
					}
					c.change(set.Table("tasks"))
					return set, nil
				}}
			})
			_, err := pipeline.Build(context.Background(), faultConfig(out, formats))
			if !errors.Is(err, release.ErrMismatch) {
				t.Errorf("Build error %v, want %v", err, release.ErrMismatch)
			}
			checkUntouched(t, out, before)
		})
	}
}

// TestBuildCancelled cancels the context when a stage ends (as a signal would): before the
// lock is taken, between two formats, after the last format, and just before publishing.
func TestBuildCancelled(t *testing.T) {
	for _, stage := range []string{"load", "write.parquet", "write.csv", "manifest"} {
		t.Run(stage, func(t *testing.T) {
			t.Parallel()
			out := freshOut(t)
			before := snap(t, out)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := faultConfig(out, nil)
			seen := false
			cfg.Timings = func(s string, _ time.Duration) {
				if s == stage {
					seen = true
					cancel()
				}
			}
			_, err := pipeline.Build(ctx, cfg)
			if !seen {
				t.Fatalf("the build never ran stage %s", stage)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Build error %v, want %v", err, context.Canceled)
			}
			checkUntouched(t, out, before)
		})
	}
}

// TestBuildCancelledWhileWaitingForLock: a build that waits for another build's lock stops
// when its context is cancelled, instead of waiting for the other build to finish.
func TestBuildCancelledWhileWaitingForLock(t *testing.T) {
	out := freshOut(t)
	before := snap(t, out)
	unlock, err := release.Lock(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := faultConfig(out, nil)
	waiting := make(chan struct{})
	var once sync.Once
	cfg.Log = func(format string, args ...any) {
		if strings.HasPrefix(format, "waiting for another build") {
			once.Do(func() { close(waiting) })
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := pipeline.Build(ctx, cfg)
		done <- err
	}()
	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("Build returned %v without waiting for the lock", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Build did not report waiting for the lock")
	}
	cancel()
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		unlock()
		unlock = nil
		err = <-done
		t.Errorf("Build kept waiting for the lock after its context was cancelled; it returned %v only once the lock was released", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Build error %v, want %v", err, context.Canceled)
	}
	if unlock != nil {
		unlock()
		unlock = nil
	}
	checkUntouched(t, out, before)
}

// TestBuildCancelledBetweenPlans cancels after the first plan file is read: the build stops
// before the next one, without reaching the end of the plans.
func TestBuildCancelledBetweenPlans(t *testing.T) {
	out := freshOut(t)
	before := snap(t, out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := faultConfig(out, nil)
	last, total := 0, 0
	cfg.Progress = func(stage string, n int) func(int) {
		if stage != "plans" {
			return func(int) {}
		}
		total = n
		return func(done int) {
			if done < total { // the last call, with the total, ends the stage
				last = max(last, done)
			}
			if done == 1 {
				cancel()
			}
		}
	}
	_, err := pipeline.Build(ctx, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Build error %v, want %v", err, context.Canceled)
	}
	if total < 2 || last != 1 {
		t.Errorf("read %d of %d plan files after cancelling at the first, want 1 of at least 2", last, total)
	}
	checkUntouched(t, out, before)
}

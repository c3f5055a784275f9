package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	"github.com/plandata/plandata/pipeline/normalize"
	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/release"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/validate"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/schemas"
)

// Version is the pipeline version recorded in every release; it is part of the input hash,
// so changing it forces a new release. 0.2.0: the DuckDB file lists its references in the
// foreign_keys view instead of declaring FOREIGN KEY constraints.
const Version = "0.2.0"

// Dataset is the file name stem of the release files.
const Dataset = "plandata"

// Config is everything a run needs; nothing else is read from the environment.
type Config struct {
	Sources fs.FS         // the curated sources
	Out     string        // output folder holding releases/ and latest
	Date    time.Time     // release date
	Version string        // pipeline version; Version when empty
	Keep    int           // releases to keep; 10 when zero
	Limits  source.Limits // loader limits; source.DefaultLimits when zero
	// SpillDir is where tables keep their rows past a few megabytes each, in unlinked
	// files; empty keeps them in memory. Build sets it to a folder beside the releases.
	SpillDir string
	Formats  []write.Format
	// Log receives one line per event (stage timings, waiting for the lock); nil discards.
	Log func(format string, args ...any)
	// Timings, when set, receives "stage <name> <seconds>s" after every stage.
	Timings func(stage string, d time.Duration)
	// Progress, when set, is called as each stage starts, with the number of units it will
	// handle (0 when not known); the function it returns is called with the units done, and
	// once more when the stage ends.
	Progress func(stage string, total int) func(done int)
}

func (c *Config) defaults() {
	if c.Version == "" {
		c.Version = Version
	}
	if c.Keep == 0 {
		c.Keep = 10
	}
	if c.Limits == (source.Limits{}) {
		c.Limits = source.DefaultLimits
	}
	if c.Formats == nil {
		c.Formats = write.All()
	}
	if c.Log == nil {
		c.Log = func(string, ...any) {}
	}
}

// InvalidError carries every problem found in the sources.
type InvalidError struct{ Issues []plan.Issue }

func (e *InvalidError) Error() string {
	return fmt.Sprintf("sources are invalid: %d problems, first: %s", len(e.Issues), e.Issues[0])
}

// Result says what a build did.
type Result struct {
	ReleaseID string
	Dir       string
	Unchanged bool
	Pruned    []string
}

func (c *Config) stage(name string, f func() error) error {
	start := time.Now()
	var done func(int)
	if c.Progress != nil {
		done = c.Progress(name, 0)
	}
	err := f()
	if done != nil {
		done(0) // clear the spinner before the timing line is printed
	}
	if c.Timings != nil {
		c.Timings(name, time.Since(start))
	}
	return err
}

// Tables loads, validates and normalises the sources, one plan file at a time: the first
// three stages of a build, and all of `plandata validate`. Only the reference files and the
// plan being read are in memory; the tables keep their rows in cfg.SpillDir past a few
// megabytes each (in memory when it is empty). Invalid sources give an *InvalidError listing
// every issue: the problems of reading the files when there are any, else the broken ground
// rules, else what could not be resolved. The caller closes the set.
func Tables(cfg Config) (*table.Set, *source.Docs, error) {
	return tables(context.Background(), cfg)
}

// tables is Tables, stopping between two plan files once ctx is done.
func tables(ctx context.Context, cfg Config) (*table.Set, *source.Docs, error) {
	cfg.defaults()
	s, err := schemas.Load()
	if err != nil {
		return nil, nil, err
	}
	var load, check, norm time.Duration
	timed := func(d *time.Duration, f func()) {
		start := time.Now()
		f()
		*d += time.Since(start)
	}

	var docs *source.Docs
	var loadIssues []plan.Issue
	timed(&load, func() { docs, loadIssues, err = source.Open(cfg.Sources, cfg.Limits) })
	if err != nil {
		return nil, nil, err
	}
	var v *validate.Validator
	set := table.NewSet(s)
	set.Spill(cfg.SpillDir)
	var b *normalize.Builder
	valid := len(loadIssues) == 0
	if valid {
		timed(&check, func() {
			v = validate.New(docs)
			valid = len(v.Issues()) == 0
		})
	}
	if valid {
		timed(&norm, func() { b = normalize.New(docs, set) })
	}

	paths := docs.PlanPaths()
	var done func(int)
	if cfg.Progress != nil {
		done = cfg.Progress("plans", len(paths))
	}
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			if done != nil {
				done(len(paths)) // the stage ends
			}
			set.Close()
			return nil, nil, err
		}
		var pf *plan.PlanFile
		var iss []plan.Issue
		timed(&load, func() { pf, iss, err = docs.LoadPlan(p) })
		if err != nil {
			set.Close()
			return nil, nil, err
		}
		loadIssues = append(loadIssues, iss...)
		// A plan is validated while the files read so far are sound, and normalised while
		// everything validated so far is: later stages rely on the earlier ones.
		if len(loadIssues) == 0 && v != nil {
			timed(&check, func() {
				v.Plan(pf)
				if valid {
					valid = len(v.Issues()) == 0
				}
			})
			if valid && b != nil {
				timed(&norm, func() { b.Plan(pf) })
			}
		}
		docs.Drop(pf)
		if done != nil {
			done(i + 1)
		}
	}
	if done != nil {
		done(len(paths))
	}
	var normIssues []plan.Issue
	if len(loadIssues) == 0 && valid && b != nil {
		timed(&norm, func() { normIssues, err = b.Finish() })
	}
	if cfg.Timings != nil {
		cfg.Timings("load", load)
		cfg.Timings("validate", check)
		cfg.Timings("normalize", norm)
	}
	switch {
	case len(loadIssues) > 0:
		err = &InvalidError{source.SortIssues(loadIssues, docs)}
	case !valid:
		err = &InvalidError{v.Issues()}
	case len(normIssues) > 0:
		err = &InvalidError{normIssues}
	case err != nil:
		err = fmt.Errorf("normalised tables: %w", err)
	}
	if err != nil {
		set.Close()
		return nil, nil, err
	}
	return set, docs, nil
}

// Build runs the whole pipeline: load, validate, normalise, write every format into a staging
// folder, read every format back and compare, seal the manifest, publish, prune. When the
// inputs equal those of `latest`, it publishes nothing and reports Unchanged; that is found
// from the files' hashes, before any file is parsed.
func Build(ctx context.Context, cfg Config) (Result, error) {
	cfg.defaults()
	unlock, err := release.LockContext(ctx, cfg.Out, func() { cfg.Log("waiting for another build in %s to finish", cfg.Out) })
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	if err := release.CleanTemp(cfg.Out); err != nil {
		return Result{}, err
	}
	latest := release.LatestDir(cfg.Out)
	if latest != "" {
		if files, ok, err := source.Hash(cfg.Sources, cfg.Limits); err == nil && ok {
			if m, err := release.ReadManifest(latest); err == nil && m.InputHash == release.InputHash(files, cfg.Version, schemas.Version()) {
				return Result{ReleaseID: m.ReleaseID, Dir: latest, Unchanged: true}, nil
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}

	// Rows past a few megabytes per table, and the previous release while it is compared,
	// go to unlinked files in a work folder beside the releases.
	releases := cfg.Out + "/" + release.ReleasesDir
	if err := os.MkdirAll(releases, 0o755); err != nil {
		return Result{}, fmt.Errorf("create %s: %w", releases, err)
	}
	work, err := os.MkdirTemp(releases, ".tmp-work-")
	if err != nil {
		return Result{}, fmt.Errorf("create work folder: %w", err)
	}
	defer os.RemoveAll(work)
	cfg.SpillDir = work

	set, docs, err := tables(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer set.Close()
	inputHash := release.InputHash(docs.Files, cfg.Version, schemas.Version())
	id := release.ID(cfg.Date, inputHash)
	info := table.Info{Dataset: Dataset, ReleaseID: id, Date: cfg.Date.UTC(), Version: cfg.Version}
	if latest != "" {
		if m, err := release.ReadManifest(latest); err == nil && m.InputHash == inputHash {
			return Result{ReleaseID: m.ReleaseID, Dir: latest, Unchanged: true}, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	var srcs []release.FileEntry
	for _, f := range docs.Files {
		srcs = append(srcs, release.FileEntry{Path: f.Path, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	manifest := release.Manifest{
		Dataset: Dataset, ReleaseID: id, ReleaseDate: info.Date.Format("2006-01-02"),
		PipelineVersion: cfg.Version, SchemaVersion: schemas.Version(), InputHash: inputHash,
		Sources: srcs,
	}
	previous := ""
	if latest != "" {
		if err := cfg.stage("diff", func() error {
			old, err := release.Open(latest, cfg.Formats[0], work)
			if err != nil {
				return err
			}
			defer old.Set.Close()
			previous = old.Manifest.ReleaseID
			changes := set.Table("changes")
			changes.Reset()
			if err := release.Diff(old, release.Side{Set: set, Manifest: &manifest}, changes); err != nil {
				changes.Reset()
				return err
			}
			return nil
		}); err != nil {
			cfg.Log("previous release %s cannot be read, so no changes are listed: %v", latest, err)
		}
	}

	staged := ""
	defer func() {
		if staged != "" {
			os.RemoveAll(staged)
		}
	}()
	staged, err = os.MkdirTemp(releases, ".tmp-"+id+"-")
	if err != nil {
		return Result{}, fmt.Errorf("create staging folder: %w", err)
	}
	if err := os.Chmod(staged, 0o755); err != nil {
		return Result{}, fmt.Errorf("staging folder: %w", err)
	}
	for _, f := range cfg.Formats {
		if err := cfg.stage("write."+f.Name(), func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			_, err := f.Write(staged, set, info)
			// What one format leaves on the heap is garbage for the next; give it back to
			// the system now rather than beside DuckDB's own memory.
			debug.FreeOSMemory()
			return err
		}); err != nil {
			return Result{}, fmt.Errorf("write %s: %w", f.Name(), err)
		}
	}
	if err := cfg.stage("card", func() error {
		if err := writeCard(staged, set, info); err != nil {
			return err
		}
		if err := release.WriteSchema(staged); err != nil {
			return err
		}
		return release.WriteChangesFile(staged, id, previous, set.Table("changes"))
	}); err != nil {
		return Result{}, err
	}
	if err := cfg.stage("datapackage", func() error { return release.DataPackage(staged, set, info) }); err != nil {
		return Result{}, err
	}
	var tables []release.TableEntry
	if err := cfg.stage("check", func() (err error) {
		tables, err = release.Digests(staged, set, info, cfg.Formats)
		return err
	}); err != nil {
		return Result{}, err
	}
	if err := cfg.stage("manifest", func() error {
		manifest.Tables = tables
		return release.Seal(staged, manifest)
	}); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	var dir string
	if err := cfg.stage("publish", func() (err error) {
		dir, err = release.Publish(cfg.Out, staged, id)
		return err
	}); err != nil {
		return Result{}, err
	}
	staged = ""
	pruned, err := release.Prune(cfg.Out, cfg.Keep)
	if err != nil {
		return Result{}, err
	}
	return Result{ReleaseID: id, Dir: dir, Pruned: pruned}, nil
}

// Verify re-checks a published release.
func Verify(dir string, formats []write.Format) ([]string, error) {
	if formats == nil {
		formats = write.All()
	}
	s, err := schemas.Load()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("release %s: %w", dir, err)
	}
	return release.Verify(dir, s, formats)
}

// IsInvalid reports whether err means invalid sources, and returns the issues.
func IsInvalid(err error) ([]plan.Issue, bool) {
	var inv *InvalidError
	if errors.As(err, &inv) {
		return inv.Issues, true
	}
	return nil, false
}

// Diff compares two published releases and returns the changes table between them, read
// through the first format (Parquet by default).
func Diff(oldDir, newDir string, formats []write.Format) (*table.Table, string, string, error) {
	if formats == nil {
		formats = write.All()
	}
	// Both releases are read into tables that keep their rows in unlinked files here; the
	// folder itself is not needed once they are open.
	work, err := os.MkdirTemp("", "plandata-diff-")
	if err != nil {
		return nil, "", "", err
	}
	defer os.RemoveAll(work)
	old, err := release.Open(oldDir, formats[0], work)
	if err != nil {
		return nil, "", "", err
	}
	defer old.Set.Close()
	cur, err := release.Open(newDir, formats[0], work)
	if err != nil {
		return nil, "", "", err
	}
	defer cur.Set.Close()
	s, err := schemas.Load()
	if err != nil {
		return nil, "", "", err
	}
	t := table.New(s.Table("changes"))
	t.Spill(work)
	if err := release.Diff(old, cur, t); err != nil {
		return nil, "", "", err
	}
	return t, old.Manifest.ReleaseID, cur.Manifest.ReleaseID, nil
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
// so changing it forces a new release.
const Version = "0.1.0"

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
	Formats []write.Format
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

// Tables loads, validates and normalises the sources: the first three stages of a build,
// and all of `plandata validate`. Invalid sources give an *InvalidError listing every issue.
func Tables(cfg Config) (*table.Set, *source.Docs, error) {
	cfg.defaults()
	s, err := schemas.Load()
	if err != nil {
		return nil, nil, err
	}
	var docs *source.Docs
	var issues []plan.Issue
	if err := cfg.stage("load", func() (err error) {
		docs, issues, err = source.Load(cfg.Sources, cfg.Limits)
		return err
	}); err != nil {
		return nil, nil, err
	}
	if len(issues) > 0 {
		return nil, nil, &InvalidError{issues}
	}
	cfg.stage("validate", func() error {
		issues = validate.Check(docs)
		return nil
	})
	if len(issues) > 0 {
		return nil, nil, &InvalidError{issues}
	}
	var set *table.Set
	cfg.stage("normalize", func() error {
		set, issues = normalize.Tables(docs, s)
		return nil
	})
	if len(issues) > 0 {
		return nil, nil, &InvalidError{issues}
	}
	if err := set.Check(); err != nil {
		return nil, nil, fmt.Errorf("normalised tables: %w", err)
	}
	return set, docs, nil
}

// Build runs the whole pipeline: load, validate, normalise, write every format into a staging
// folder, read every format back and compare, seal the manifest, publish, prune. When the
// inputs equal those of `latest`, it publishes nothing and reports Unchanged.
func Build(ctx context.Context, cfg Config) (Result, error) {
	cfg.defaults()
	set, docs, err := Tables(cfg)
	if err != nil {
		return Result{}, err
	}
	inputHash := release.InputHash(docs.Files, cfg.Version, schemas.Version())
	id := release.ID(cfg.Date, inputHash)
	info := table.Info{Dataset: Dataset, ReleaseID: id, Date: cfg.Date.UTC(), Version: cfg.Version}

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
			old, err := release.Open(latest, cfg.Formats[0])
			if err != nil {
				return err
			}
			previous = old.Manifest.ReleaseID
			set.Table("changes").Rows = release.Diff(old, release.Side{Set: set, Manifest: &manifest})
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
	releases := cfg.Out + "/" + release.ReleasesDir
	if err := os.MkdirAll(releases, 0o755); err != nil {
		return Result{}, fmt.Errorf("create %s: %w", releases, err)
	}
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
	old, err := release.Open(oldDir, formats[0])
	if err != nil {
		return nil, "", "", err
	}
	cur, err := release.Open(newDir, formats[0])
	if err != nil {
		return nil, "", "", err
	}
	s, err := schemas.Load()
	if err != nil {
		return nil, "", "", err
	}
	t := &table.Table{Schema: s.Table("changes"), Rows: release.Diff(old, cur)}
	return t, old.Manifest.ReleaseID, cur.Manifest.ReleaseID, nil
}

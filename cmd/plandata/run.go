package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/plandata/plandata"
	"github.com/plandata/plandata/pipeline"
	"github.com/plandata/plandata/pipeline/release"
	"github.com/plandata/plandata/pipeline/source"
	"github.com/plandata/plandata/pipeline/table"
)

// Exit codes, as documented in DATASET.md and the README.
const (
	exitOK          = 0
	exitInternal    = 1
	exitUsage       = 2
	exitInvalid     = 3
	exitVerify      = 4
	exitInterrupted = 130
)

const usage = `usage: plandata <command> [flags]

commands:
  build     [--sources DIR] [--out DIR] [--keep N] [--timings] [--max-source-bytes N]
                                                                 load, validate, normalise, write, publish
  validate  [--sources DIR]                                      load and validate only
  verify    [DIR]                                                re-check a release against its manifest
  diff      OLD NEW                                              what changed between two releases
  synth     --measures N --out DIR [--seed S]                    write synthetic sources for benchmarks
  check-sources [--sources DIR] [--timeout D] [--retries N]      fetch every cited URL; record the results
                                                                 in DIR/source-checks.yaml for the next build

Without --sources the sources embedded in the binary are used. --out defaults to outputs.
Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid sources, 4 verification failed, 130 interrupted.
`

// run is everything main does, callable from tests.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "build":
		return build(ctx, args[1:], getenv, stdout, stderr)
	case "validate":
		return validateCmd(args[1:], stdout, stderr)
	case "verify":
		return verify(args[1:], stdout, stderr)
	case "diff":
		return diff(args[1:], stdout, stderr)
	case "check-sources":
		return checkSources(ctx, args[1:], stdout, stderr)
	case "synth":
		return synthCmd(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "plandata: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

func flags(name string, stderr io.Writer) *flag.FlagSet {
	fl := flag.NewFlagSet("plandata "+name, flag.ContinueOnError)
	fl.SetOutput(stderr)
	return fl
}

// sourcesFS opens --sources, or the embedded sources when it is empty. A folder is opened
// through os.Root, so symbolic links cannot lead outside it.
func sourcesFS(dir string) (fs.FS, error) {
	if dir == "" {
		return plandata.Sources(), nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open sources folder: %w", err)
	}
	return root.FS(), nil
}

// releaseDate honours SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/).
func releaseDate(getenv func(string) string) (time.Time, error) {
	if s := getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Now().UTC(), nil
}

// limitDuring, when set, is called once build has set the heap limit (for tests).
var limitDuring func()

func build(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fl := flags("build", stderr)
	src := fl.String("sources", "", "folder of curated sources (default: the embedded sources)")
	out := fl.String("out", "outputs", "output folder")
	keep := fl.Int("keep", 10, "number of releases to keep")
	timings := fl.Bool("timings", false, "print the time of every stage on stderr")
	maxBytes := fl.Int64("max-source-bytes", source.DefaultLimits.MaxTotalBytes, "largest total size of the sources, in bytes")
	memory := fl.Int64("memory-mib", 768, "soft limit of the Go heap in MiB (0: none; GOMEMLIMIT, when set, wins)")
	if err := fl.Parse(args); err != nil || fl.NArg() > 0 {
		return exitUsage
	}
	// The tables live on disk, so the heap holds little data; without a limit Go lets it grow
	// to twice what is live before collecting. The limit makes it collect sooner instead.
	if *memory > 0 && getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(*memory << 20))
	}
	if limitDuring != nil {
		limitDuring()
	}
	if *keep < 1 {
		fmt.Fprintln(stderr, "plandata: --keep must be at least 1 (the release latest names is always kept)")
		return exitUsage
	}
	date, err := releaseDate(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "plandata: %v\n", err)
		return exitUsage
	}
	fsys, err := sourcesFS(*src)
	if err != nil {
		fmt.Fprintf(stderr, "plandata: %v\n", err)
		return exitInvalid
	}
	limits := source.DefaultLimits
	limits.MaxTotalBytes = *maxBytes
	cfg := pipeline.Config{
		Sources: fsys, Out: *out, Date: date, Keep: *keep, Limits: limits,
		Log: func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) },
	}
	if *timings {
		cfg.Timings = func(stage string, d time.Duration) { fmt.Fprintf(stderr, "stage %s %.3fs\n", stage, d.Seconds()) }
	}
	cfg.Progress = progress(stderr) // nil unless stderr is a terminal
	res, err := pipeline.Build(ctx, cfg)
	if err != nil {
		return failure(err, *src, stderr)
	}
	if res.Unchanged {
		fmt.Fprintf(stdout, "unchanged: %s\n", res.ReleaseID)
		return exitOK
	}
	fmt.Fprintf(stdout, "published: %s\n", res.ReleaseID)
	fmt.Fprintf(stdout, "latest -> %s\n", filepath.ToSlash(res.Dir))
	for _, id := range res.Pruned {
		fmt.Fprintf(stdout, "removed old release: %s\n", id)
	}
	return exitOK
}

// tables loads, validates and normalises the sources in src (the embedded ones when empty),
// printing every problem; the code is exitOK when there were none.
func tables(src string, stderr io.Writer) (*table.Set, *source.Docs, int) {
	fsys, err := sourcesFS(src)
	if err != nil {
		fmt.Fprintf(stderr, "plandata: %v\n", err)
		return nil, nil, exitInvalid
	}
	// Large tables keep their rows in unlinked files in the temporary folder.
	set, docs, err := pipeline.Tables(pipeline.Config{Sources: fsys, SpillDir: os.TempDir()})
	if err != nil {
		return nil, nil, failure(err, src, stderr)
	}
	return set, docs, exitOK
}

func validateCmd(args []string, stdout, stderr io.Writer) int {
	fl := flags("validate", stderr)
	src := fl.String("sources", "", "folder of curated sources (default: the embedded sources)")
	if err := fl.Parse(args); err != nil || fl.NArg() > 0 {
		return exitUsage
	}
	set, _, code := tables(*src, stderr)
	if code != exitOK {
		return code
	}
	rows := 0
	for _, t := range set.Tables {
		rows += t.Len()
	}
	fmt.Fprintf(stdout, "ok: %d tables, %d rows\n", len(set.Tables), rows)
	return exitOK
}

func verify(args []string, stdout, stderr io.Writer) int {
	fl := flags("verify", stderr)
	if err := fl.Parse(args); err != nil || fl.NArg() > 1 {
		return exitUsage
	}
	dir := filepath.Join("outputs", "latest")
	if fl.NArg() == 1 {
		dir = fl.Arg(0)
	}
	problems, err := pipeline.Verify(dir, nil)
	if err != nil {
		fmt.Fprintf(stderr, "plandata: verify %s: %v\n", dir, err)
		return exitVerify
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "%s: %s\n", dir, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "plandata: %s does not verify: %d problems\n", dir, len(problems))
		return exitVerify
	}
	fmt.Fprintf(stdout, "verified: %s\n", dir)
	return exitOK
}

func diff(args []string, stdout, stderr io.Writer) int {
	fl := flags("diff", stderr)
	if err := fl.Parse(args); err != nil || fl.NArg() != 2 {
		fmt.Fprintln(stderr, "usage: plandata diff OLD NEW")
		return exitUsage
	}
	changes, oldID, newID, err := pipeline.Diff(fl.Arg(0), fl.Arg(1), nil)
	if err != nil {
		fmt.Fprintf(stderr, "plandata: diff: %v\n", err)
		return exitInternal
	}
	if err := release.WriteChanges(stdout, newID, oldID, changes); err != nil {
		fmt.Fprintf(stderr, "plandata: diff: %v\n", err)
		return exitInternal
	}
	return exitOK
}

// failure prints err and maps it to an exit code: the one place that does.
func failure(err error, srcDir string, stderr io.Writer) int {
	if issues, ok := pipeline.IsInvalid(err); ok {
		for _, is := range issues {
			if srcDir != "" {
				is.File = filepath.Join(srcDir, is.File)
			} else {
				is.File = filepath.Join("sources", is.File)
			}
			fmt.Fprintln(stderr, is)
		}
		fmt.Fprintf(stderr, "plandata: %d problems in the sources; nothing was written\n", len(issues))
		return exitInvalid
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "plandata: interrupted; nothing was published")
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "plandata: %v\n", err)
	return exitInternal
}

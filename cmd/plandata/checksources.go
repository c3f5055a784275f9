package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/linkcheck"
)

// checkSources fetches every cited URL and writes what it found to
// <sources>/source-checks.yaml, which the next build publishes as the source_checks table.
// A page that does not answer is recorded, never removed: the exit code is 0 whatever the
// pages answered.
func checkSources(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flags("check-sources", stderr)
	src := fl.String("sources", "sources", "folder of curated sources; source-checks.yaml is written there")
	timeout := fl.Duration("timeout", linkcheck.DefaultTimeout, "time allowed for one request")
	retries := fl.Int("retries", linkcheck.DefaultRetries, "retries after a network error, 429 or 5xx")
	if err := fl.Parse(args); err != nil || fl.NArg() > 0 {
		return exitUsage
	}
	_, docs, code := tables(*src, stderr)
	if code != exitOK {
		return code
	}
	var targets []linkcheck.Target
	for _, s := range docs.Sources {
		targets = append(targets, linkcheck.Target{SourceID: s.ID, URL: s.URL})
	}
	results := linkcheck.Check(ctx, targets, linkcheck.Config{
		Timeout: *timeout, Retries: *retries, Now: time.Now,
	})
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "plandata: interrupted; source-checks.yaml was not written")
		return exitInterrupted
	}
	failed := 0
	for _, r := range results {
		if r.Error != "" || r.Status < 200 || r.Status > 299 {
			failed++
			what := r.Error
			if what == "" {
				what = fmt.Sprintf("HTTP %d", r.Status)
			}
			fmt.Fprintf(stderr, "unavailable: %s %s: %s\n", r.SourceID, r.URL, what)
		}
	}
	path := filepath.Join(*src, linkcheck.FileName)
	if err := atomic.WriteFile(path, func(w io.Writer) error { return linkcheck.Write(w, results) }); err != nil {
		fmt.Fprintf(stderr, "plandata: %v\n", err)
		return exitInternal
	}
	fmt.Fprintf(stdout, "checked %d sources: %d available, %d not; wrote %s\n", len(results), len(results)-failed, failed, path)
	return exitOK
}

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/plandata/plandata/pipeline/synth"
)

// synthCmd writes synthetic sources for benchmarks: plandata synth --measures N --out DIR
// [--seed S]. The folder must be new or empty, so that no plan of an earlier run is left in it.
func synthCmd(args []string, stdout, stderr io.Writer) int {
	fl := flags("synth", stderr)
	measures := fl.Int("measures", 0, "number of measures (tasks) to generate; 80 per plan")
	out := fl.String("out", "", "folder to write the sources into; must be new or empty")
	seed := fl.Int64("seed", 1, "random seed; the same seed gives the same files")
	if err := fl.Parse(args); err != nil || fl.NArg() > 0 {
		return exitUsage
	}
	if *measures <= 0 || *out == "" {
		fmt.Fprintln(stderr, "usage: plandata synth --measures N --out DIR [--seed S]")
		return exitUsage
	}
	entries, err := os.ReadDir(*out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		fmt.Fprintf(stderr, "plandata: synth: %v\n", err)
		return exitInternal
	case len(entries) > 0:
		fmt.Fprintf(stderr, "plandata: synth: %s is not empty\n", *out)
		return exitUsage
	}
	if err := synth.Write(*out, *measures, *seed); err != nil {
		fmt.Fprintf(stderr, "plandata: %v\n", err)
		return exitInternal
	}
	fmt.Fprintf(stdout, "wrote %d measures in %d plans to %s\n", *measures, synth.Plans(*measures), *out)
	return exitOK
}

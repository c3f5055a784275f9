package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress returns the hook that draws one progress bar per stage on stderr, or nil when
// stderr is not a terminal (a log file, a pipe, a test buffer), so that nothing but plain
// lines ever reaches a file.
//
// The pipeline calls the hook when a stage starts, with the stage name and the number of
// units it will handle (rows, files; 0 or less when it does not know), and calls the
// function it returns with the number done so far, last with the total. A bar clears its
// line when it finishes, so --timings lines and log lines stay readable.
func progress(stderr io.Writer) func(stage string, total int) func(done int) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(stage string, total int) func(done int) {
		max := total
		if max <= 0 {
			max = -1 // a spinner: the size is not known
		}
		bar := progressbar.NewOptions(max,
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription(fmt.Sprintf("%-16s", stage)),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(total > 0),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetRenderBlankState(true),
		)
		return func(done int) {
			if total > 0 && done >= total {
				bar.Finish()
				return
			}
			bar.Set(done)
		}
	}
}

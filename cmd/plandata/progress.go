package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress returns the hook that draws one progress bar per stage on stderr, or nil when
// stderr is not a terminal (a log file, a pipe, a test buffer), so that nothing but plain
// lines ever reaches a file. It is meant for pipeline.Config.Progress.
//
// The pipeline calls the hook when a stage starts, with the stage name and the number of
// units (rows, files) the stage handles, or 0 when it does not know; then it calls the
// returned function with the number done so far, and when the stage ends with the total
// (any number when the total was 0). A stage of unknown size shows a spinner. The bar
// redraws itself while the stage runs, so the elapsed time moves even between calls, and it
// clears its line when it finishes, so that --timings and log lines stay readable.
func progress(stderr io.Writer) func(stage string, total int) func(done int) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(stage string, total int) func(done int) {
		max := total
		if max <= 0 {
			max = -1 // a spinner
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
		var (
			mu   sync.Mutex
			over bool
			stop = make(chan struct{})
		)
		go func() { // redraw while the stage runs
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					mu.Lock()
					if !over {
						bar.Add(0)
					}
					mu.Unlock()
				}
			}
		}()
		return func(done int) {
			mu.Lock()
			defer mu.Unlock()
			if over {
				return
			}
			if total <= 0 || done >= total {
				over = true
				close(stop)
				bar.Finish()
				return
			}
			bar.Set(done)
		}
	}
}

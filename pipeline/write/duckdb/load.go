package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// How the tables are loaded. Each table is created with its primary key, and DuckDB builds
// the key's index as the rows arrive; Scan gives them in key order, so the index grows at its
// end. The rows go in segments, one transaction each, and a commit costs about the same
// whatever the segment's size: at a million measures the load took 29 s in segments of 2^18
// rows, 20 s in segments of 2^19 and 19 s in segments of 2^20. By default DuckDB checkpoints
// whenever its write-ahead log passes 16 MB, and each checkpoint writes out what changed in
// every index; so automatic checkpoints are off and the load checkpoints every
// checkpointRows rows instead, which also lets DuckDB evict the index blocks it has written
// and keeps its memory within memoryLimit. The tables load loaders at a time, largest first,
// each on its own connection: nearly all the work is DuckDB's (the index and the
// checkpoints), done in the loader's thread. Two loaders are about a fifth faster than one,
// not twice as fast: DuckDB serialises much of the index work between connections.
var (
	// loaders is the number of tables loaded at the same time.
	loaders = 2
	// segmentRows is the number of rows a loader inserts in one transaction, after which it
	// lets a checkpoint run if one is due.
	segmentRows = 1 << 20
	// checkpointRows is the number of rows inserted, by all loaders together, after which the
	// next loader to end a segment checkpoints the database.
	checkpointRows = 1 << 20
)

// memoryLimit bounds DuckDB's buffer manager while the file is written: it holds table data
// and indexes, and index blocks that are not checkpointed yet cannot be evicted, so it must
// hold those of about checkpointRows+loaders*segmentRows rows (about 110 bytes a row for
// evidence, the table with the longest keys) beside the segments being inserted.
// readMemoryLimit bounds it when a release is read back (readOptions).
const (
	memoryLimit     = "512MB"
	readMemoryLimit = "384MB"
)

// configure sets up the database for loading. DuckDB runs no worker thread of its own
// (threads = 1): each loader's thread does the DuckDB work of its inserts, and a worker
// thread only competes with the loaders for the cores. Temporary files go beside the
// database file, where removeSidecars finds them.
func configure(ctx context.Context, conn *sql.Conn, path string) error {
	return execAll(ctx, conn, []string{
		"SET GLOBAL threads = 1",
		"SET GLOBAL checkpoint_threshold = '1TB'",
		"SET GLOBAL memory_limit = " + lit(memoryLimit),
		"SET GLOBAL temp_directory = " + lit(path+".tmp"),
	})
}

// loader loads the base tables, loaders at a time.
type loader struct {
	mu      sync.Mutex
	waiting []*schemas.Table // tables not started yet, largest first
	err     error            // the first error; no table is started after it

	// gate is held shared by a loader while it inserts a segment, and exclusively while the
	// database is checkpointed, so that a checkpoint finds every row committed and no insert
	// runs beside it.
	gate    sync.RWMutex
	pending int // rows inserted since the last checkpoint; guarded by mu
}

// load inserts the rows of every table of tables, the largest first.
func load(ctx context.Context, db *sql.DB, set *table.Set, tables []*schemas.Table) error {
	l := &loader{waiting: slices.Clone(tables)}
	slices.SortStableFunc(l.waiting, func(a, b *schemas.Table) int {
		return cmp.Compare(set.Table(b.Name).Len(), set.Table(a.Name).Len())
	})
	var wg sync.WaitGroup
	for range min(loaders, len(tables)) {
		conn, err := db.Conn(ctx)
		if err != nil {
			l.fail(fmt.Errorf("connect: %w", err))
			break
		}
		wg.Go(func() {
			defer conn.Close()
			for {
				ts := l.next()
				if ts == nil {
					return
				}
				err := conn.Raw(func(dc any) error { return l.loadRows(ctx, dc.(driver.Conn), set.Table(ts.Name)) })
				if err != nil {
					l.fail(fmt.Errorf("load %s: %w", ts.Name, err))
				}
			}
		})
	}
	wg.Wait()
	return l.err
}

// next returns the next table to load, or nil when none is left or a load failed.
func (l *loader) next() *schemas.Table {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil || len(l.waiting) == 0 {
		return nil
	}
	ts := l.waiting[0]
	l.waiting = l.waiting[1:]
	return ts
}

func (l *loader) fail(err error) {
	l.mu.Lock()
	if l.err == nil {
		l.err = err
	}
	l.mu.Unlock()
}

// failed reports whether a load failed, so that the others stop.
func (l *loader) failed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err != nil
}

var errStopped = errors.New("stopped: another table failed to load")

// segmentDone counts n rows committed and checkpoints the database once checkpointRows have
// been inserted since the last checkpoint. The caller holds no segment open.
func (l *loader) segmentDone(ctx context.Context, conn driver.Conn, n int) error {
	l.mu.Lock()
	l.pending += n
	due := l.pending >= checkpointRows
	l.mu.Unlock()
	if !due {
		return nil
	}
	l.gate.Lock()
	defer l.gate.Unlock()
	l.mu.Lock()
	due = l.pending >= checkpointRows
	if due {
		l.pending = 0
	}
	l.mu.Unlock()
	if !due { // another loader checkpointed first
		return nil
	}
	if _, err := conn.(driver.ExecerContext).ExecContext(ctx, "CHECKPOINT", nil); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

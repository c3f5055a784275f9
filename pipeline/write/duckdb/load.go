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

	"github.com/duckdb/duckdb-go/v2"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// How the tables are loaded. Every primary and foreign key is declared when its table is
// created, and DuckDB builds each key's index as the rows arrive; Scan gives them in key
// order, so the index of the primary key grows at its end. By default DuckDB checkpoints
// whenever its write-ahead log passes 16 MB, which an appender does at nearly every flush of
// 204 800 rows, and each checkpoint writes out what changed in every index (for evidence at a
// million measures, a third of the time of its load). So automatic checkpoints are off, and the load checkpoints every
// checkpointRows rows instead, which also lets DuckDB evict the index blocks it has written
// and keeps its memory within memoryLimit. And the tables are loaded loaders at a time, each
// on its own connection, as soon as the tables they reference are loaded: the work of a load
// is nearly all DuckDB's (the indexes, their checks and the checkpoints), done in the thread
// that appends, so two tables keep two cores busy.
var (
	// loaders is the number of tables loaded at the same time.
	loaders = 2
	// segmentRows is the number of rows a loader appends before it closes its appender,
	// which commits them, and lets a checkpoint run if one is due.
	segmentRows = 1 << 18
	// checkpointRows is the number of rows appended, by all loaders together, after which the
	// next loader to end a segment checkpoints the database.
	checkpointRows = 1 << 20
)

// memoryLimit bounds DuckDB's buffer manager, which holds table data and indexes. Index
// blocks that are not checkpointed yet cannot be evicted, so it must hold those of about
// checkpointRows+loaders*segmentRows rows (about 110 bytes a row for evidence, the table with
// the longest keys) beside the appenders' buffers.
const memoryLimit = "384MB"

// configure sets up the database for loading. DuckDB runs no worker thread of its own
// (threads = 1): each loader's thread does the DuckDB work of its appends, and a worker
// thread only competes with the loaders for the cores (on two cores a 1M-measure load took
// a fifth more CPU time with one). Temporary files go beside the database file, where
// removeSidecars finds them.
func configure(ctx context.Context, conn *sql.Conn, path string) error {
	return execAll(ctx, conn, []string{
		"SET GLOBAL threads = 1",
		"SET GLOBAL checkpoint_threshold = '1TB'",
		"SET GLOBAL memory_limit = " + lit(memoryLimit),
		"SET GLOBAL temp_directory = " + lit(path+".tmp"),
	})
}

// loader loads the base tables, parents before children, loaders at a time.
type loader struct {
	mu      sync.Mutex
	ready   *sync.Cond
	waiting []*schemas.Table    // tables not started yet, in the order of preference
	parents map[string][]string // tables each table references, itself left out
	done    map[string]bool
	err     error // the first error; no table is started after it

	// gate is held shared by a loader while its appender is open, and exclusively while
	// the database is checkpointed, so that a checkpoint finds every row committed and no
	// append runs beside it.
	gate    sync.RWMutex
	pending int // rows appended since the last checkpoint; guarded by mu
}

// load appends the rows of every base table of order (in which parents come first).
func load(ctx context.Context, db *sql.DB, set *table.Set, order []*schemas.Table) error {
	l := &loader{parents: map[string][]string{}, done: map[string]bool{}}
	l.ready = sync.NewCond(&l.mu)
	for _, ts := range order {
		for _, c := range ts.Columns {
			if c.References != "" && c.RefTable() != ts.Name {
				l.parents[ts.Name] = append(l.parents[ts.Name], c.RefTable())
			}
		}
	}
	l.waiting = byWork(order, set, l.parents)
	var wg sync.WaitGroup
	for range min(loaders, len(order)) {
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
				err := conn.Raw(func(dc any) error { return l.loadTable(ctx, dc.(driver.Conn), set.Table(ts.Name)) })
				l.finish(ts, err)
			}
		})
	}
	wg.Wait()
	return l.err
}

// byWork orders the tables by the rows that wait on each: its own and those of the longest
// chain of tables that reference it, directly or not. Loaders take the first table whose
// parents are loaded, so that the longest chain starts first.
func byWork(order []*schemas.Table, set *table.Set, parents map[string][]string) []*schemas.Table {
	below := map[string]int{} // rows of the longest chain of tables referencing a table
	work := map[string]int{}
	for i := len(order) - 1; i >= 0; i-- { // children come after their parents in order
		name := order[i].Name
		work[name] = set.Table(name).Len() + below[name]
		for _, p := range parents[name] {
			below[p] = max(below[p], work[name])
		}
	}
	out := slices.Clone(order)
	slices.SortStableFunc(out, func(a, b *schemas.Table) int { return cmp.Compare(work[b.Name], work[a.Name]) })
	return out
}

// next waits for a table whose parents are loaded and returns it, or nil when none is left
// or a load failed.
func (l *loader) next() *schemas.Table {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if l.err != nil || len(l.waiting) == 0 {
			return nil
		}
		for i, ts := range l.waiting {
			if l.loaded(ts) {
				l.waiting = append(l.waiting[:i:i], l.waiting[i+1:]...)
				return ts
			}
		}
		l.ready.Wait()
	}
}

func (l *loader) loaded(ts *schemas.Table) bool {
	for _, p := range l.parents[ts.Name] {
		if !l.done[p] {
			return false
		}
	}
	return true
}

// finish records that a table is loaded, or why it is not.
func (l *loader) finish(ts *schemas.Table, err error) {
	if err != nil {
		l.fail(fmt.Errorf("load %s: %w", ts.Name, err))
		return
	}
	l.mu.Lock()
	l.done[ts.Name] = true
	l.mu.Unlock()
	l.ready.Broadcast()
}

func (l *loader) fail(err error) {
	l.mu.Lock()
	if l.err == nil {
		l.err = err
	}
	l.mu.Unlock()
	l.ready.Broadcast()
}

// failed reports whether a load failed, so that the others stop.
func (l *loader) failed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err != nil
}

var errStopped = errors.New("stopped: another table failed to load")

// loadTable appends the rows of t. A table that references itself is small (agencies) and is
// loaded in one piece by appendSelf; any other table is streamed in key order, in segments
// after each of which the appender is closed and the database may be checkpointed.
func (l *loader) loadTable(ctx context.Context, conn driver.Conn, t *table.Table) error {
	if len(selfRefs(t.Schema)) > 0 {
		l.gate.RLock()
		err := appendSelf(conn, t)
		l.gate.RUnlock()
		if err != nil {
			return err
		}
		return l.segmentDone(ctx, conn, t.Len())
	}
	var a *duckdb.Appender
	closeAppender := func(err error) error {
		if err != nil {
			a.Clear()
		}
		if cerr := a.Close(); cerr != nil && err == nil {
			err = cerr
		}
		a = nil
		l.gate.RUnlock()
		return err
	}
	args := make([]driver.Value, len(t.Schema.Columns))
	i, n := 0, 0
	err := t.Scan(func(r table.Row) error {
		if a == nil {
			if l.failed() {
				return errStopped
			}
			l.gate.RLock()
			var err error
			if a, err = duckdb.NewAppenderFromConn(conn, "", t.Name()); err != nil {
				l.gate.RUnlock()
				return err
			}
		}
		for j, v := range r {
			args[j] = v
		}
		if err := a.AppendRow(args...); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		i++
		if n++; n < segmentRows {
			return nil
		}
		if err := closeAppender(nil); err != nil {
			return fmt.Errorf("rows %d to %d: %w", i-n, i-1, err)
		}
		err := l.segmentDone(ctx, conn, n)
		n = 0
		return err
	})
	if a != nil {
		if cerr := closeAppender(err); cerr != nil && err == nil {
			err = fmt.Errorf("rows %d to %d: %w", i-n, i-1, cerr)
		}
	}
	if err != nil {
		return err
	}
	return l.segmentDone(ctx, conn, n)
}

// segmentDone counts n rows committed and checkpoints the database once checkpointRows have
// been appended since the last checkpoint. The caller holds no appender open.
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

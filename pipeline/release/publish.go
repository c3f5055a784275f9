package release

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/schemas"
)

// Layout names inside the output folder.
const (
	ReleasesDir = "releases"
	LatestLink  = "latest"
	lockFile    = ".lock"
)

// ErrMismatch means the formats of a release do not hold the same rows.
var ErrMismatch = errors.New("formats disagree")

// Lock takes the output folder's build lock, waiting while another build holds it. wait is
// called once if the lock is busy. The returned function releases it.
func Lock(out string, wait func()) (func(), error) {
	return LockContext(context.Background(), out, wait)
}

// lockPoll is how often a waiting build tries the lock again.
const lockPoll = 50 * time.Millisecond

// LockContext is Lock that stops waiting when ctx is done, so that an interrupted build
// that waits for another one exits at once.
func LockContext(ctx context.Context, out string, wait func()) (func(), error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder %s: %w", out, err)
	}
	p := filepath.Join(out, lockFile)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", p, err)
	}
	// A blocking flock cannot be interrupted by ctx, so a busy lock is polled.
	for waited := false; ; waited = true {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
		if !waited && wait != nil {
			wait()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", p, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// LatestDir returns the folder `latest` points to, or "" when there is none.
func LatestDir(out string) string {
	target, err := os.Readlink(filepath.Join(out, LatestLink))
	if err != nil {
		return ""
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(out, target)
	}
	return target
}

// CleanTemp removes what an interrupted build left behind: staging folders and temporary
// files directly under the output and releases folders.
func CleanTemp(out string) error {
	for _, dir := range []string{out, filepath.Join(out, ReleasesDir)} {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", dir, err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), atomic.TempPrefix) {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return fmt.Errorf("remove leftover %s: %w", e.Name(), err)
				}
			}
		}
	}
	return nil
}

// Stage writes every format into a new staging folder under out/releases and returns its
// path. On error the staging folder is removed.
func Stage(out string, set *table.Set, info table.Info, formats []write.Format, extra func(dir string) error) (dir string, err error) {
	releases := filepath.Join(out, ReleasesDir)
	if err := os.MkdirAll(releases, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", releases, err)
	}
	dir, err = os.MkdirTemp(releases, atomic.TempPrefix+info.ReleaseID+"-")
	if err != nil {
		return "", fmt.Errorf("create staging folder: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", fmt.Errorf("staging folder: %w", err)
	}
	for _, f := range formats {
		if _, err := f.Write(dir, set, info); err != nil {
			return "", fmt.Errorf("write %s: %w", f.Name(), err)
		}
	}
	if extra != nil {
		if err := extra(dir); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Digests reads every format back from dir and returns, per table, the digest from each
// format. It fails with ErrMismatch when a format's rows differ from want.
func Digests(dir string, want *table.Set, info table.Info, formats []write.Format) ([]TableEntry, error) {
	var entries []TableEntry
	for _, t := range want.Tables {
		d := &table.Digester{SpillDir: dir}
		sum, err := digestRows(d, t.Scan)
		if err != nil {
			return nil, fmt.Errorf("digest %s: %w", t.Name(), err)
		}
		entries = append(entries, TableEntry{Name: t.Name(), Rows: d.Rows(), Digest: sum, Formats: map[string]string{}})
	}
	var problems []string
	for _, f := range formats {
		for i, t := range want.Tables {
			rows, d, found, err := digestBack(dir, dir, f, want.Schema, t.Schema, info)
			if err != nil {
				return nil, fmt.Errorf("read back %s: %w", f.Name(), err)
			}
			if !found {
				problems = append(problems, fmt.Sprintf("%s: table %s missing", f.Name(), t.Name()))
				continue
			}
			entries[i].Formats[f.Name()] = d
			if rows != entries[i].Rows {
				problems = append(problems, fmt.Sprintf("%s: table %s has %d rows, want %d", f.Name(), t.Name(), rows, entries[i].Rows))
			} else if d != entries[i].Digest {
				problems = append(problems, fmt.Sprintf("%s: table %s rows differ", f.Name(), t.Name()))
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrMismatch, strings.Join(problems, "; "))
	}
	return entries, nil
}

// tableScanner is implemented by formats that read a release back one row at a time (every
// format of package write does), so that checking a release holds the canonical text of one
// table rather than a copy of the whole set.
type tableScanner interface {
	ScanTable(dir string, ts *schemas.Table, info table.Info, fn func(table.Row) error) (found bool, err error)
}

// digestBack reads one table of a release back through f and returns its row count and
// digest, in bounded memory (spilling to spillDir); found is false when f has no such table.
func digestBack(dir, spillDir string, f write.Format, s *schemas.Set, ts *schemas.Table, info table.Info) (rows int, digest string, found bool, err error) {
	if sc, ok := f.(tableScanner); ok {
		d := &table.Digester{SpillDir: spillDir}
		sum, err := digestRows(d, func(fn func(table.Row) error) (serr error) {
			found, serr = sc.ScanTable(dir, ts, info, fn)
			return serr
		})
		if err != nil || !found {
			return 0, "", false, err
		}
		return d.Rows(), sum, true, nil
	}
	got, err := f.Read(dir, s, info)
	if err != nil {
		return 0, "", false, err
	}
	gt := got.Table(ts.Name)
	if gt == nil {
		return 0, "", false, nil
	}
	digest, err = table.Digest(gt)
	if err != nil {
		return 0, "", false, err
	}
	return gt.Len(), digest, true, nil
}

// digestRows adds every row that scan passes to d and returns the digest. d's temporary
// files are released whether or not the scan succeeds.
func digestRows(d *table.Digester, scan func(func(table.Row) error) error) (string, error) {
	if err := scan(d.Add); err != nil {
		d.Sum() // closes its files
		return "", err
	}
	return d.Sum()
}

// Seal writes the manifest of the staged release in dir.
func Seal(dir string, m Manifest) error {
	files, err := hashFiles(dir)
	if err != nil {
		return err
	}
	m.Files = files
	return writeJSON(filepath.Join(dir, ManifestFile), m)
}

// Publish moves the staged folder to releases/<id> and then switches `latest` to it with an
// atomic rename of a new link over the old one.
func Publish(out, staged, id string) (string, error) {
	final := filepath.Join(out, ReleasesDir, id)
	if _, err := os.Stat(final); err == nil {
		if err := os.RemoveAll(staged); err != nil {
			return "", fmt.Errorf("remove staging folder: %w", err)
		}
	} else if err := os.Rename(staged, final); err != nil {
		return "", fmt.Errorf("publish %s: %w", id, err)
	}
	link := filepath.Join(out, LatestLink)
	tmp := filepath.Join(out, atomic.TempPrefix+LatestLink)
	os.Remove(tmp)
	if err := os.Symlink(filepath.Join(ReleasesDir, id), tmp); err != nil {
		return "", fmt.Errorf("link latest: %w", err)
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("switch latest to %s: %w", id, err)
	}
	if d, err := os.Open(out); err == nil {
		d.Sync()
		d.Close()
	}
	return final, nil
}

// Prune removes the oldest releases (by the time they were published) so that at most keep
// remain, never the one `latest` points to. It returns the ids removed.
func Prune(out string, keep int) ([]string, error) {
	releases := filepath.Join(out, ReleasesDir)
	entries, err := os.ReadDir(releases)
	if err != nil {
		return nil, fmt.Errorf("list releases: %w", err)
	}
	type rel struct {
		id   string
		when int64
	}
	var all []rel
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), atomic.TempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("stat release %s: %w", e.Name(), err)
		}
		all = append(all, rel{e.Name(), info.ModTime().UnixNano()})
	}
	slices.SortFunc(all, func(a, b rel) int {
		if a.when != b.when {
			return cmp.Compare(a.when, b.when)
		}
		return strings.Compare(a.id, b.id)
	})
	latest := filepath.Base(LatestDir(out))
	var removed []string
	for i := 0; len(all)-len(removed) > max(keep, 1) && i < len(all); i++ {
		if all[i].id == latest {
			continue
		}
		if err := os.RemoveAll(filepath.Join(releases, all[i].id)); err != nil {
			return removed, fmt.Errorf("remove release %s: %w", all[i].id, err)
		}
		removed = append(removed, all[i].id)
	}
	return removed, nil
}

// Package atomic writes files so that a reader sees either nothing or the whole file: the
// content goes to a temporary name in the target folder, is synced and closed with its error
// checked, and only then renamed into place.
package atomic

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file, so that a crashed build's leftovers can
// be recognised and removed.
const TempPrefix = ".tmp-"

// WriteFile writes path through fill.
func WriteFile(path string, fill func(w io.Writer) error) error {
	tmp, commit, abort, err := Path(path)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		abort()
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	if err := fill(f); err != nil {
		f.Close()
		abort()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		abort()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		abort()
		return fmt.Errorf("close %s: %w", path, err)
	}
	return commit()
}

// Path reserves a temporary path beside path for writers that need a file name rather than
// an io.Writer (a database file). commit renames it to path; abort removes it. The temporary
// path does not exist yet when Path returns.
func Path(path string) (tmp string, commit func() error, abort func(), err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, nil, fmt.Errorf("create folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, TempPrefix+base+"-*")
	if err != nil {
		return "", nil, nil, fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	tmp = f.Name()
	f.Close()
	os.Remove(tmp)
	commit = func() error {
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("rename %s to %s: %w", tmp, path, err)
		}
		return nil
	}
	abort = func() { os.Remove(tmp) }
	return tmp, commit, abort, nil
}

// Package release assembles a release folder: it writes every format into a staging folder,
// reads each back to check that all formats hold the same rows, records the manifest, and
// publishes by renaming the folder and switching the `latest` link. It also verifies a
// published release against its manifest.
package release

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/source"
)

// ManifestFile is the manifest's name inside a release.
const ManifestFile = "manifest.json"

// FileEntry is one file of the release.
type FileEntry struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// TableEntry is one table: its row count and the order-independent digest of its rows as
// read back from every format.
type TableEntry struct {
	Name    string            `json:"name"`
	Rows    int               `json:"rows"`
	Digest  string            `json:"digest"`
	Formats map[string]string `json:"formats"` // format -> digest read back from it
}

// Manifest describes a release completely enough to verify it.
type Manifest struct {
	Dataset         string       `json:"dataset"`
	ReleaseID       string       `json:"release_id"`
	ReleaseDate     string       `json:"release_date"`
	PipelineVersion string       `json:"pipeline_version"`
	SchemaVersion   string       `json:"schema_version"`
	InputHash       string       `json:"input_hash"`
	Sources         []FileEntry  `json:"sources"`
	Tables          []TableEntry `json:"tables"`
	Files           []FileEntry  `json:"files"`
}

// InputHash identifies everything a release is built from: the source files, the pipeline
// version and the schema version. Equal hashes mean an identical release.
func InputHash(files []source.File, pipelineVersion, schemaVersion string) string {
	h := sha256.New()
	fmt.Fprintf(h, "pipeline %s\nschema %s\n", pipelineVersion, schemaVersion)
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b source.File) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range sorted {
		fmt.Fprintf(h, "%s %s\n", f.SHA256, f.Path)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ID is the release id: the release date and the first 12 hex digits of the input hash, so
// ids sort by date and name their content.
func ID(date time.Time, inputHash string) string {
	return date.UTC().Format("2006-01-02") + "-" + inputHash[:12]
}

// hashFiles lists every regular file under dir except the manifest, with sizes and hashes.
func hashFiles(dir string) ([]FileEntry, error) {
	var out []FileEntry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile {
			return nil
		}
		e, err := hashFile(p)
		if err != nil {
			return err
		}
		e.Path = rel
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash release files in %s: %w", dir, err)
	}
	slices.SortFunc(out, func(a, b FileEntry) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

func hashFile(p string) (FileEntry, error) {
	f, err := os.Open(p)
	if err != nil {
		return FileEntry{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileEntry{}, fmt.Errorf("read %s: %w", p, err)
	}
	return FileEntry{Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// ReadManifest reads the manifest of the release in dir.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return &m, nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	b = append(b, '\n')
	return atomic.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

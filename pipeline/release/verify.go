package release

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/write"
	"github.com/plandata/plandata/schemas"
)

// Verify re-checks the release in dir against its manifest: every file's size and sha256,
// no file missing or added, and every table's row count and digest as read back from each
// format. It returns one line per problem; none means the release verifies.
func Verify(dir string, s *schemas.Set, formats []write.Format) ([]string, error) {
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		dir = resolved // `latest` is a link; walk the folder it names
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	var problems []string
	files, err := hashFiles(dir)
	if err != nil {
		return nil, err
	}
	have := map[string]FileEntry{}
	for _, f := range files {
		have[f.Path] = f
	}
	for _, want := range m.Files {
		got, ok := have[want.Path]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: missing", want.Path))
		case got.Bytes != want.Bytes || got.SHA256 != want.SHA256:
			problems = append(problems, fmt.Sprintf("%s: sha256 %s (%d bytes), manifest says %s (%d bytes)", want.Path, got.SHA256, got.Bytes, want.SHA256, want.Bytes))
		}
		delete(have, want.Path)
	}
	for _, f := range files {
		if _, extra := have[f.Path]; extra {
			problems = append(problems, fmt.Sprintf("%s: not in the manifest", f.Path))
		}
	}
	info := table.Info{Dataset: m.Dataset, ReleaseID: m.ReleaseID}
	for _, f := range formats {
		for _, te := range m.Tables {
			ts := s.Table(te.Name)
			if ts == nil {
				problems = append(problems, fmt.Sprintf("%s: table %s missing", f.Name(), te.Name))
				continue
			}
			// One table at a time; the check's temporary files go to the system's temporary
			// folder, not into the release.
			rows, d, found, err := digestBack(dir, os.TempDir(), f, s, ts, info)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: cannot be read: %v", f.Name(), err))
				break
			}
			if !found {
				problems = append(problems, fmt.Sprintf("%s: table %s missing", f.Name(), te.Name))
				continue
			}
			if rows != te.Rows {
				problems = append(problems, fmt.Sprintf("%s: table %s has %d rows, manifest says %d", f.Name(), te.Name, rows, te.Rows))
			} else if d != te.Digest {
				problems = append(problems, fmt.Sprintf("%s: table %s rows differ from the manifest digest", f.Name(), te.Name))
			}
		}
	}
	slices.Sort(problems)
	return problems, nil
}

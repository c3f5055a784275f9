package linkcheck

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FileName is where the results are kept, beside sources.yaml.
const FileName = "source-checks.yaml"

const header = `# Written by "plandata check-sources"; do not edit by hand, run the command again.
# One entry per cited URL: what the last check found. A failed check never removes a fact.
# status, final_url, error, sha256 and bytes are null when there is nothing to record:
# error is null when the check completed (whatever the status), sha256 and bytes are
# null unless it did.
`

// check is one entry of the file. The field order is the key order written.
type check struct {
	SourceID  string  `yaml:"source_id"`
	URL       string  `yaml:"url"`
	FinalURL  *string `yaml:"final_url"`
	Status    *int    `yaml:"status"`
	Error     *string `yaml:"error"`
	SHA256    *string `yaml:"sha256"`
	Bytes     *int64  `yaml:"bytes"`
	CheckedAt string  `yaml:"checked_at"`
}

type file struct {
	Checks []check `yaml:"checks"`
}

// Write writes results as the YAML of source-checks.yaml: a comment, then a top-level
// "checks" list sorted by source_id (then url), with checked_at in RFC 3339, UTC, to the
// second. results is not modified.
func Write(w io.Writer, results []Result) error {
	sorted := slices.Clone(results)
	slices.SortStableFunc(sorted, func(a, b Result) int {
		return cmp.Or(strings.Compare(a.SourceID, b.SourceID), strings.Compare(a.URL, b.URL))
	})
	f := file{Checks: make([]check, 0, len(sorted))}
	for _, r := range sorted {
		c := check{
			SourceID:  r.SourceID,
			URL:       r.URL,
			FinalURL:  nonZero(r.FinalURL),
			Status:    nonZero(r.Status),
			Error:     nonZero(r.Error),
			CheckedAt: r.CheckedAt.UTC().Truncate(time.Second).Format(time.RFC3339),
		}
		if r.Error == "" && r.SHA256 != "" {
			c.SHA256 = &r.SHA256
			c.Bytes = &r.Bytes
		}
		f.Checks = append(f.Checks, c)
	}
	if _, err := io.WriteString(w, header); err != nil {
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	return nil
}

func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

package release_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/release"
)

// TestPrune keeps the newest releases by publication time, never removes the release that
// latest names, and leaves staging folders to CleanTemp.
func TestPrune(t *testing.T) {
	tests := []struct {
		name        string
		keep        int
		latest      string
		wantRemoved []string
		wantLeft    []string
	}{
		{"keep two, latest newest", 2, "r5", []string{"r1", "r2", "r3"}, []string{"r4", "r5"}},
		{"keep two, latest oldest", 2, "r1", []string{"r2", "r3", "r4"}, []string{"r1", "r5"}},
		{"keep more than there are", 10, "r5", nil, []string{"r1", "r2", "r3", "r4", "r5"}},
		{"keep zero still keeps latest", 0, "r3", []string{"r1", "r2", "r4", "r5"}, []string{"r3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			releases := filepath.Join(out, release.ReleasesDir)
			base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			// Names sort in the opposite order to their times, so that only times can decide.
			names := map[string]string{"r1": "e", "r2": "d", "r3": "c", "r4": "b", "r5": "a"}
			for i, r := range []string{"r1", "r2", "r3", "r4", "r5"} {
				dir := filepath.Join(releases, names[r])
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				when := base.Add(time.Duration(i) * time.Hour)
				os.Chtimes(dir, when, when)
			}
			os.MkdirAll(filepath.Join(releases, ".tmp-staging"), 0o755)
			if err := os.Symlink(filepath.Join(release.ReleasesDir, names[tt.latest]), filepath.Join(out, release.LatestLink)); err != nil {
				t.Fatal(err)
			}
			removed, err := release.Prune(out, tt.keep)
			if err != nil {
				t.Fatal(err)
			}
			var wantRemoved []string
			for _, r := range tt.wantRemoved {
				wantRemoved = append(wantRemoved, names[r])
			}
			if diff := cmp.Diff(wantRemoved, removed); diff != "" {
				t.Errorf("removed (-want +got)\n%s", diff)
			}
			entries, _ := os.ReadDir(releases)
			var left []string
			for _, e := range entries {
				left = append(left, e.Name())
			}
			want := []string{".tmp-staging"}
			for _, r := range tt.wantLeft {
				want = append(want, names[r])
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, left); diff != "" {
				t.Errorf("left (-want +got)\n%s", diff)
			}
		})
	}
}

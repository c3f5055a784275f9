package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCheckSources points every cited URL of a copy of the sources at a local server, runs
// check-sources, and builds: the release records what each page answered, and a page that is
// gone removes no fact.
func TestCheckSources(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/s01") {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("page " + r.URL.Path))
	}))
	defer srv.Close()

	src := copySources(t)
	p := filepath.Join(src, "sources.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Every source entry is "- id: X" followed by "url: ..."; point the url at the server.
	re := regexp.MustCompile(`(?m)^(\s*- id: ("?)([a-z0-9-]+)("?)\n\s*url: ).*$`)
	local := re.ReplaceAllString(string(b), "${1}\""+srv.URL+"/${3}\"")
	if n := strings.Count(local, srv.URL); n < 100 {
		t.Fatalf("only %d URLs were rewritten; the pattern no longer matches sources.yaml", n)
	}
	os.WriteFile(p, []byte(local), 0o644)

	r := invoke(t, nil, "check-sources", "--sources", src, "--retries", "0")
	if r.code != exitOK {
		t.Fatalf("check-sources exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "unavailable: s01 "+srv.URL+"/s01: HTTP 404") {
		t.Errorf("check-sources did not report the missing page:\n%s", r.stderr)
	}
	checks, err := os.ReadFile(filepath.Join(src, "source-checks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(checks), "source_id: s01\n") || !strings.Contains(string(checks), "status: 404") {
		t.Errorf("source-checks.yaml lacks the 404 of s01:\n%.600s", checks)
	}

	out := t.TempDir()
	if r := invoke(t, epoch, "build", "--sources", src, "--out", out); r.code != exitOK {
		t.Fatalf("build exit %d: %s", r.code, r.stderr)
	}
	csv, _ := os.ReadFile(filepath.Join(out, "latest", "csv", "source_checks.csv"))
	if !regexp.MustCompile(`(?m)^s01,[^\n]*,404,[^\n]*,no$`).Match(csv) {
		t.Errorf("source_checks.csv does not record s01 as unavailable:\n%.800s", csv)
	}
	if !regexp.MustCompile(`(?m)^s02,[^\n]*,200,[^\n]*,yes$`).Match(csv) {
		t.Errorf("source_checks.csv does not record s02 as available:\n%.800s", csv)
	}
	evidence, _ := os.ReadFile(filepath.Join(out, "latest", "csv", "evidence.csv"))
	if !strings.Contains(string(evidence), ",s01,") {
		t.Errorf("facts citing the vanished s01 were dropped from evidence")
	}
}

package linkcheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Every server in these tests is an httptest server on 127.0.0.1; no other address is used.

// now is the injected clock; results must carry it in UTC.
var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.FixedZone("CST", 8*60*60))

var nowUTC = time.Date(2026, 5, 1, 4, 0, 0, 0, time.UTC)

// Known bodies and their sha256, computed outside Go (printf ... | sha256sum).
const (
	helloBody     = "hello, plandata\n"
	helloSHA      = "970f6086f0a88058948e92f2d74aa8ff246e5b9752c04b07782b75b97e85768e"
	notFoundBody  = "404 page not found\n" // what http.NotFound writes
	notFoundSHA   = "b16e15764b8bc06c5c3f9f19bc8b99fa48e7894aa5a6ccdad65da49bbf564793"
	downBody      = "down\n" // what http.Error(w, "down", ...) writes
	downSHA       = "f7332c41f0b3aecf3dbd6c196184a56b8c14ed465993f29b36de911aa2275455"
	exactBodySHA  = "49abd65bbf7f7e40c7055093ed2e3fd75f2f602f2c5fcf955c213e3135eb03f7" // 1024 × "x"
	testMaxBody   = 1024
	testTimeout   = 200 * time.Millisecond
	stallTimeout  = time.Second
	testBackoff   = time.Second // never really waited: Sleep is injected
	testRedirects = 3
)

// recorder is an injected Sleep that only records.
type recorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (r *recorder) sleep(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sleeps = append(r.sleeps, d)
}

func (r *recorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sleeps
}

func testConfig(rec *recorder) Config {
	return Config{
		Timeout:      2 * time.Second,
		Retries:      2,
		Backoff:      testBackoff,
		MaxRedirects: testRedirects,
		MaxBody:      testMaxBody,
		Concurrency:  4,
		Now:          func() time.Time { return now },
		Sleep:        rec.sleep,
	}
}

// server starts a test server on 127.0.0.1 with the handler h makes, and counts the
// requests it receives. The release channel given to h is closed when the test ends, before
// the server is closed, so that handlers waiting on it return.
func server(t *testing.T, h func(release <-chan struct{}) http.Handler) (base string, hits *atomic.Int64) {
	t.Helper()
	release := make(chan struct{})
	handler := h(release)
	hits = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: cleanups run last-in, first-out
	return srv.URL, hits
}

// closedURL is an http URL on 127.0.0.1 where nothing listens any more.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr + "/gone"
}

func hello(w http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.Header.Get("User-Agent"), "plandata") {
		http.Error(w, "no plandata user agent", http.StatusBadRequest)
		return
	}
	fmt.Fprint(w, helloBody)
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		// handler serves the case; it may wait on release. nil means no server: the URL
		// is rawURL, or a closed port on 127.0.0.1 when rawURL is empty.
		handler     func(release <-chan struct{}) http.Handler
		path        string
		rawURL      string
		cfg         func(*Config)
		want        func(base string) Result // CheckedAt is filled in
		errContains string                   // when set, Error is checked by substring instead
		wantSleeps  []time.Duration
		wantHits    int64 // requests the server saw; checked when a server runs
		// timed marks a case that waits for a timeout: on a loaded machine a request may
		// time out before the handler runs, so wantHits is only an upper bound.
		timed bool
	}{
		{
			name:    "200 with a known body",
			handler: func(<-chan struct{}) http.Handler { return http.HandlerFunc(hello) },
			path:    "/doc",
			want: func(base string) Result {
				return Result{FinalURL: base + "/doc", Status: 200, SHA256: helloSHA, Bytes: int64(len(helloBody)), Attempts: 1}
			},
			wantHits: 1,
		},
		{
			name:    "404 is recorded and not retried",
			handler: func(<-chan struct{}) http.Handler { return http.NotFoundHandler() },
			path:    "/missing",
			want: func(base string) Result {
				return Result{FinalURL: base + "/missing", Status: 404, SHA256: notFoundSHA, Bytes: int64(len(notFoundBody)), Attempts: 1}
			},
			wantHits: 1,
		},
		{
			name: "500 then 200 succeeds on the retry",
			handler: func(<-chan struct{}) http.Handler {
				var n atomic.Int64
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) == 1 {
						http.Error(w, "oops", http.StatusInternalServerError)
						return
					}
					hello(w, r)
				})
			},
			path: "/flaky",
			want: func(base string) Result {
				return Result{FinalURL: base + "/flaky", Status: 200, SHA256: helloSHA, Bytes: int64(len(helloBody)), Attempts: 2}
			},
			wantSleeps: []time.Duration{time.Second},
			wantHits:   2,
		},
		{
			name: "429 then 200 succeeds on the retry",
			handler: func(<-chan struct{}) http.Handler {
				var n atomic.Int64
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) == 1 {
						http.Error(w, "slow down", http.StatusTooManyRequests)
						return
					}
					hello(w, r)
				})
			},
			path: "/busy",
			want: func(base string) Result {
				return Result{FinalURL: base + "/busy", Status: 200, SHA256: helloSHA, Bytes: int64(len(helloBody)), Attempts: 2}
			},
			wantSleeps: []time.Duration{time.Second},
			wantHits:   2,
		},
		{
			name: "always 503 gives up after Retries+1 attempts with exponential backoff",
			handler: func(<-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "down", http.StatusServiceUnavailable)
				})
			},
			path: "/down",
			cfg:  func(c *Config) { c.Retries = 3 },
			want: func(base string) Result {
				return Result{FinalURL: base + "/down", Status: 503, SHA256: downSHA, Bytes: int64(len(downBody)), Attempts: 4}
			},
			wantSleeps: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			wantHits:   4,
		},
		{
			name: "negative Retries means one attempt",
			handler: func(<-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "down", http.StatusServiceUnavailable)
				})
			},
			path: "/down",
			cfg:  func(c *Config) { c.Retries = -1 },
			want: func(base string) Result {
				return Result{FinalURL: base + "/down", Status: 503, SHA256: downSHA, Bytes: int64(len(downBody)), Attempts: 1}
			},
			wantHits: 1,
		},
		{
			name: "redirect to a second path",
			handler: func(<-chan struct{}) http.Handler {
				mux := http.NewServeMux()
				mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "/new", http.StatusMovedPermanently)
				})
				mux.HandleFunc("/new", hello)
				return mux
			},
			path: "/old",
			want: func(base string) Result {
				return Result{FinalURL: base + "/new", Status: 200, SHA256: helloSHA, Bytes: int64(len(helloBody)), Attempts: 1}
			},
			wantHits: 2,
		},
		{
			name: "redirect loop stops after MaxRedirects and is not retried",
			handler: func(<-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "/loop", http.StatusFound)
				})
			},
			path: "/loop",
			want: func(base string) Result {
				return Result{FinalURL: base + "/loop", Status: 302, Error: "redirect loop or too many redirects", Attempts: 1}
			},
			wantHits: testRedirects + 1,
		},
		{
			name: "no response within the timeout",
			handler: func(release <-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-release:
					case <-r.Context().Done():
					}
				})
			},
			path: "/slow",
			cfg:  func(c *Config) { c.Timeout = testTimeout; c.Retries = 1 },
			want: func(base string) Result {
				return Result{Attempts: 2}
			},
			errContains: "timeout: no complete response within 200ms",
			wantSleeps:  []time.Duration{time.Second},
			wantHits:    2,
			timed:       true,
		},
		{
			name: "body stalls past the timeout",
			handler: func(release <-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(http.StatusOK)
					fmt.Fprint(w, "partial")
					w.(http.Flusher).Flush()
					select {
					case <-release:
					case <-r.Context().Done():
					}
				})
			},
			path: "/stall",
			// Longer than testTimeout so that the headers surely arrive in time even on a
			// loaded machine: the point is a timeout while reading the body.
			cfg: func(c *Config) { c.Timeout = stallTimeout; c.Retries = -1 },
			want: func(base string) Result {
				return Result{FinalURL: base + "/stall", Status: 200, Attempts: 1}
			},
			errContains: "timeout: no complete response within 1s",
			wantHits:    1,
		},
		{
			name: "body of exactly MaxBody bytes is hashed",
			handler: func(<-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprint(w, strings.Repeat("x", testMaxBody))
				})
			},
			path: "/exact",
			want: func(base string) Result {
				return Result{FinalURL: base + "/exact", Status: 200, SHA256: exactBodySHA, Bytes: testMaxBody, Attempts: 1}
			},
			wantHits: 1,
		},
		{
			name: "oversized body with Content-Length",
			handler: func(<-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprint(w, strings.Repeat("x", testMaxBody+1))
				})
			},
			path: "/big",
			want: func(base string) Result {
				return Result{FinalURL: base + "/big", Status: 200, Error: "body larger than 1024 bytes", Attempts: 1}
			},
			wantHits: 1,
		},
		{
			name: "oversized body without Content-Length",
			handler: func(<-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.(http.Flusher).Flush() // chunked: the length is not known up front
					for range 4 {
						fmt.Fprint(w, strings.Repeat("x", testMaxBody))
					}
				})
			},
			path: "/big-chunked",
			want: func(base string) Result {
				return Result{FinalURL: base + "/big-chunked", Status: 200, Error: "body larger than 1024 bytes", Attempts: 1}
			},
			wantHits: 1,
		},
		{
			name:        "connection refused is retried, then recorded",
			want:        func(string) Result { return Result{Attempts: 3} },
			errContains: "connection refused",
			wantSleeps:  []time.Duration{time.Second, 2 * time.Second},
		},
		{
			name:   "unsupported scheme is not fetched",
			rawURL: "ftp://127.0.0.1/plan.pdf",
			want: func(string) Result {
				return Result{Error: `unsupported URL scheme "ftp"`, Attempts: 1}
			},
		},
		{
			name:   "malformed URL is not fetched",
			rawURL: "http://127.0.0.1:port/",
			want: func(string) Result {
				return Result{Attempts: 1}
			},
			errContains: "invalid URL: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url, base string
			var hits *atomic.Int64
			switch {
			case tt.rawURL != "":
				url = tt.rawURL
			case tt.handler == nil:
				url = closedURL(t)
			default:
				base, hits = server(t, tt.handler)
				url = base + tt.path
			}
			rec := &recorder{}
			cfg := testConfig(rec)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}

			got := Check(context.Background(), []Target{{SourceID: "s01", URL: url}}, cfg)

			if len(got) != 1 {
				t.Fatalf("Check returned %d results, want 1", len(got))
			}
			want := tt.want(base)
			want.SourceID, want.URL, want.CheckedAt = "s01", url, nowUTC
			if tt.errContains != "" {
				if !strings.Contains(got[0].Error, tt.errContains) {
					t.Errorf("Error = %q, want it to contain %q", got[0].Error, tt.errContains)
				}
				want.Error = got[0].Error
			}
			if diff := cmp.Diff(want, got[0]); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if loc := got[0].CheckedAt.Location(); loc != time.UTC {
				t.Errorf("CheckedAt is in %v, want UTC", loc)
			}
			if diff := cmp.Diff(tt.wantSleeps, rec.got()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if hits != nil && (hits.Load() > tt.wantHits || !tt.timed && hits.Load() != tt.wantHits) {
				t.Errorf("server saw %d requests, want %d", hits.Load(), tt.wantHits)
			}
		})
	}
}

func TestCheckCancel(t *testing.T) {
	t.Run("cancelled before the check", func(t *testing.T) {
		base, hits := server(t, func(<-chan struct{}) http.Handler { return http.HandlerFunc(hello) })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := &recorder{}
		targets := []Target{{"s01", base + "/a"}, {"s02", base + "/b"}}

		got := Check(ctx, targets, testConfig(rec))

		want := []Result{
			{SourceID: "s01", URL: base + "/a", Error: "context canceled", CheckedAt: nowUTC},
			{SourceID: "s02", URL: base + "/b", Error: "context canceled", CheckedAt: nowUTC},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
		if hits.Load() != 0 {
			t.Errorf("server saw %d requests, want 0", hits.Load())
		}
	})

	t.Run("cancelled during a request", func(t *testing.T) {
		arrived := make(chan struct{})
		base, hits := server(t, func(release <-chan struct{}) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(arrived)
				select {
				case <-release:
				case <-r.Context().Done():
				}
			})
		})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-arrived
			cancel()
		}()
		rec := &recorder{}

		got := Check(ctx, []Target{{"s01", base + "/slow"}}, testConfig(rec))

		want := []Result{{SourceID: "s01", URL: base + "/slow", Error: "context canceled", CheckedAt: nowUTC, Attempts: 1}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
		if len(rec.got()) != 0 || hits.Load() != 1 {
			t.Errorf("after cancel: %d sleeps and %d requests, want 0 and 1", len(rec.got()), hits.Load())
		}
	})

	t.Run("cancelled during the backoff", func(t *testing.T) {
		base, hits := server(t, func(<-chan struct{}) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "down", http.StatusServiceUnavailable)
			})
		})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &recorder{}
		cfg := testConfig(rec)
		cfg.Sleep = func(d time.Duration) {
			rec.sleep(d)
			cancel()
		}

		got := Check(ctx, []Target{{"s01", base + "/down"}}, cfg)

		// The last response is kept, but the check did not complete: no hash.
		want := []Result{{SourceID: "s01", URL: base + "/down", FinalURL: base + "/down", Status: 503, Error: "context canceled", CheckedAt: nowUTC, Attempts: 1}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]time.Duration{time.Second}, rec.got()); diff != "" {
			t.Errorf("sleeps (-want +got):\n%s", diff)
		}
		if hits.Load() != 1 {
			t.Errorf("server saw %d requests, want 1", hits.Load())
		}
	})
}

// TestCheckOrder makes the first URL finish last and checks that results still come back
// in the order of the targets, and that no more than Concurrency requests run at a time.
func TestCheckOrder(t *testing.T) {
	const n = 12
	for _, concurrency := range []int{1, 4, 32} {
		t.Run(fmt.Sprintf("concurrency %d", concurrency), func(t *testing.T) {
			lastDone := make(chan struct{})
			var inFlight, maxInFlight atomic.Int64
			base, _ := server(t, func(release <-chan struct{}) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					cur := inFlight.Add(1)
					defer inFlight.Add(-1)
					for {
						m := maxInFlight.Load()
						if cur <= m || maxInFlight.CompareAndSwap(m, cur) {
							break
						}
					}
					i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/page/"))
					if err != nil {
						http.NotFound(w, r)
						return
					}
					// With more than one worker, page 0 waits until the last page is served.
					if i == 0 && concurrency > 1 {
						select {
						case <-lastDone:
						case <-release:
						case <-r.Context().Done():
						}
					}
					fmt.Fprint(w, i)
					if i == n-1 {
						close(lastDone)
					}
				})
			})
			targets := make([]Target, n)
			want := make([]Result, n)
			for i := range n {
				url := fmt.Sprintf("%s/page/%d", base, i)
				body := strconv.Itoa(i)
				sum := sha256.Sum256([]byte(body))
				targets[i] = Target{SourceID: fmt.Sprintf("s%02d", i), URL: url}
				want[i] = Result{
					SourceID: targets[i].SourceID, URL: url, FinalURL: url, Status: 200,
					SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(body)), CheckedAt: nowUTC, Attempts: 1,
				}
			}
			rec := &recorder{}
			cfg := testConfig(rec)
			cfg.Concurrency = concurrency

			got := Check(context.Background(), targets, cfg)

			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if m := maxInFlight.Load(); m > int64(concurrency) {
				t.Errorf("%d requests ran at once, want at most %d", m, concurrency)
			}
		})
	}
}

func TestCheckEmpty(t *testing.T) {
	got := Check(context.Background(), nil, Config{})
	if len(got) != 0 {
		t.Errorf("Check(nil) = %v, want no results", got)
	}
}

// TestCheckClientNotChanged checks that a caller's client is used but not modified: the
// redirect limit applies to a copy.
func TestCheckClientNotChanged(t *testing.T) {
	base, hits := server(t, func(<-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/loop", http.StatusFound)
		})
	})
	client := &http.Client{}
	rec := &recorder{}
	cfg := testConfig(rec)
	cfg.Client = client
	cfg.MaxRedirects = -1 // follow none

	got := Check(context.Background(), []Target{{"s01", base + "/loop"}}, cfg)

	if got[0].Error != "redirect loop or too many redirects" || got[0].Status != 302 {
		t.Errorf("got status %d, error %q; want 302 and the redirect error", got[0].Status, got[0].Error)
	}
	if hits.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", hits.Load())
	}
	if client.CheckRedirect != nil {
		t.Error("Check set CheckRedirect on the caller's client")
	}
}

func TestDefaults(t *testing.T) {
	got := Config{}.withDefaults()
	got.Now, got.Sleep = nil, nil
	want := Config{Timeout: 20 * time.Second, Retries: 2, Backoff: time.Second, MaxRedirects: 10, MaxBody: 16 << 20, Concurrency: 4}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if !strings.Contains(UserAgent, "plandata") {
		t.Errorf("UserAgent %q does not name plandata", UserAgent)
	}
	var c checker
	c.cfg = Config{Backoff: 20 * time.Second}
	var waits []time.Duration
	for attempt := 1; attempt <= 5; attempt++ {
		waits = append(waits, c.backoff(attempt))
	}
	wantWaits := []time.Duration{20 * time.Second, 40 * time.Second, time.Minute, time.Minute, time.Minute}
	if diff := cmp.Diff(wantWaits, waits); diff != "" {
		t.Errorf("backoff (-want +got):\n%s", diff)
	}
}

func TestWrite(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 999, time.FixedZone("CST", 8*60*60))
	results := []Result{
		{SourceID: "y01", URL: "http://127.0.0.1/gone", Error: "dial tcp 127.0.0.1:80: connect: connection refused", CheckedAt: at, Attempts: 3},
		{SourceID: "s02", URL: "https://example.org/a?x=1&y=2", FinalURL: "https://example.org/b", Status: 200, SHA256: helloSHA, Bytes: 16, CheckedAt: at, Attempts: 1},
		{SourceID: "s00", URL: "https://example.org/missing", FinalURL: "https://example.org/missing", Status: 404, SHA256: notFoundSHA, Bytes: 19, CheckedAt: at, Attempts: 1},
		{SourceID: "s01", URL: "https://example.org/empty", FinalURL: "https://example.org/empty", Status: 200, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Bytes: 0, CheckedAt: at, Attempts: 1},
		{SourceID: "s03", URL: "https://example.org/big", FinalURL: "https://example.org/big", Status: 200, Error: "body larger than 16777216 bytes", CheckedAt: at, Attempts: 1},
	}
	input := append([]Result(nil), results...)

	var buf bytes.Buffer
	if err := Write(&buf, results); err != nil {
		t.Fatal(err)
	}

	want := header + `checks:
  - source_id: s00
    url: https://example.org/missing
    final_url: https://example.org/missing
    status: 404
    error: null
    sha256: b16e15764b8bc06c5c3f9f19bc8b99fa48e7894aa5a6ccdad65da49bbf564793
    bytes: 19
    checked_at: "2026-05-01T04:00:00Z"
  - source_id: s01
    url: https://example.org/empty
    final_url: https://example.org/empty
    status: 200
    error: null
    sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
    bytes: 0
    checked_at: "2026-05-01T04:00:00Z"
  - source_id: s02
    url: https://example.org/a?x=1&y=2
    final_url: https://example.org/b
    status: 200
    error: null
    sha256: 970f6086f0a88058948e92f2d74aa8ff246e5b9752c04b07782b75b97e85768e
    bytes: 16
    checked_at: "2026-05-01T04:00:00Z"
  - source_id: s03
    url: https://example.org/big
    final_url: https://example.org/big
    status: 200
    error: body larger than 16777216 bytes
    sha256: null
    bytes: null
    checked_at: "2026-05-01T04:00:00Z"
  - source_id: y01
    url: http://127.0.0.1/gone
    final_url: null
    status: null
    error: 'dial tcp 127.0.0.1:80: connect: connection refused'
    sha256: null
    bytes: null
    checked_at: "2026-05-01T04:00:00Z"
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("Write (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(input, results); diff != "" {
		t.Errorf("Write changed its input (-want +got):\n%s", diff)
	}
}

func TestWriteEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if want := header + "checks: []\n"; buf.String() != want {
		t.Errorf("Write(nil) = %q, want %q", buf.String(), want)
	}
}

type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteError(t *testing.T) {
	err := Write(failWriter{}, []Result{{SourceID: "s00", URL: "https://example.org/"}})
	if !errors.Is(err, errDiskFull) {
		t.Errorf("Write to a failing writer = %v, want an error wrapping %v", err, errDiskFull)
	}
}

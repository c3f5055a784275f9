// Package linkcheck fetches the URLs that the sources cite and records whether they still
// answer, what they answered and a hash of what they served, so that a page that vanishes
// shows up in the next release. It only observes: it never changes or deletes a fact, and it
// never prints.
//
// Check fetches; Write stores the results as sources/source-checks.yaml, which the loader
// reads like any other source file.
package linkcheck

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// UserAgent names plandata to the servers it checks.
const UserAgent = "plandata-linkcheck/1 (+https://github.com/plandata/plandata)"

// Defaults taken by the zero values of Config.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultRetries      = 2
	DefaultBackoff      = time.Second
	DefaultMaxRedirects = 10
	DefaultMaxBody      = 16 << 20
	DefaultConcurrency  = 4
)

// maxBackoff bounds the exponential growth of the wait between attempts.
const maxBackoff = time.Minute

// Config tunes Check. A zero field takes its default; Retries, Backoff and MaxRedirects
// take 0 when negative (no retry, no wait, no redirect followed).
type Config struct {
	// Client sends the requests; nil means a client of its own. Check uses a copy with its
	// own CheckRedirect, so the caller's client is not changed.
	Client *http.Client
	// Timeout bounds one attempt: connecting, the redirects and reading the body.
	Timeout time.Duration
	// Retries is how many times a network error, a timeout, 429 or 5xx is tried again.
	Retries int
	// Backoff is the wait before the first retry; it doubles for every further retry.
	Backoff time.Duration
	// MaxRedirects is how many redirects one attempt follows.
	MaxRedirects int
	// MaxBody is the largest body hashed, in bytes.
	MaxBody int64
	// Concurrency is how many URLs are checked at a time.
	Concurrency int
	// Now stamps every result; nil means time.Now. Pass it explicitly from cmd.
	Now func() time.Time
	// Sleep waits between attempts; nil means a wait that ends early when the context is
	// cancelled. Tests inject a recorder.
	Sleep func(time.Duration)
}

// Target is one URL to check and the source that cites it.
type Target struct {
	SourceID string
	URL      string
}

// Result is what the last attempt at a Target found.
//
// Error is empty when the check completed: a response arrived and its body was read in
// full. Status then says what the server answered (a 404 is a completed check with Status
// 404), and SHA256 and Bytes describe the body. Error is set when no complete response
// was had: a network error, a timeout, too many redirects, a body over the limit, a bad
// URL or a cancelled context. Status and FinalURL are kept when a response arrived before
// the failure; SHA256 and Bytes are set only when Error is empty.
type Result struct {
	SourceID  string
	URL       string
	FinalURL  string // the URL of the last response, after redirects
	Status    int    // HTTP status of the last response; 0 when none arrived
	Error     string
	SHA256    string // lower-case hex of the body
	Bytes     int64
	CheckedAt time.Time // UTC
	Attempts  int       // requests sent, redirects not counted; 0 when cancelled before the first
}

var errRedirects = errors.New("redirect loop or too many redirects")

// Check fetches every target and returns one result per target, in the order of targets.
// It never fails as a whole: what goes wrong with a URL is in its Result. When ctx is
// cancelled, the targets not yet done get the context's error.
func Check(ctx context.Context, targets []Target, cfg Config) []Result {
	cfg = cfg.withDefaults()
	client, done := cfg.client()
	defer done()
	c := &checker{cfg: cfg, client: client}

	results := make([]Result, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(cfg.Concurrency, len(targets)) {
		wg.Go(func() {
			for i := range next {
				results[i] = c.check(ctx, targets[i])
			}
		})
	}
	for i := range targets {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

func (cfg Config) withDefaults() Config {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	switch {
	case cfg.Backoff == 0:
		cfg.Backoff = DefaultBackoff
	case cfg.Backoff < 0:
		cfg.Backoff = 0
	}
	switch {
	case cfg.MaxRedirects == 0:
		cfg.MaxRedirects = DefaultMaxRedirects
	case cfg.MaxRedirects < 0:
		cfg.MaxRedirects = 0
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// client returns the client to use and a function that releases what it holds.
func (cfg Config) client() (*http.Client, func()) {
	var c http.Client
	release := func() {}
	if cfg.Client != nil {
		c = *cfg.Client
	} else {
		tr := &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
		c.Transport = tr
		release = tr.CloseIdleConnections
	}
	limit := cfg.MaxRedirects
	c.CheckRedirect = func(_ *http.Request, via []*http.Request) error {
		if len(via) > limit {
			return errRedirects
		}
		return nil
	}
	return &c, release
}

type checker struct {
	cfg    Config
	client *http.Client
}

func (c *checker) check(ctx context.Context, t Target) Result {
	r := Result{SourceID: t.SourceID, URL: t.URL}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			r.Error = err.Error()
			break
		}
		r.Attempts = attempt
		if retry := c.fetch(ctx, &r); !retry || attempt > c.cfg.Retries {
			break
		}
		if err := c.wait(ctx, c.backoff(attempt)); err != nil {
			// Cancelled while waiting: keep what the last response said, but the check
			// did not complete.
			r.Error, r.SHA256, r.Bytes = err.Error(), "", 0
			break
		}
	}
	r.CheckedAt = c.cfg.Now().UTC()
	return r
}

// backoff is the wait after the given attempt: Backoff, then twice as long each time.
func (c *checker) backoff(attempt int) time.Duration {
	d := c.cfg.Backoff
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, max(maxBackoff, c.cfg.Backoff))
}

func (c *checker) wait(ctx context.Context, d time.Duration) error {
	if c.cfg.Sleep != nil {
		c.cfg.Sleep(d)
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// fetch makes one attempt, overwrites what r records of the previous one, and says whether
// the outcome is worth another attempt.
func (c *checker) fetch(ctx context.Context, r *Result) (retry bool) {
	r.FinalURL, r.Status, r.Error, r.SHA256, r.Bytes = "", 0, "", "", 0

	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, r.URL, nil)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		r.Error = fmt.Sprintf("invalid URL: %v", err)
		return false
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		r.Error = fmt.Sprintf("unsupported URL scheme %q", req.URL.Scheme)
		return false
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "*/*")

	resp, err := c.client.Do(req)
	if resp != nil {
		// With a CheckRedirect error, Do returns the last response too, its body closed.
		r.Status = resp.StatusCode
		r.FinalURL = resp.Request.URL.String()
	}
	if err != nil {
		return c.failed(ctx, actx, r, err)
	}
	defer resp.Body.Close()
	retry = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500

	tooLarge := fmt.Sprintf("body larger than %d bytes", c.cfg.MaxBody)
	if resp.ContentLength > c.cfg.MaxBody {
		r.Error = tooLarge
		return retry
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	if err != nil {
		return c.failed(ctx, actx, r, fmt.Errorf("read body: %w", err))
	}
	if n > c.cfg.MaxBody {
		r.Error = tooLarge
		return retry
	}
	r.SHA256 = hex.EncodeToString(h.Sum(nil))
	r.Bytes = n
	return retry
}

// failed records an error from sending the request or reading the body and says whether
// it is worth another attempt.
func (c *checker) failed(ctx, attemptCtx context.Context, r *Result, err error) (retry bool) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var certErr *tls.CertificateVerificationError
	switch {
	case ctx.Err() != nil:
		r.Error = ctx.Err().Error()
		return false
	case errors.Is(err, errRedirects):
		r.Error = errRedirects.Error()
		return false
	case errors.Is(attemptCtx.Err(), context.DeadlineExceeded):
		r.Error = fmt.Sprintf("timeout: no complete response within %s", c.cfg.Timeout)
		return true
	case errors.As(err, &certErr):
		r.Error = err.Error()
		return false
	}
	r.Error = err.Error()
	return true
}

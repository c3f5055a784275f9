package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plandata/plandata/pipeline/atomic"
	"github.com/plandata/plandata/pipeline/release"
)

// The tests in this file run the real command as a child process, so that it can be killed,
// interrupted, or run twice at once. The test binary is the command: with childEnv set,
// TestMain runs main instead of the tests.

const childEnv = "PLANDATA_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0) // main exits; this is not reached
	}
	os.Exit(m.Run())
}

const childEpoch = "1649808000" // the same date as epoch: a child's release id is predictable

// child is a running `plandata` process.
type child struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer

	mu     sync.Mutex
	lines  []string      // stderr so far
	notify chan struct{} // a line arrived
	eof    chan struct{} // stderr closed: the process is gone
}

// start runs plandata with args; builds are started with --timings, so that a test can wait
// for a stage to end.
func start(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{notify: make(chan struct{}, 1), eof: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], args...)
	c.cmd.Env = append(os.Environ(), childEnv+"=1", "SOURCE_DATE_EPOCH="+childEpoch)
	c.cmd.Stdout = &c.stdout
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.eof)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			c.mu.Unlock()
			select {
			case c.notify <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
			c.wait()
		}
	})
	return c
}

func startBuild(t *testing.T, src, out string) *child {
	t.Helper()
	return start(t, "build", "--timings", "--sources", src, "--out", out)
}

// waitFor waits until the child prints a stderr line starting with prefix and reports whether
// it did; false means the process ended or timeout passed first.
func (c *child) waitFor(prefix string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		found := slices.ContainsFunc(c.lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
		c.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-c.notify:
		case <-c.eof:
			c.mu.Lock()
			found := slices.ContainsFunc(c.lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
			c.mu.Unlock()
			return found
		case <-deadline:
			return false
		}
	}
}

// wait waits for the process to end and returns its exit code (-1 when a signal ended it).
func (c *child) wait() int {
	<-c.eof // all of stderr is read before Wait closes the pipe
	c.cmd.Wait()
	return c.cmd.ProcessState.ExitCode()
}

// waitWithin is wait with a time limit; ok is false when the process was still running.
func (c *child) waitWithin(d time.Duration) (code int, ok bool) {
	select {
	case <-c.eof:
		return c.wait(), true
	case <-time.After(d):
		return 0, false
	}
}

func (c *child) stderr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

func (c *child) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("send %v: %v", sig, err)
	}
}

// editSources changes a comment in a plan file: the sources hash differently, so a build
// publishes a new release, and the tables stay the same.
func editSources(t *testing.T, src, note string) {
	t.Helper()
	p := filepath.Join(src, "plans", "iiswg-2024.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, "# "+note+"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goodOut builds a first release from a copy of the sources, in-process, and returns the
// sources folder, the output folder and the first release's id.
func goodOut(t *testing.T) (src, out, first string) {
	t.Helper()
	src = copySources(t)
	out = filepath.Join(t.TempDir(), "out")
	if r := invoke(t, epoch, "build", "--sources", src, "--out", out); r.code != exitOK {
		t.Fatalf("first build exit %d: %s", r.code, r.stderr)
	}
	return src, out, latestID(t, out)
}

func latestID(t *testing.T, out string) string {
	t.Helper()
	target, err := os.Readlink(filepath.Join(out, release.LatestLink))
	if err != nil {
		t.Fatalf("latest: %v", err)
	}
	return filepath.Base(target)
}

// leftovers lists every entry under out whose name starts with atomic.TempPrefix.
func leftovers(t *testing.T, out string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), atomic.TempPrefix) {
			rel, _ := filepath.Rel(out, p)
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	return found
}

// releaseIDs lists the release folders, without staging folders.
func releaseIDs(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(out, release.ReleasesDir))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), atomic.TempPrefix) {
			ids = append(ids, e.Name())
		}
	}
	return ids
}

// checkLatest runs the verify command on `latest` and checks that it names a release folder.
func checkLatest(t *testing.T, out string) {
	t.Helper()
	latest := filepath.Join(out, release.LatestLink)
	if fi, err := os.Stat(latest); err != nil || !fi.IsDir() {
		t.Fatalf("latest does not name a folder: %v", err)
	}
	if r := invoke(t, nil, "verify", latest); r.code != exitOK {
		t.Errorf("verify latest (-> %s): exit %d\n%s", latestID(t, out), r.code, r.stderr)
	}
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestKilledBuild kills a build with SIGKILL at several points, from before it has read the
// sources to the moment it publishes. Each time `latest` must still name a complete release
// that verifies. A normal build afterwards removes what the killed ones left and publishes.
//
// The kill points follow the stage lines that --timings prints, not fixed delays, so that
// they land in the same part of the build on a fast or a slow machine.
func TestKilledBuild(t *testing.T) {
	src, out, first := goodOut(t)
	editSources(t, src, "edited: a new release")

	type point struct {
		after string // kill when this stage has ended; "" kills at once
		mid   bool   // the build is in its staging folder then, so something must be left
		late  bool   // the build may finish before the kill lands
	}
	for _, p := range []point{
		{after: ""},
		{after: "stage write.parquet", mid: true},
		{after: "stage write.duckdb", mid: true},
		{after: "stage check", late: true},
		{after: "stage manifest", late: true},
	} {
		c := startBuild(t, src, out)
		if p.after != "" && !c.waitFor(p.after, 60*time.Second) {
			code := c.wait()
			if !p.late {
				t.Fatalf("kill after %q: the build ended first, exit %d\n%s", p.after, code, c.stderr())
			}
			t.Logf("kill after %q: the build ended first, exit %d: %s", p.after, code, c.stdout.String())
			checkLatest(t, out)
			continue
		}
		c.signal(t, syscall.SIGKILL)
		code := c.wait()
		left := leftovers(t, out)
		t.Logf("killed after %q: exit %d, latest -> %s, left %q", p.after, code, latestID(t, out), left)
		if p.mid && len(left) == 0 {
			t.Errorf("killed after %q: no staging folder left, so the kill did not land mid-build", p.after)
		}
		checkLatest(t, out)
	}
	// What a late kill may have published counts as a release of these sources.
	editedIDs := slices.DeleteFunc(releaseIDs(t, out), func(id string) bool { return id == first })
	if len(editedIDs) > 1 {
		t.Errorf("releases of one input: %q", editedIDs)
	}

	// Another input, killed mid-build, so that there is surely something to clean up.
	editSources(t, src, "edited again: the release that is published")
	c := startBuild(t, src, out)
	if !c.waitFor("stage write.xlsx", 60*time.Second) {
		t.Fatalf("the build ended before it wrote the workbook: exit %d\n%s", c.wait(), c.stderr())
	}
	c.signal(t, syscall.SIGKILL)
	c.wait()
	if len(leftovers(t, out)) == 0 {
		t.Fatal("the killed build left nothing to clean up")
	}

	r := invoke(t, epoch, "build", "--sources", src, "--out", out)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "published: ") {
		t.Fatalf("build after the kills: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	final := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(r.stdout, "\n", 2)[0], "published: "))
	if left := leftovers(t, out); len(left) > 0 {
		t.Errorf("the build after the kills left %q", left)
	}
	if got := latestID(t, out); got != final {
		t.Errorf("latest -> %s, want %s", got, final)
	}
	checkLatest(t, out)
	if got, want := releaseIDs(t, out), sorted(append(editedIDs, first, final)...); !slices.Equal(got, want) {
		t.Errorf("releases %q, want %q", got, want)
	}
}

// TestInterruptedBuild sends SIGINT while the build writes its formats: it stops at the next
// stage, exits 130 and publishes nothing. A build can finish before the signal arrives; then
// the test tries again with another input, and skips when the build always wins.
func TestInterruptedBuild(t *testing.T) {
	src, out, _ := goodOut(t)
	for attempt := 1; attempt <= 3; attempt++ {
		editSources(t, src, fmt.Sprintf("attempt %d", attempt))
		before, releases := latestID(t, out), releaseIDs(t, out)
		c := startBuild(t, src, out)
		if !c.waitFor("stage write.parquet", 60*time.Second) {
			t.Fatalf("the build ended before it wrote Parquet: exit %d\n%s", c.wait(), c.stderr())
		}
		c.signal(t, os.Interrupt)
		code := c.wait()
		if code == exitOK {
			t.Logf("attempt %d: the build finished before the signal arrived: %s", attempt, c.stdout.String())
			continue
		}
		if code != exitInterrupted {
			t.Fatalf("exit %d, want %d\n%s", code, exitInterrupted, c.stderr())
		}
		if !strings.Contains(c.stderr(), "plandata: interrupted") {
			t.Errorf("stderr does not say it was interrupted:\n%s", c.stderr())
		}
		if c.stdout.Len() > 0 {
			t.Errorf("an interrupted build printed %q", c.stdout.String())
		}
		if got := latestID(t, out); got != before {
			t.Errorf("latest -> %s, was %s", got, before)
		}
		if got := releaseIDs(t, out); !slices.Equal(got, releases) {
			t.Errorf("releases %q, were %q", got, releases)
		}
		if left := leftovers(t, out); len(left) > 0 {
			t.Errorf("the interrupted build left %q", left)
		}
		checkLatest(t, out)
		return
	}
	t.Skip("the build finished before SIGINT arrived three times; nothing was interrupted")
}

// TestInterruptedWhileWaitingForLock: a build that waits for another build's lock stops at
// once on SIGTERM (what systemd sends), instead of waiting for the lock.
func TestInterruptedWhileWaitingForLock(t *testing.T) {
	src, out, first := goodOut(t)
	editSources(t, src, "waits for the lock")
	unlock, err := release.Lock(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	c := startBuild(t, src, out)
	if !c.waitFor("waiting for another build", 60*time.Second) {
		t.Fatalf("the build did not wait for the lock: exit %d\n%s", c.wait(), c.stderr())
	}
	c.signal(t, syscall.SIGTERM)
	code, ok := c.waitWithin(5 * time.Second)
	if !ok {
		unlock()
		code = c.wait()
		t.Errorf("the build ignored SIGTERM while it waited for the lock; it exited %d once the lock was free", code)
	}
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d\n%s", code, exitInterrupted, c.stderr())
	}
	if got := latestID(t, out); got != first {
		t.Errorf("latest -> %s, was %s", got, first)
	}
	if left := leftovers(t, out); len(left) > 0 {
		t.Errorf("the interrupted build left %q", left)
	}
}

// publishedOrUnchanged returns the verb and release id a successful build printed first.
func publishedOrUnchanged(t *testing.T, c *child) (verb, id string) {
	t.Helper()
	line, _, _ := strings.Cut(c.stdout.String(), "\n")
	verb, id, ok := strings.Cut(line, ": ")
	if !ok || verb != "published" && verb != "unchanged" {
		t.Fatalf("build printed %q, want published: or unchanged:", c.stdout.String())
	}
	return verb, id
}

// TestConcurrentBuilds runs builds into one output folder at the same time. Two builds of the
// same input: the second waits for the lock and then finds the release already there. Then
// two builds of different inputs: both publish. Every input has exactly one release.
func TestConcurrentBuilds(t *testing.T) {
	src, out, first := goodOut(t)
	editSources(t, src, "built twice at once")

	a := startBuild(t, src, out)
	if !a.waitFor("stage write.parquet", 60*time.Second) { // a holds the lock
		t.Fatalf("the first build ended early: exit %d\n%s", a.wait(), a.stderr())
	}
	b := startBuild(t, src, out)
	codeA, codeB := a.wait(), b.wait()
	if codeA != exitOK || codeB != exitOK {
		t.Fatalf("exit %d and %d, want 0 and 0\n%s\n%s", codeA, codeB, a.stderr(), b.stderr())
	}
	if !strings.Contains(b.stderr(), "waiting for another build") {
		t.Errorf("the second build did not wait for the lock:\n%s", b.stderr())
	}
	verbA, idA := publishedOrUnchanged(t, a)
	verbB, idB := publishedOrUnchanged(t, b)
	if verbA != "published" || verbB != "unchanged" || idA != idB {
		t.Errorf("first build %s %s, second %s %s; want published, then unchanged, one id", verbA, idA, verbB, idB)
	}
	checkLatest(t, out)
	if got, want := releaseIDs(t, out), sorted(first, idA); !slices.Equal(got, want) {
		t.Errorf("releases %q, want %q", got, want)
	}

	// Two more inputs, started together.
	src2 := copySources(t)
	editSources(t, src, "input one of two")
	editSources(t, src2, "input two of two")
	c1, c2 := startBuild(t, src, out), startBuild(t, src2, out)
	code1, code2 := c1.wait(), c2.wait()
	if code1 != exitOK || code2 != exitOK {
		t.Fatalf("exit %d and %d, want 0 and 0\n%s\n%s", code1, code2, c1.stderr(), c2.stderr())
	}
	verb1, id1 := publishedOrUnchanged(t, c1)
	verb2, id2 := publishedOrUnchanged(t, c2)
	if verb1 != "published" || verb2 != "published" || id1 == id2 {
		t.Errorf("builds of two inputs: %s %s and %s %s; want two releases published", verb1, id1, verb2, id2)
	}
	if got := latestID(t, out); got != id1 && got != id2 {
		t.Errorf("latest -> %s, want %s or %s", got, id1, id2)
	}
	checkLatest(t, out)
	if got, want := releaseIDs(t, out), sorted(first, idA, id1, id2); !slices.Equal(got, want) {
		t.Errorf("releases %q, want %q", got, want)
	}
	if left := leftovers(t, out); len(left) > 0 {
		t.Errorf("concurrent builds left %q", left)
	}
}

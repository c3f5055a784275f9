package parse

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// addSeeds adds one seed per line of testdata/<file>. Blank lines and lines starting with
// "# " are skipped; a line in double quotes is a Go string literal, for seeds with tabs,
// newlines or invalid UTF-8.
func addSeeds(f *testing.F, file string) {
	f.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		f.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "", strings.HasPrefix(line, "# "):
			continue
		case strings.HasPrefix(line, `"`):
			s, err := strconv.Unquote(line)
			if err != nil {
				f.Fatalf("%s:%d: %v", file, i+1, err)
			}
			f.Add(s)
		default:
			f.Add(line)
		}
	}
}

func FuzzDeadline(f *testing.F) {
	addSeeds(f, "deadlines.txt")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Deadline(s)
		if err != nil {
			if !errors.Is(err, ErrDeadline) {
				t.Fatalf("Deadline(%q) error %v does not wrap ErrDeadline", s, err)
			}
			if prefix := fmt.Sprintf("deadline %q: ", s); !strings.HasPrefix(err.Error(), prefix) {
				t.Fatalf("Deadline(%q) error %q does not start with %q", s, err, prefix)
			}
			return
		}
		if d.HasDate != (d.Precision != precisionOngoing) {
			t.Fatalf("Deadline(%q) = %+v: HasDate must be false exactly when ongoing", s, d)
		}
		if !d.HasDate {
			if !d.Date.IsZero() {
				t.Fatalf("Deadline(%q) = %+v: ongoing with a date", s, d)
			}
		} else {
			checkPeriodEnd(t, s, d)
		}
		// Deadline reads through Name, so reading the normalised text gives the same.
		again, err := Deadline(Name(s))
		if err != nil {
			t.Fatalf("Deadline(%q) = %+v but Deadline(Name) fails: %v", s, d, err)
		}
		if diff := cmp.Diff(d, again); diff != "" {
			t.Fatalf("Deadline(%q) and Deadline(Name) differ (-first +second):\n%s", s, diff)
		}
	})
}

// checkPeriodEnd checks that a dated deadline is UTC midnight of the last day of a period
// of its precision.
func checkPeriodEnd(t *testing.T, s string, d Due) {
	t.Helper()
	date := d.Date
	if date.Location() != time.UTC || date.Hour()+date.Minute()+date.Second()+date.Nanosecond() != 0 {
		t.Fatalf("Deadline(%q) = %v, want UTC midnight", s, date)
	}
	if date.Year() < minYear || date.Year() > maxYear {
		t.Fatalf("Deadline(%q) = %v, year out of range", s, date)
	}
	lastOfMonth := date.AddDate(0, 0, 1).Day() == 1
	var ok bool
	switch d.Precision {
	case precisionDay:
		ok = true
	case precisionMonth:
		ok = lastOfMonth
	case precisionQuarter:
		ok = lastOfMonth && date.Month()%3 == 0
	case precisionHalf:
		ok = lastOfMonth && date.Month()%6 == 0
	case precisionYear:
		ok = date.Month() == 12 && date.Day() == 31
	default:
		t.Fatalf("Deadline(%q) precision %q is not valid", s, d.Precision)
	}
	if !ok {
		t.Fatalf("Deadline(%q) = %v is not the last day of a %s", s, date.Format(time.DateOnly), d.Precision)
	}
}

func FuzzTarget(f *testing.F) {
	addSeeds(f, "targets.txt")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Target(s)
		if err != nil {
			if !errors.Is(err, ErrTarget) {
				t.Fatalf("Target(%q) error %v does not wrap ErrTarget", s, err)
			}
			if prefix := fmt.Sprintf("target %q: ", s); !strings.HasPrefix(err.Error(), prefix) {
				t.Fatalf("Target(%q) error %q does not start with %q", s, err, prefix)
			}
			return
		}
		hasMin, hasMax := q.Min != nil, q.Max != nil
		switch q.Comparator {
		case cmpEqual, cmpAbout:
			if !hasMin || !hasMax || *q.Min != *q.Max {
				t.Fatalf("Target(%q) = %s: %q needs min == max", s, show(q), q.Comparator)
			}
		case cmpRange:
			if !hasMin || !hasMax {
				t.Fatalf("Target(%q) = %s: a range needs min and max", s, show(q))
			}
		case cmpAtLeast:
			if !hasMin || hasMax {
				t.Fatalf("Target(%q) = %s: >= needs min only", s, show(q))
			}
		case cmpAtMost:
			if hasMin || !hasMax {
				t.Fatalf("Target(%q) = %s: <= needs max only", s, show(q))
			}
		default:
			t.Fatalf("Target(%q) comparator %q is not valid", s, q.Comparator)
		}
		if hasMin && hasMax && *q.Min > *q.Max {
			t.Fatalf("Target(%q) = %s: min > max", s, show(q))
		}
		for _, v := range []*float64{q.Min, q.Max} {
			if v != nil && (*v < 0 || *v != *v || *v > 1e308) {
				t.Fatalf("Target(%q) = %s: value must be finite and not negative", s, show(q))
			}
		}
		if q.UnitZH != "" && q.UnitEN != UnitEN(q.UnitZH) {
			t.Fatalf("Target(%q) = %s: unit_en must be UnitEN(unit_zh)", s, show(q))
		}
		for _, u := range []string{q.UnitZH, q.UnitEN} {
			if u != strings.TrimSpace(u) || !utf8.ValidString(u) {
				t.Fatalf("Target(%q) = %s: unit %q is not trimmed valid UTF-8", s, show(q), u)
			}
		}
	})
}

func show(q Quantity) string {
	v := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return format(*p)
	}
	return fmt.Sprintf("{%s %s %s %q %q}", q.Comparator, v(q.Min), v(q.Max), q.UnitZH, q.UnitEN)
}

func FuzzAgencies(f *testing.F) {
	addSeeds(f, "agencies.txt")
	f.Fuzz(func(t *testing.T, s string) {
		resolve := func(name string) (string, bool) {
			if name == "" || name != strings.TrimSpace(name) {
				t.Fatalf("Agencies(%q) called resolve(%q): want a trimmed, non-empty name", s, name)
			}
			return fakeResolve(name)
		}
		agencies, err := Agencies(s, resolve)
		if err != nil {
			if !errors.Is(err, ErrAgencies) {
				t.Fatalf("Agencies(%q) error %v does not wrap ErrAgencies", s, err)
			}
			if prefix := fmt.Sprintf("responsible units %q: ", s); !strings.HasPrefix(err.Error(), prefix) {
				t.Fatalf("Agencies(%q) error %q does not start with %q", s, err, prefix)
			}
			return
		}
		if len(agencies) == 0 {
			t.Fatalf("Agencies(%q) returned no agencies and no error", s)
		}
		seen := map[string]bool{}
		for _, a := range agencies {
			if a.ID == "" || seen[a.ID] {
				t.Fatalf("Agencies(%q) = %+v: empty or repeated id %q", s, agencies, a.ID)
			}
			seen[a.ID] = true
			switch a.Role {
			case roleLead, roleJoint, roleUnspecified:
			default:
				t.Fatalf("Agencies(%q) = %+v: role %q is not valid", s, agencies, a.Role)
			}
			if a.AsWritten == "" || a.AsWritten != strings.TrimSpace(a.AsWritten) || !strings.Contains(s, a.AsWritten) {
				t.Fatalf("Agencies(%q) = %+v: as written %q is not a trimmed part of the input", s, agencies, a.AsWritten)
			}
		}
	})
}

func FuzzName(f *testing.F) {
	addSeeds(f, "names.txt")
	f.Fuzz(func(t *testing.T, s string) {
		n := Name(s)
		if again := Name(n); again != n {
			t.Fatalf("Name(%q) = %q, but Name of that is %q", s, n, again)
		}
		if !utf8.ValidString(n) {
			t.Fatalf("Name(%q) = %q is not valid UTF-8", s, n)
		}
		if n != strings.TrimSpace(n) || strings.Contains(n, "  ") {
			t.Fatalf("Name(%q) = %q is not trimmed and collapsed", s, n)
		}
		for _, r := range n {
			if 'A' <= r && r <= 'Z' || 0xFF01 <= r && r <= 0xFF5E {
				t.Fatalf("Name(%q) = %q keeps %q", s, n, r)
			}
		}
	})
}

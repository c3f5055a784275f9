// Package parse turns the values that curated sources keep as written into typed values:
// a 完成时限 into a deadline date and precision ([Deadline]), a target phrase into a value
// range, a comparator and units ([Target]), a 责任单位 text into agencies with roles
// ([Agencies]), and any name into the form used for lookups ([Name]).
//
// The functions are pure: no I/O and no state. Agency names are looked up through a function
// the caller passes in, so this package knows no agency. Every error wraps one sentinel per
// function ([ErrDeadline], [ErrTarget], [ErrAgencies]) and reads
//
//	deadline "2022年13月": month 13 is not between 1 and 12
//
// that is, what was parsed, the value as written, and what was not understood.
package parse

import "fmt"

// parseError is the error every function of the package returns: what was parsed, the
// value as written, and what was not understood. It unwraps to the function's sentinel.
type parseError struct {
	what  string // "deadline", "target", "responsible units"
	input string // the value as written
	msg   string
	kind  error // ErrDeadline, ErrTarget or ErrAgencies
}

func (e *parseError) Error() string { return fmt.Sprintf("%s %q: %s", e.what, e.input, e.msg) }

func (e *parseError) Unwrap() error { return e.kind }

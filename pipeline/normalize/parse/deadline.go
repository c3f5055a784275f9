package parse

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrDeadline is wrapped by every error that [Deadline] returns.
var ErrDeadline = errors.New("invalid deadline")

// Due is a 完成时限 resolved to the last day of the period it names. (It is not called
// Deadline because the function that returns it is.)
type Due struct {
	// Date is the last day of the period at UTC midnight: 2022-12-31 for 2022年底,
	// 2022-09-30 for 2022年第三季度. It is the zero time when HasDate is false.
	Date time.Time
	// HasDate is false only for ongoing work (持续推进, 长期), which has no date.
	HasDate bool
	// Precision is "day", "month", "quarter", "half", "year" or "ongoing".
	Precision string
}

// The values of Due.Precision.
const (
	precisionDay     = "day"
	precisionMonth   = "month"
	precisionQuarter = "quarter"
	precisionHalf    = "half"
	precisionYear    = "year"
	precisionOngoing = "ongoing"
)

// The years a deadline may name.
const (
	minYear = 1949
	maxYear = 2100
)

// Pieces of the deadline forms. Input reaches the patterns through [Name] (full-width
// folded, lower case, one space between words), and Chinese text has no spaces at all.
const (
	// zhBefore ends a Chinese date: 2022年底前.
	zhBefore = `(?:前|之前|以前)?`
	// zhBy starts a Chinese date: 到2022年底.
	zhBy = `(?:到|于|截至)?`
	// enBy starts an English date: by the end of 2022, end-2022, in December 2022.
	enBy = `(?:(?:by|in|within|no later than|before the end of) )?(?:the )?` +
		`(?:(?:end|close) of (?:the )?|end-|end |year-end )?`
	enMonth = `(?P<mon>january|february|march|april|may|june|july|august|september|october|` +
		`november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?`
	enOrdinal = `(?:st|nd|rd|th)?`
)

// deadlineForms are the accepted forms. Named groups carry the parts: y year, m month
// number, mon English month name, d day, q quarter (1-4 or 一-四), qw quarter as an English
// ordinal, h half (上/下 or 1/2), hw half as an English ordinal, on an ongoing marker.
var deadlineForms = compileForms(
	// Chinese
	zhBy+`(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]`+zhBefore, // 2022年12月31日
	zhBy+`(?P<y>\d{4})年(?P<m>\d{1,2})月份?(?:底|末)?`+zhBefore,         // 2022年12月底
	zhBy+`(?P<y>\d{4})年第?(?P<q>[一二三四1-4])季度(?:末|底)?`+zhBefore,      // 2022年第三季度
	zhBy+`(?P<y>\d{4})年?q(?P<q>[1-4])(?:末|底)?`+zhBefore,            // 2022年Q3
	zhBy+`(?P<y>\d{4})年(?P<h>上|下)半年(?:末|底)?`+zhBefore,              // 2022年上半年
	zhBy+`(?P<y>\d{4})年(?:年?(?:底|末)|内|度)?`+zhBefore,                // 2022年底前, 2022年
	`(?P<on>持续|持续推进|持续开展|持续实施|长期|长期推进|长期坚持|长期开展|常态化|常态化推进|`+
		`ongoing|on-going|long-term|long term|continuous|continuing)`,
	// numeric
	`(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})`, // 2022-12-31
	`(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})`,
	`(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})`,
	`(?P<y>\d{4})-(?P<m>\d{1,2})`, // 2022-12
	`(?P<y>\d{4})/(?P<m>\d{1,2})`,
	`(?P<y>\d{4})\.(?P<m>\d{1,2})`,
	// English, and the bare year
	enBy+`(?P<y>\d{4})(?: year-end)?`,                                                     // 2022, end of 2022
	enBy+enMonth+`,? (?P<y>\d{4})`,                                                        // December 2022
	enBy+enMonth+` (?P<d>\d{1,2})`+enOrdinal+`,? (?P<y>\d{4})`,                            // December 31, 2022
	enBy+`(?P<d>\d{1,2})`+enOrdinal+` (?:of )?`+enMonth+`,? (?P<y>\d{4})`,                 // 31 December 2022
	enBy+`q(?P<q>[1-4]) (?:of )?(?P<y>\d{4})`,                                             // Q3 2022
	enBy+`(?P<y>\d{4}) ?-?q(?P<q>[1-4])`,                                                  // 2022 Q3
	enBy+`(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)? (?P<y>\d{4})`, // third quarter of 2022
	enBy+`h(?P<h>[12]) (?P<y>\d{4})`,                                                      // H1 2022
	enBy+`(?P<y>\d{4}) ?-?h(?P<h>[12])`,                                                   // 2022 H1
	enBy+`(?P<hw>first|second|1st|2nd) half(?: of)? (?P<y>\d{4})`,                         // first half of 2022
)

// form is one accepted form: full matches a whole value, prefix finds how much of a value
// that is not accepted still reads as this form, to say where understanding stopped.
type form struct {
	full, prefix *regexp.Regexp
}

func compileForms(patterns ...string) []form {
	forms := make([]form, len(patterns))
	for i, p := range patterns {
		prefix := regexp.MustCompile(`^(?:` + p + `)`)
		prefix.Longest()
		forms[i] = form{full: regexp.MustCompile(`^(?:` + p + `)$`), prefix: prefix}
	}
	return forms
}

// Deadline reads a 完成时限 as written and returns the last day of the period it names.
//
// Accepted, with surrounding white space and full-width digits:
//
//	2022年12月31日, 2022-12-31, 31 December 2022, December 31, 2022   day
//	2022年12月底, 2022年6月, 2022-12, December 2022, by Dec 2022        month
//	2022年第三季度, 2022年三季度, 2022年Q3, Q3 2022, third quarter of 2022   quarter
//	2022年上半年 (June 30), 2022年下半年 (December 31), H1 2022         half
//	2022年底前, 2022年底, 2022年年底, 2022年末, 2022年, 2022, end of 2022   year
//	持续推进, 持续, 长期, 长期推进, 常态化, ongoing, long-term           ongoing (no date)
//
// A Chinese date may end in 前/之前/以前 and start with 到/于/截至; an English one may start
// with by, in, within, the, end of. Anything else, an impossible date or a year outside
// 1949..2100 is an error that wraps [ErrDeadline].
func Deadline(s string) (Due, error) {
	fail := func(msg string) (Due, error) {
		return Due{}, &parseError{what: "deadline", input: s, msg: msg, kind: ErrDeadline}
	}
	n := Name(s)
	if hasHan(n) {
		n = strings.Join(strings.Fields(n), "")
	}
	if n == "" {
		return fail("empty")
	}
	for _, f := range deadlineForms {
		if m := f.full.FindStringSubmatch(n); m != nil {
			d, msg := f.due(m)
			if msg != "" {
				return fail(msg)
			}
			return d, nil
		}
	}
	// Say where understanding stopped: after the longest part that reads as a form and ends
	// between words or numbers, not inside one ("2022-2023" stops after "2022", not "2022-20").
	longest := 0
	for _, f := range deadlineForms {
		loc := f.prefix.FindStringIndex(n)
		if loc == nil || loc[1] <= longest {
			continue
		}
		if end := loc[1]; end < len(n) && isASCIIAlnum(n[end-1]) && isASCIIAlnum(n[end]) {
			continue
		}
		longest = loc[1]
	}
	if longest > 0 {
		return fail(fmt.Sprintf("%q after %q is not understood", n[longest:], n[:longest]))
	}
	return fail("not understood as a day, month, quarter, half-year, year or ongoing deadline")
}

// due builds the Due from the groups of a full match, or says why the match
// names no real date.
func (f form) due(m []string) (Due, string) {
	group := func(name string) string {
		if i := f.full.SubexpIndex(name); i >= 0 {
			return m[i]
		}
		return ""
	}
	if group("on") != "" {
		return Due{Precision: precisionOngoing}, ""
	}
	year, _ := strconv.Atoi(group("y")) // \d{4}
	if year < minYear || year > maxYear {
		return Due{}, fmt.Sprintf("year %d is not between %d and %d", year, minYear, maxYear)
	}
	month, precision := 12, precisionYear
	switch {
	case group("m") != "":
		month, _ = strconv.Atoi(group("m")) // \d{1,2}
		precision = precisionMonth
	case group("mon") != "":
		month = monthNumber(group("mon"))
		precision = precisionMonth
	case group("q") != "" || group("qw") != "":
		month = 3 * ordinal(group("q")+group("qw"))
		precision = precisionQuarter
	case group("h") != "" || group("hw") != "":
		month = 6 * ordinal(group("h")+group("hw"))
		precision = precisionHalf
	}
	if month < 1 || month > 12 {
		return Due{}, fmt.Sprintf("month %d is not between 1 and 12", month)
	}
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC)
	if group("d") == "" {
		return Due{Date: last, HasDate: true, Precision: precision}, ""
	}
	day, _ := strconv.Atoi(group("d")) // \d{1,2}
	if day < 1 || day > last.Day() {
		return Due{}, fmt.Sprintf("day %d is not in %s %d", day, time.Month(month), year)
	}
	return Due{Date: last.AddDate(0, 0, day-last.Day()), HasDate: true, Precision: precisionDay}, ""
}

// monthNumber returns the number of an English month name or its abbreviation.
func monthNumber(name string) int {
	for m := time.January; m <= time.December; m++ {
		if strings.HasPrefix(strings.ToLower(m.String()), name[:3]) {
			return int(m)
		}
	}
	return 0 // the pattern admits no other name
}

// ordinal returns 1 to 4 for the ways a quarter or half is numbered.
func ordinal(s string) int {
	switch s {
	case "1", "一", "上", "first", "1st":
		return 1
	case "2", "二", "下", "second", "2nd":
		return 2
	case "3", "三", "third", "3rd":
		return 3
	case "4", "四", "fourth", "4th":
		return 4
	}
	return 0 // the patterns admit no other word
}

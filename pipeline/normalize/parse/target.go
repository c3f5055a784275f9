package parse

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// ErrTarget is wrapped by every error that [Target] returns.
var ErrTarget = errors.New("invalid target")

// Quantity is a target phrase resolved to numbers. (It is not called Target because the
// function that returns it is.)
//
//	Comparator  Min    Max
//	"="         v      v      10个, 10 benchmark factories
//	"~"         v      v      约10个, about 10 regions
//	">="        v      nil    不少于300个, at least 3,000 enterprises
//	"<="        nil    v      不超过5个, at most 5
//	"range"     lo     hi     3-5个, 3 to 5 factories
type Quantity struct {
	Min, Max   *float64
	Comparator string // "=", ">=", "<=", "~" or "range"
	UnitZH     string // what follows the number in Chinese text, "" for English text
	UnitEN     string // what follows the number in English text; for Chinese, UnitEN(UnitZH)
}

// The values of Quantity.Comparator.
const (
	cmpEqual   = "="
	cmpAtLeast = ">="
	cmpAtMost  = "<="
	cmpAbout   = "~"
	cmpRange   = "range"
)

// marker is a word or phrase that sets the comparator.
type marker struct {
	text, cmp string
}

// needsRange marks "between" and "from", which only introduce a range.
const needsRange = "needs range"

// "More than" (超过, 多于, 逾, 余, 多, more than, over, +) is recorded as >= the stated
// figure, not as > it: the sources use these words loosely for "at least about", and a
// figure that is exceeded by some unknown amount is best described by its lower bound.
// "Less than" and "fewer than" are recorded as <= for the same reason.
var (
	zhPrefixes = []marker{
		{"不少于", cmpAtLeast}, {"不低于", cmpAtLeast}, {"至少", cmpAtLeast}, {"超过", cmpAtLeast},
		{"多于", cmpAtLeast}, {"大于", cmpAtLeast}, {"高于", cmpAtLeast}, {"逾", cmpAtLeast},
		{"不超过", cmpAtMost}, {"不多于", cmpAtMost}, {"不高于", cmpAtMost}, {"最多", cmpAtMost},
		{"至多", cmpAtMost}, {"少于", cmpAtMost}, {"低于", cmpAtMost},
		{"约", cmpAbout}, {"大约", cmpAbout}, {"近", cmpAbout}, {"将近", cmpAbout}, {"接近", cmpAbout},
		{"~", cmpAbout},
	}
	// zhSuffixes end the phrase: 300个以上, 10个左右, 5个以内.
	zhSuffixes = []marker{
		{"以上", cmpAtLeast}, {"及以上", cmpAtLeast},
		{"以下", cmpAtMost}, {"及以下", cmpAtMost}, {"以内", cmpAtMost}, {"之内", cmpAtMost},
		{"左右", cmpAbout}, {"上下", cmpAbout},
	}
	// zhInfixes may also stand between the number or classifier and the noun: 10万家以上企业.
	zhInfixes = []marker{
		{"以上", cmpAtLeast}, {"及以上", cmpAtLeast},
		{"以下", cmpAtMost}, {"及以下", cmpAtMost}, {"以内", cmpAtMost},
		{"左右", cmpAbout},
	}
	// zhAfterNumber stand right after the number: 1000余家, 1000多家, 1000+家.
	zhAfterNumber = []marker{{"余", cmpAtLeast}, {"多", cmpAtLeast}, {"+", cmpAtLeast}}

	enPrefixes = []marker{
		{"about", cmpAbout}, {"around", cmpAbout}, {"roughly", cmpAbout}, {"approximately", cmpAbout},
		{"approx.", cmpAbout}, {"approx", cmpAbout}, {"nearly", cmpAbout}, {"~", cmpAbout},
		{"at least", cmpAtLeast}, {"no fewer than", cmpAtLeast}, {"no less than", cmpAtLeast},
		{"not fewer than", cmpAtLeast}, {"not less than", cmpAtLeast}, {"more than", cmpAtLeast},
		{"over", cmpAtLeast}, {"greater than", cmpAtLeast}, {"in excess of", cmpAtLeast},
		{"a minimum of", cmpAtLeast},
		{"at most", cmpAtMost}, {"up to", cmpAtMost}, {"no more than", cmpAtMost},
		{"not more than", cmpAtMost}, {"fewer than", cmpAtMost}, {"less than", cmpAtMost},
		{"a maximum of", cmpAtMost},
		{"between", needsRange}, {"from", needsRange},
	}
	// enSuffixes stand right after the number or at the end: 120 or more (enterprises).
	enSuffixes = []marker{
		{"or more", cmpAtLeast}, {"or above", cmpAtLeast}, {"and above", cmpAtLeast},
		{"and more", cmpAtLeast}, {"or over", cmpAtLeast}, {"or greater", cmpAtLeast},
		{"or fewer", cmpAtMost}, {"or less", cmpAtMost}, {"or below", cmpAtMost},
		{"and below", cmpAtMost}, {"or under", cmpAtMost},
		{"or so", cmpAbout}, {"or thereabouts", cmpAbout},
	}
	enAfterNumber = []marker{{"+", cmpAtLeast}}
)

var (
	// digitsRE is a number in digits: 10, 1.5, 3,000, 100,000.5.
	digitsRE = regexp.MustCompile(`^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`)
	// wordRE is an English number word, which must end the text or be followed by a space.
	wordRE = regexp.MustCompile(`^(a|an|one|two|three|four|five|six|seven|eight|nine|ten)(?: |$)`)
	// enMultiplierRE is an English multiplier after a number: 2 billion, 1.5 million.
	enMultiplierRE = regexp.MustCompile(`^ (hundred|thousand|million|billion|trillion)\b`)
	// enRangeRE separates the two ends of an English range: 3-5, 3 to 5, between 3 and 5.
	enRangeRE = regexp.MustCompile(`^(?: ?[-–—~〜] ?| to | and )`)
	// zhRangeRE separates the two ends of a Chinese range: 3-5个, 3～5个, 3—5个, 3至5个.
	zhRangeRE = regexp.MustCompile(`^(?:[-–~〜至到]|—{1,2})`)
)

var numberWords = map[string]string{
	"a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
	"six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
}

// quantityWords after "a" or "an" make a vague amount, not one of something: a few, a
// number of, a batch of.
var quantityWords = map[string]bool{
	"few": true, "number": true, "batch": true, "series": true, "group": true, "lot": true,
	"couple": true, "handful": true, "range": true, "variety": true, "bunch": true, "host": true,
	"dozen": true, "set": true, "list": true, "wide": true, "large": true, "small": true,
}

// The powers of ten of the multipliers.
var (
	zhMultipliers = map[rune]int{'百': 2, '千': 3, '万': 4, '亿': 8}
	enMultipliers = map[string]int{"hundred": 2, "thousand": 3, "million": 6, "billion": 9, "trillion": 12}
)

// siUnits are the units whose 千 is the SI prefix kilo, not a multiplier: 千瓦, 千米, 千克.
const siUnits = "瓦米克伏帕赫焦"

// Target reads a target phrase as written (Chinese or English) and returns its value range,
// comparator and units.
//
// Chinese: 10个 (=); 3-5个, 3～5个, 3~5个, 3—5个, 3至5个 (range); 约10个, 大约10个, 10个左右
// (~); 不少于300个, 至少300个, 300个以上, 超过120个, 1000余家, 1000多家 (>=); 不超过5个,
// 最多5个, 5个以内 (<=). The multipliers 百, 千, 万 and 亿 (also stacked, 万亿 = 1e12) are
// applied to the value, and the unit is what follows them: 10万家以上 is >= 100000 家,
// 1.5亿元 is 150000000 元, 10万 is 100000 with no unit. Values are therefore always in base
// units (元, not 亿元), comparable across targets. In a range the multiplier of the second
// number also applies to a first number that has none: 3-5万家 is 30000..50000.
//
// English: 10, 10 benchmark factories (=); 3-5, 3 to 5 factories, between 3 and 5 (range);
// about 10 regions, around 10, roughly 10, approximately 10, ~10 (~); at least 3,000
// enterprises, no fewer than 300, not less than 300, 3,000+ enterprises, more than 120, over
// 120, 120 or more, 20+ (>=); at most 5, up to 5, no more than 5 (<=). The multipliers
// hundred, thousand, million and billion are applied (2 billion registrations = 2e9), and
// a, an, one ... ten count simple things (one guidance document, about two).
//
// "More than" is recorded as >= the stated figure; see the comment on the marker lists.
//
// Numbers may have thousands separators and decimals; full-width digits are read. Empty
// text, text without a number, a negative number, a range whose minimum exceeds its
// maximum, contradicting markers and text that is not understood are errors that wrap
// [ErrTarget].
func Target(s string) (Quantity, error) {
	fail := func(msg string) (Quantity, error) {
		return Quantity{}, &parseError{what: "target", input: s, msg: msg, kind: ErrTarget}
	}
	t := squeeze(norm.NFC.String(width.Fold.String(strings.ToValidUTF8(s, "\uFFFD"))))
	if t == "" {
		return fail("empty")
	}
	p := phrase{text: t, lc: asciiLower(t), zh: hasHan(t)}
	q, msg := p.quantity()
	if msg != "" {
		return fail(msg)
	}
	return q, nil
}

// phrase is a target phrase being read from left to right.
type phrase struct {
	text string // squeezed and width-folded
	lc   string // text with ASCII letters lower-cased; offsets are the same
	zh   bool   // Chinese text
	pos  int
}

// number is one number read from the phrase.
type number struct {
	text    string // as it stands in the phrase, for messages
	digits  string // without thousands separators
	word    string // the number word, when it is one
	exp     int    // power of ten of the multipliers
	hasMult bool
}

func (n number) value() (float64, bool) {
	v, err := strconv.ParseFloat(n.digits+"e"+strconv.Itoa(n.exp), 64)
	return v, err == nil && !math.IsInf(v, 0)
}

func (p *phrase) rest() string { return p.text[p.pos:] }

func (p *phrase) lcRest() string { return p.lc[p.pos:] }

// quantity reads the whole phrase, or says what it could not understand.
func (p *phrase) quantity() (Quantity, string) {
	var marks []marker
	prefixes, after := enPrefixes, enAfterNumber
	if p.zh {
		prefixes, after = zhPrefixes, zhAfterNumber
	}
	if m, ok := p.prefix(prefixes); ok {
		marks = append(marks, m)
	}
	lo, msg := p.number()
	if msg != "" {
		return Quantity{}, msg
	}
	if m, ok := p.prefix(after); ok {
		marks = append(marks, m)
	}
	var hi *number
	if n, ok, msg := p.rangeEnd(marks); ok {
		if msg != "" {
			return Quantity{}, msg
		}
		hi = &n
		if !lo.hasMult {
			lo.exp = hi.exp // 3-5万 is 3万-5万
		}
		if m, ok := p.prefix(after); ok {
			marks = append(marks, m)
		}
	}
	unit, suffix, ok := p.tail()
	if ok {
		marks = append(marks, suffix)
	}
	if msg := checkUnit(unit, lo); msg != "" {
		return Quantity{}, msg
	}

	q := Quantity{UnitZH: unit, UnitEN: UnitEN(unit)}
	if !p.zh {
		q = Quantity{UnitEN: unit}
	}
	v, ok := lo.value()
	if !ok {
		return Quantity{}, fmt.Sprintf("number %q is too large", lo.text)
	}
	if hi != nil {
		w, ok := hi.value()
		if !ok {
			return Quantity{}, fmt.Sprintf("number %q is too large", hi.text)
		}
		for _, m := range marks {
			if m.cmp != cmpAbout && m.cmp != needsRange {
				return Quantity{}, fmt.Sprintf("%q does not go with a range", m.text)
			}
		}
		if v > w {
			return Quantity{}, fmt.Sprintf("range minimum %s is greater than maximum %s", format(v), format(w))
		}
		q.Comparator, q.Min, q.Max = cmpRange, &v, &w
		return q, ""
	}
	q.Comparator = cmpEqual
	first := ""
	for _, m := range marks {
		switch {
		case m.cmp == needsRange:
			return Quantity{}, fmt.Sprintf("%q needs a range such as \"%s 3 and 5\"", m.text, m.text)
		case q.Comparator == cmpEqual:
			q.Comparator, first = m.cmp, m.text
		case m.cmp != q.Comparator:
			return Quantity{}, fmt.Sprintf("%q and %q contradict each other", first, m.text)
		}
	}
	switch q.Comparator {
	case cmpAtLeast:
		q.Min = &v
	case cmpAtMost:
		q.Max = &v
	default:
		w := v
		q.Min, q.Max = &v, &w
	}
	return q, ""
}

// prefix consumes the longest marker that starts the rest of the phrase. An English word
// marker must be followed by a space, which it consumes too.
func (p *phrase) prefix(ms []marker) (marker, bool) {
	rest := p.lcRest()
	best, n := marker{}, 0
	for _, m := range ms {
		if !strings.HasPrefix(rest, m.text) || len(m.text) <= n {
			continue
		}
		end := len(m.text)
		if isASCIILetter(m.text[len(m.text)-1]) {
			if !strings.HasPrefix(rest[end:], " ") {
				continue
			}
			end++
		}
		best, n = marker{text: p.rest()[:len(m.text)], cmp: m.cmp}, end
	}
	if n == 0 {
		return marker{}, false
	}
	p.pos += n
	if !p.zh && strings.HasPrefix(p.rest(), " ") { // "20 +", "~ 10"
		p.pos++
	}
	return best, true
}

// number reads a number and its multipliers, or says why there is none.
func (p *phrase) number() (number, string) {
	rest, lc := p.rest(), p.lcRest()
	var n number
	switch m := digitsRE.FindString(rest); {
	case m != "":
		if next := rest[len(m):]; next != "" && (isASCIIAlnum(next[0]) || next[0] == ',' || next[0] == '.') {
			return n, fmt.Sprintf("%q is not a number", token(rest))
		}
		n.digits = strings.ReplaceAll(m, ",", "")
		p.pos += len(m)
	case !p.zh && wordRE.MatchString(lc):
		n.word = wordRE.FindStringSubmatch(lc)[1]
		n.digits = numberWords[n.word]
		p.pos += len(n.word)
	default:
		if r, size := utf8.DecodeRuneInString(rest); (r == '-' || r == '−' || r == '负') && digitsRE.MatchString(rest[size:]) {
			return n, fmt.Sprintf("%q is negative", rest[:size]+digitsRE.FindString(rest[size:]))
		}
		if p.pos > 0 {
			return n, fmt.Sprintf("no number after %q", trim(p.text[:p.pos]))
		}
		return n, "no number"
	}
	p.multipliers(&n, len(p.text)-len(rest))
	return n, ""
}

// token returns the run of ASCII letters, digits, commas and points that starts s.
func token(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool {
		return r >= utf8.RuneSelf || !isASCIIAlnum(byte(r)) && r != ',' && r != '.'
	})
	if end < 0 {
		return s
	}
	return s[:end]
}

// multipliers consumes the multipliers after a number and adds their powers of ten; the
// number's text runs from start to the end of the last multiplier.
func (p *phrase) multipliers(n *number, start int) {
	if p.zh {
		for {
			r, size := utf8.DecodeRuneInString(p.rest())
			exp, ok := zhMultipliers[r]
			if !ok {
				break
			}
			if next, _ := utf8.DecodeRuneInString(p.rest()[size:]); r == '千' && strings.ContainsRune(siUnits, next) {
				break // 10千瓦 is ten kilowatts
			}
			n.exp += exp
			n.hasMult = true
			p.pos += size
		}
	} else {
		for {
			m := enMultiplierRE.FindStringSubmatch(p.lcRest())
			if m == nil {
				break
			}
			n.exp += enMultipliers[m[1]]
			n.hasMult = true
			p.pos += len(m[0])
		}
	}
	n.text = p.text[start:p.pos]
}

// rangeEnd reads the separator and the second number of a range, if one follows: ok
// reports whether it did, and msg what is wrong with the second number.
func (p *phrase) rangeEnd(marks []marker) (n number, ok bool, msg string) {
	re := enRangeRE
	if p.zh {
		re = zhRangeRE
	}
	sep := re.FindString(p.lcRest())
	if sep == "" {
		return n, false, ""
	}
	if trim(sep) == "and" && (len(marks) == 0 || marks[0].cmp != needsRange) {
		return n, false, "" // "3 and 5" is not a range, "between 3 and 5" is
	}
	after := p.lcRest()[len(sep):]
	if !digitsRE.MatchString(after) && (p.zh || !wordRE.MatchString(after)) {
		return n, false, "" // "3-个" is not a range; the unit check will say so
	}
	p.pos += len(sep)
	n, msg = p.number()
	return n, true, msg
}

// tail returns the rest of the phrase as the unit, without a comparator marker at its end
// or right after the number ("120 or more enterprises", 10万家以上企业).
func (p *phrase) tail() (unit string, m marker, ok bool) {
	rest := trim(p.rest())
	if p.zh {
		if m, ok := longest(rest, zhSuffixes, strings.HasSuffix); ok {
			return trim(strings.TrimSuffix(rest, m.text)), m, true
		}
		// at the start, or after a one-character classifier
		_, size := utf8.DecodeRuneInString(rest)
		for _, at := range []int{0, size} {
			if m, ok := longest(rest[at:], zhInfixes, strings.HasPrefix); ok {
				return rest[:at] + rest[at+len(m.text):], m, true
			}
		}
		return rest, marker{}, false
	}
	lc := asciiLower(rest)
	for _, m := range enSuffixes {
		switch {
		case lc == m.text:
			return "", marker{text: rest, cmp: m.cmp}, true
		case strings.HasSuffix(lc, " "+m.text):
			n := len(rest) - len(m.text)
			return trim(rest[:n]), marker{text: rest[n:], cmp: m.cmp}, true
		case strings.HasPrefix(lc, m.text+" "):
			return trim(rest[len(m.text):]), marker{text: rest[:len(m.text)], cmp: m.cmp}, true
		}
	}
	return rest, marker{}, false
}

// longest returns the longest marker for which has(s, marker) holds.
func longest(s string, ms []marker, has func(s, marker string) bool) (marker, bool) {
	best, ok := marker{}, false
	for _, m := range ms {
		if has(s, m.text) && len(m.text) > len(best.text) {
			best, ok = m, true
		}
	}
	return best, ok
}

// checkUnit says what is wrong with the unit after a number, or returns "".
func checkUnit(unit string, n number) string {
	notUnderstood := fmt.Sprintf("%q after the number is not understood", unit)
	if unit == "" {
		if n.word == "a" || n.word == "an" {
			return fmt.Sprintf("%q needs what it counts after it", n.word)
		}
		return ""
	}
	if r, _ := utf8.DecodeRuneInString(unit); !unicode.IsLetter(r) && !isDigit(unit[0]) && r != '%' && r != '‰' {
		return notUnderstood
	}
	first, _, _ := strings.Cut(strings.ToLower(unit), " ")
	if first == "of" {
		return notUnderstood
	}
	if (n.word == "a" || n.word == "an") && quantityWords[first] {
		return fmt.Sprintf("%q is not a number", n.text+" "+first)
	}
	// A second number is not understood, but 5G, 4K and 3D are names, not numbers.
	for i := 0; i < len(unit); i++ {
		if !isDigit(unit[i]) {
			continue
		}
		j := i
		for j < len(unit) && isDigit(unit[j]) {
			j++
		}
		if j == len(unit) || !isASCIILetter(unit[j]) {
			return notUnderstood
		}
		i = j
	}
	return ""
}

// format writes a value without exponent or trailing zeros.
func format(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

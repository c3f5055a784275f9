package parse

import (
	"errors"
	"fmt"
	"strings"
)

// ErrAgencies is wrapped by every error that [Agencies] returns.
var ErrAgencies = errors.New("invalid responsible units")

// Agency is one agency named in a 责任单位 text.
type Agency struct {
	ID        string // what resolve returned
	Role      string // "lead", "joint" or "unspecified"
	AsWritten string // the name as written, with its bracketed department, without role words
}

// The values of Agency.Role.
const (
	roleLead        = "lead"
	roleJoint       = "joint"
	roleUnspecified = "unspecified"
)

// roleWord is a word or phrase around a name that says its role, or ("" role) only says
// that the units share the work. back means the role also covers the unmarked names
// before it: in X、Y牵头 both X and Y lead.
type roleWord struct {
	text string
	role string
	back bool
}

var (
	// roleSuffixes end an item. They are stripped repeatedly, so X等部门按职责分工负责 and
	// X牵头负责 both come down to X.
	roleSuffixes = []roleWord{
		{"牵头", roleLead, true},
		{"配合", roleJoint, true}, {"参与", roleJoint, true},
		{"等按职责分工负责", "", false}, {"按职责分工负责", "", false}, {"按职责分工", "", false},
		{"按职责负责", "", false}, {"分别负责", "", false}, {"共同负责", "", false},
		{"负责", "", false}, {"等部门", "", false}, {"等单位", "", false}, {"等", "", false},
		{" etc.", "", false}, {" etc", "", false}, {" and others", "", false},
		{" and other departments", "", false}, {" et al.", "", false},
	}
	// rolePrefixes start an item: led by X, with Y, 由X牵头.
	rolePrefixes = []roleWord{
		{"led by ", roleLead, false}, {"jointly led by ", roleLead, false},
		{"with ", roleJoint, false}, {"together with ", roleJoint, false},
		{"supported by ", roleJoint, false}, {"assisted by ", roleJoint, false},
		{"in cooperation with ", roleJoint, false}, {"in collaboration with ", roleJoint, false},
		{"and ", "", false}, {"由", "", false}, {"和", "", false}, {"及", "", false},
		{"以及", "", false}, {"与", "", false},
	}
	// roleBrackets are whole bracket contents after a name: MIIT (lead), 工信部（牵头）.
	roleBrackets = []roleWord{
		{"lead", roleLead, false}, {"牵头", roleLead, false}, {"牵头单位", roleLead, false},
		{"joint", roleJoint, false}, {"配合", roleJoint, false}, {"参与", roleJoint, false},
	}
	// wholeItems are items that name no agency and are dropped: the "etc." of "MIIT, NDRC, etc."
	wholeItems = []string{"etc.", "etc", "等", "and others", "others"}
)

// itemSeparators split a 责任单位 text into items; connectors split an item into names
// when the item as a whole is not a known name (工业和信息化部 is one name, 工信部和财政部 two).
var (
	itemSeparators = []string{"、", "，", ",", "；", ";"}
	connectors     = []string{"以及", "和", "及", "与", " and ", " & "}
)

// maxConnectorsInName bounds how many connectors one agency name may hold (人力资源和社会
// 保障部 has one), which keeps splitting an item linear in its length.
const maxConnectorsInName = 3

// Agencies reads a 责任单位 text as written and returns the agencies it names with their
// roles, in the order written. resolve looks a name up among agency names and aliases (the
// caller passes it, so this package knows no agency); it receives the name as written,
// trimmed of white space, and should apply [Name] itself.
//
// Names are separated by 、，,；; and, when the item as a whole is not a known name, by 和,
// 及, 以及, 与, "and" and "&". Roles:
//
//	X牵头, X牵头负责, 由X牵头, led by X, X (lead)     X lead
//	X牵头，Y、Z配合 / Y、Z参与 / Y、Z               X lead, Y and Z joint
//	X、Y牵头，Z配合                                 X and Y lead, Z joint
//	led by X, with Y                                X lead, Y joint
//	X、Y, X、Y按职责分工负责, X、Y等, MIIT and NDRC    unspecified
//
// The words 等按职责分工负责, 按职责分工负责, 按职责负责, 分别负责, 共同负责, 负责, 等部门,
// 等单位, 等 and "etc." are dropped. A bracket after a name names a department:
// 工业和信息化部（信发司） is the department when resolve knows 信发司, otherwise the
// ministry (which must be known in both cases); AsWritten keeps the bracket.
//
// Names resolve does not know (all of them, in one error), an agency named twice, empty
// text and unbalanced brackets are errors that wrap [ErrAgencies].
func Agencies(s string, resolve func(name string) (id string, ok bool)) ([]Agency, error) {
	fail := func(msg string) ([]Agency, error) {
		return nil, &parseError{what: "responsible units", input: s, msg: msg, kind: ErrAgencies}
	}
	text := trim(s)
	if text == "" {
		return fail("empty")
	}
	raw, ok := splitOutside(text, itemSeparators)
	if !ok {
		return fail("brackets do not match")
	}

	// Roles, item by item.
	type item struct {
		text string
		role string
		back bool
	}
	var items []item
	for _, r := range raw {
		name, word, msg := roleOf(r)
		if msg != "" {
			return fail(msg)
		}
		if name == "" {
			if word.text != "" {
				return fail(fmt.Sprintf("no agency name in %q", trim(r)))
			}
			continue // "", "etc."
		}
		items = append(items, item{text: name, role: word.role, back: word.back})
	}
	hasLead := false
	for _, it := range items {
		hasLead = hasLead || it.role == roleLead
	}
	for i := range items {
		if items[i].role != "" {
			continue
		}
		for _, next := range items[i+1:] {
			if next.role != "" {
				if next.back {
					items[i].role = next.role
				}
				break
			}
		}
		if items[i].role == "" {
			items[i].role = roleUnspecified
			if hasLead {
				items[i].role = roleJoint
			}
		}
	}

	// Names, resolved.
	var agencies []Agency
	var unknown []string
	for _, it := range items {
		for _, n := range names(it.text, resolve) {
			if !n.ok {
				unknown = appendNew(unknown, n.text)
				continue
			}
			agencies = append(agencies, Agency{ID: n.id, Role: it.role, AsWritten: n.text})
		}
	}
	var msgs []string
	switch len(unknown) {
	case 0:
	case 1:
		msgs = append(msgs, fmt.Sprintf("unknown agency %q", unknown[0]))
	default:
		msgs = append(msgs, fmt.Sprintf("unknown agencies %s", quoteList(unknown)))
	}
	msgs = append(msgs, duplicates(agencies)...)
	if len(msgs) > 0 {
		return fail(strings.Join(msgs, "; "))
	}
	if len(agencies) == 0 {
		return fail("no agency names")
	}
	return agencies, nil
}

// roleOf strips role words from an item and returns the name left, the role word (the
// last one that gave a role, or the last one stripped), or a message when two role words
// contradict each other.
func roleOf(item string) (name string, word roleWord, msg string) {
	name = trim(item)
	for _, w := range wholeItems {
		if strings.EqualFold(name, w) {
			return "", roleWord{}, ""
		}
	}
	set := func(w roleWord, as string) string {
		if w.role != "" && word.role != "" && w.role != word.role {
			return fmt.Sprintf("%q and %q in %q give two roles", word.text, as, trim(item))
		}
		if w.role != "" || word.role == "" {
			word = roleWord{text: as, role: w.role, back: w.back}
		}
		return ""
	}
	for changed := true; changed && name != ""; {
		changed = false
		for _, w := range rolePrefixes {
			if hasPrefixFold(name, w.text) && len(w.text) < len(name) {
				if msg := set(w, trim(name[:len(w.text)])); msg != "" {
					return "", word, msg
				}
				name, changed = trim(name[len(w.text):]), true
				break
			}
		}
		for _, w := range roleSuffixes {
			if hasSuffixFold(name, w.text) {
				if msg := set(w, trim(name[len(name)-len(w.text):])); msg != "" {
					return "", word, msg
				}
				name, changed = trim(name[:len(name)-len(w.text)]), true
				break
			}
		}
		if outer, inner, ok := bracketed(name); ok {
			for _, w := range roleBrackets {
				if strings.EqualFold(inner, w.text) {
					if msg := set(w, name[len(outer):]); msg != "" {
						return "", word, msg
					}
					name, changed = outer, true
					break
				}
			}
		}
	}
	return name, word, ""
}

// splitOutside splits s at every separator that is outside brackets, and reports whether
// the brackets match. Both full- and half-width brackets count.
func splitOutside(s string, seps []string) ([]string, bool) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "("), strings.HasPrefix(s[i:], "（"):
			depth++
		case strings.HasPrefix(s[i:], ")"), strings.HasPrefix(s[i:], "）"):
			if depth--; depth < 0 {
				return nil, false
			}
		case depth == 0:
			if sep := prefixOf(s[i:], seps); sep != "" {
				parts = append(parts, s[start:i])
				i += len(sep)
				start = i
				continue
			}
		}
		_, size := decodeRune(s[i:])
		i += size
	}
	return append(parts, s[start:]), depth == 0
}

// bracketed splits "工业和信息化部（信发司）" into the name before the bracket and the
// trimmed text inside it, when s ends with a bracket.
func bracketed(s string) (outer, inner string, ok bool) {
	if !strings.HasSuffix(s, ")") && !strings.HasSuffix(s, "）") {
		return "", "", false
	}
	_, size := lastRune(s)
	depth := 0
	for i := len(s) - size; i > 0; {
		r, n := lastRune(s[:i])
		i -= n
		switch r {
		case ')', '）':
			depth++
		case '(', '（':
			if depth == 0 {
				return trim(s[:i]), trim(s[i+n : len(s)-size]), true
			}
			depth--
		}
	}
	return "", "", false
}

// resolved is one name of an item and what resolve made of it.
type resolved struct {
	text string
	id   string
	ok   bool
}

// names splits an item into names at connectors and resolves them. The item as a whole
// wins when it resolves; otherwise the split with the fewest unknown names and then the
// fewest names is taken, and when every split leaves unknown names, the one that resolves
// the most (so the message names the unknown part, not the whole item).
func names(item string, resolve func(string) (string, bool)) []resolved {
	cuts := connectorSpans(item)
	// piece(i, j) runs from after connector i-1 to before connector j (connector -1 is the
	// start of the item and connector len(cuts) its end).
	piece := func(i, j int) string {
		from, to := 0, len(item)
		if i > 0 {
			from = cuts[i-1][1]
		}
		if j < len(cuts) {
			to = cuts[j][0]
		}
		return trim(item[from:to])
	}
	memo := map[[2]int]resolved{}
	lookup := func(i, j int) resolved {
		k := [2]int{i, j}
		if r, ok := memo[k]; ok {
			return r
		}
		r := resolved{text: piece(i, j)}
		if r.text != "" {
			r.id, r.ok = resolveName(r.text, resolve)
		}
		memo[k] = r
		return r
	}
	if whole := lookup(0, len(cuts)); whole.ok || len(cuts) == 0 {
		return []resolved{whole}
	}
	type score struct{ unknown, known, pieces int }
	best := func(better func(a, b score) bool) []resolved {
		// plan[i] is the best way to split from piece i to the end.
		n := len(cuts) + 1
		plan := make([]struct {
			s    score
			next int
			ok   bool
		}, n+1)
		plan[n].ok = true
		for i := n - 1; i >= 0; i-- {
			for j := i; j < n && j-i <= maxConnectorsInName; j++ {
				r := lookup(i, j)
				if r.text == "" || !plan[j+1].ok {
					continue
				}
				s := plan[j+1].s
				s.pieces++
				if r.ok {
					s.known++
				} else {
					s.unknown++
				}
				if !plan[i].ok || better(s, plan[i].s) {
					plan[i].s, plan[i].next, plan[i].ok = s, j+1, true
				}
			}
		}
		if !plan[0].ok {
			return nil
		}
		var out []resolved
		for i := 0; i < n; i = plan[i].next {
			out = append(out, lookup(i, plan[i].next-1))
		}
		return out
	}
	clean := best(func(a, b score) bool {
		if a.unknown != b.unknown {
			return a.unknown < b.unknown
		}
		return a.pieces < b.pieces
	})
	if clean != nil && !hasUnknown(clean) {
		return clean
	}
	if informative := best(func(a, b score) bool {
		if a.known != b.known {
			return a.known > b.known
		}
		if a.unknown != b.unknown {
			return a.unknown < b.unknown
		}
		return a.pieces < b.pieces
	}); informative != nil {
		return informative
	}
	return []resolved{lookup(0, len(cuts))}
}

// resolveName resolves one name. A bracket after it names a department, which wins when
// resolve knows it; otherwise the name is the agency before the bracket. The agency before
// the bracket must be known either way, so a misspelt agency is not hidden by its
// department.
func resolveName(name string, resolve func(string) (string, bool)) (string, bool) {
	try := func(s string) (string, bool) {
		if s == "" {
			return "", false
		}
		id, ok := resolve(s)
		return id, ok && id != ""
	}
	outer, inner, ok := bracketed(name)
	if !ok {
		return try(name)
	}
	dept, deptOK := try(inner)
	if outer == "" { // "（信发司）" alone
		return dept, deptOK
	}
	agency, agencyOK := try(outer)
	switch {
	case !agencyOK:
		return "", false
	case deptOK:
		return dept, true
	}
	return agency, true
}

// connectorSpans returns the byte spans of the connectors outside brackets.
func connectorSpans(s string) [][2]int {
	var spans [][2]int
	lc := asciiLower(s)
	depth := 0
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "("), strings.HasPrefix(s[i:], "（"):
			depth++
		case strings.HasPrefix(s[i:], ")"), strings.HasPrefix(s[i:], "）"):
			depth--
		case depth == 0:
			if c := prefixOf(lc[i:], connectors); c != "" {
				spans = append(spans, [2]int{i, i + len(c)})
				i += len(c)
				continue
			}
		}
		_, size := decodeRune(s[i:])
		i += size
	}
	return spans
}

// duplicates returns a message for every agency named more than once.
func duplicates(agencies []Agency) []string {
	var order []string
	seen := map[string][]string{}
	for _, a := range agencies {
		if seen[a.ID] == nil {
			order = append(order, a.ID)
		}
		seen[a.ID] = append(seen[a.ID], a.AsWritten)
	}
	var msgs []string
	for _, id := range order {
		if as := seen[id]; len(as) > 1 {
			times := fmt.Sprintf("%d times", len(as))
			if len(as) == 2 {
				times = "twice"
			}
			msgs = append(msgs, fmt.Sprintf("agency %q is named %s (%s)", id, times, quoteList(as)))
		}
	}
	return msgs
}

func hasUnknown(rs []resolved) bool {
	for _, r := range rs {
		if !r.ok {
			return true
		}
	}
	return false
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// quoteList writes "a", "b", "c".
func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// prefixOf returns the longest of words that starts s, or "".
func prefixOf(s string, words []string) string {
	best := ""
	for _, w := range words {
		if strings.HasPrefix(s, w) && len(w) > len(best) {
			best = w
		}
	}
	return best
}

// hasPrefixFold and hasSuffixFold are strings.HasPrefix and strings.HasSuffix ignoring the
// case of ASCII letters; word is lower case. They look at len(word) bytes of s only.
func hasPrefixFold(s, word string) bool {
	return len(s) >= len(word) && asciiLower(s[:len(word)]) == word
}

func hasSuffixFold(s, word string) bool {
	return len(s) >= len(word) && asciiLower(s[len(s)-len(word):]) == word
}

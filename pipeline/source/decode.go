package source

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/plandata/plandata/pipeline/plan"
)

// decoder maps a YAML node tree onto the plan types strictly: unknown keys, duplicate keys,
// missing required keys and wrong types are issues, all of them reported, each with the line
// and column of the node. It records the position of every value it fills.
type decoder struct {
	file   string
	issues []plan.Issue
	pos    *positions
	fileID int32
	budget int // node visits left; bounds alias expansion
	depth  int
	limits Limits
}

var refType = reflect.TypeOf(plan.Ref{})

func (d *decoder) at(n *yaml.Node) plan.Pos {
	return plan.Pos{File: d.file, Line: n.Line, Col: n.Column}
}

// maxIssues bounds the issues one file can report, so that a hostile file cannot make the
// report itself huge.
const maxIssues = 200

func (d *decoder) issue(n *yaml.Node, rule, format string, args ...any) {
	if len(d.issues) == maxIssues {
		d.issues = append(d.issues, plan.Issue{Pos: d.at(n), Rule: "too-many-issues", Msg: fmt.Sprintf("more than %d problems in this file; the rest are not listed", maxIssues)})
	}
	if len(d.issues) > maxIssues {
		return
	}
	d.issues = append(d.issues, plan.Issue{Pos: d.at(n), Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

// resolve follows alias nodes, charging each step to the node budget.
func (d *decoder) resolve(n *yaml.Node) (*yaml.Node, bool) {
	for n.Kind == yaml.AliasNode {
		if d.budget <= 0 {
			return n, false
		}
		d.budget--
		n = n.Alias
	}
	return n, true
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}

// slot says where the position of a value goes: field or element idx of record rec, or, when
// rec is negative, a record of its own (a value in an allocation of its own: the file's
// root, a pointed-to value).
type slot struct{ rec, idx int }

var ownRecord = slot{rec: -1}

func (d *decoder) lc(n *yaml.Node) lineCol { return lineCol{int32(n.Line), int32(n.Column)} }

// decode fills v (addressable) from n, recording where v was read in the place s names. It
// returns false when decoding must stop (the node budget is spent).
func (d *decoder) decode(n *yaml.Node, v reflect.Value, s slot) bool {
	if d.budget <= 0 {
		return false
	}
	d.budget--
	n, ok := d.resolve(n)
	if !ok || len(d.issues) > maxIssues {
		return false
	}
	// Depth counts nested mappings and lists; a pointer is decoded through the same node, so
	// it does not count twice.
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && v.Kind() != reflect.Pointer {
		if d.depth >= d.limits.MaxDepth {
			d.issue(n, "too-deep", "nesting deeper than %d levels", d.limits.MaxDepth)
			return true
		}
		d.depth++
		defer func() { d.depth-- }()
	}
	at := d.lc(n)
	if s.rec >= 0 {
		d.pos.setInner(s.rec, s.idx, at)
	}
	own := -1 // the record of a struct, whose fields record their positions in it
	switch {
	case v.Kind() == reflect.Struct && v.Type() != refType:
		own = d.pos.add(d.fileID, recStruct, v, at, s.rec < 0)
	case s.rec < 0:
		d.pos.add(d.fileID, recValue, v, at, true)
	}

	if v.Type() == refType {
		return d.decodeRef(n, v)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.SetZero()
			return true
		}
		p := reflect.New(v.Type().Elem())
		ok := d.decode(n, p.Elem(), ownRecord)
		v.Set(p)
		return ok
	case reflect.Struct:
		return d.decodeStruct(n, v, own)
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.SetZero()
			return true
		}
		if n.Kind != yaml.SequenceNode {
			d.issue(n, "wrong-type", "expected a list, found %s", kindName(n))
			return true
		}
		sl := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		v.Set(sl)
		rec := d.pos.add(d.fileID, recSlice, sl, at, true)
		for i, c := range n.Content {
			if !d.decode(c, sl.Index(i), slot{rec, i}) {
				return false
			}
		}
		return true
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.issue(n, "wrong-type", "expected text, found %s", kindName(n))
			return true
		}
		if strings.ContainsRune(n.Value, '\r') {
			d.issue(n, "bad-value", "text holds a carriage return; use plain line breaks")
		}
		v.SetString(n.Value)
		return true
	case reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.issue(n, "wrong-type", "expected a whole number, found %s", kindName(n))
			return true
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil {
			d.issue(n, "wrong-type", "expected a whole number, found %q", n.Value)
			return true
		}
		v.SetInt(i)
		return true
	}
	panic(fmt.Sprintf("source: cannot decode into %s", v.Type()))
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, own int) bool {
	if isNull(n) { // an optional mapping written as null: as if left out
		v.SetZero()
		return true
	}
	if n.Kind != yaml.MappingNode {
		d.issue(n, "wrong-type", "expected a mapping, found %s", kindName(n))
		return true
	}
	t := v.Type()
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		if name := t.Field(i).Tag.Get("yaml"); name != "" {
			fields[name] = i
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			d.issue(k, "duplicate-key", "key %q appears twice in this mapping", k.Value)
			continue
		}
		seen[k.Value] = true
		fi, ok := fields[k.Value]
		if !ok {
			d.issue(k, "unknown-key", "unknown key %q; expected one of %s", k.Value, keyList(t))
			continue
		}
		if t.Field(fi).Tag.Get("plan") == "required" {
			if rv, _ := d.resolve(val); isNull(rv) {
				d.issue(val, "missing-key", "required key %q has no value", k.Value)
				continue
			}
		}
		if !d.decode(val, v.Field(fi), slot{own, fi}) {
			return false
		}
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("plan") == "required" && !seen[f.Tag.Get("yaml")] {
			d.issue(n, "missing-key", "required key %q is missing", f.Tag.Get("yaml"))
		}
	}
	return true
}

// decodeRef reads a citation: either a source id or {id: s01, note: "..."}.
func (d *decoder) decodeRef(n *yaml.Node, v reflect.Value) bool {
	ref := plan.Ref{}
	text := func(val *yaml.Node, key string) (string, bool) {
		val, ok := d.resolve(val)
		if !ok {
			return "", false
		}
		if val.Kind != yaml.ScalarNode || isNull(val) {
			d.issue(val, "wrong-type", "%s: expected text, found %s", key, kindName(val))
			return "", false
		}
		return val.Value, true
	}
	switch {
	case n.Kind == yaml.ScalarNode && !isNull(n):
		ref.ID = n.Value
	case n.Kind == yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if seen[k.Value] {
				d.issue(k, "duplicate-key", "key %q appears twice in this mapping", k.Value)
				continue
			}
			seen[k.Value] = true
			switch k.Value {
			case "id":
				if id, ok := text(val, "id"); ok {
					ref.ID = id
				}
			case "note":
				if rv, _ := d.resolve(val); isNull(rv) {
					continue
				}
				if note, ok := text(val, "note"); ok {
					ref.Note = &note
				}
			default:
				d.issue(k, "unknown-key", "unknown key %q; expected one of id, note", k.Value)
			}
		}
		if !seen["id"] {
			d.issue(n, "missing-key", "required key \"id\" is missing")
		}
	default:
		d.issue(n, "wrong-type", "expected a source id or {id, note}, found %s", kindName(n))
	}
	v.Set(reflect.ValueOf(ref))
	return true
}

func keyList(t reflect.Type) string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if name := t.Field(i).Tag.Get("yaml"); name != "" {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

package source_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/plandata/plandata/pipeline/plan"
	"github.com/plandata/plandata/pipeline/source"
)

// fuzzLimits are DefaultLimits with a smaller node budget, so that an alias bomb the fuzzer
// builds costs milliseconds, not seconds (TestLoadAliasBomb covers DefaultLimits).
var fuzzLimits = func() source.Limits {
	l := source.DefaultLimits
	l.MaxNodes = 100_000
	return l
}()

// FuzzLoad puts the input as plans/iiswg-2022.yaml next to minimal valid reference files. The
// loader never panics, places every issue in a file it was given at line 1 or later, and what
// loads without issues loads again, to the same values, from a canonical dump of itself.
func FuzzLoad(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "fuzz-seeds", "*"))
	if err != nil {
		f.Fatal(err)
	}
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/fuzz-seeds")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(planYAML))

	f.Fuzz(func(t *testing.T, in []byte) {
		src := baseFiles()
		src[planPath] = string(in)
		d, issues, err := source.Load(src.fs(), fuzzLimits)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		for _, is := range issues {
			if _, ok := src[is.File]; !ok || is.Line < 1 || is.Rule == "" || is.Msg == "" {
				t.Errorf("issue %q: want a given file, a line >= 1, a rule and a message", is)
			}
		}
		if len(issues) > 0 {
			return
		}
		if len(d.Plans) != 1 {
			t.Fatalf("no issues but %d plans", len(d.Plans))
		}
		first := d.Plans[0]

		out, err := yaml.Marshal(dumpValue(reflect.ValueOf(first).Elem()))
		if err != nil {
			t.Fatalf("marshal the loaded plan: %v", err)
		}
		src[planPath] = string(out)
		d, issues, err = source.Load(src.fs(), source.DefaultLimits)
		if err != nil {
			t.Fatalf("Load of the dump: %v", err)
		}
		if len(issues) > 0 {
			t.Fatalf("the dump of a plan that loaded does not load:\n%v\n--- input\n%s\n--- dump\n%s", strs(issues), in, out)
		}
		if diff := cmp.Diff(first, d.Plans[0]); diff != "" {
			t.Errorf("round trip (-first +second):\n%s\n--- input\n%s\n--- dump\n%s", diff, in, out)
		}
	})
}

// dumpValue is the canonical YAML form of a value of the plan types: keys in struct order,
// absent values (nil pointers and slices) left out, a Ref as its id or {id, note}.
func dumpValue(v reflect.Value) *yaml.Node {
	if v.Type() == reflect.TypeOf(plan.Ref{}) {
		r := v.Interface().(plan.Ref)
		if r.Note == nil {
			return text(r.ID)
		}
		return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{text("id"), text(r.ID), text("note"), text(*r.Note)}}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return dumpValue(v.Elem())
	case reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode}
		for i := 0; i < v.NumField(); i++ {
			key := v.Type().Field(i).Tag.Get("yaml")
			if n := dumpValue(v.Field(i)); key != "" && n != nil {
				m.Content = append(m.Content, text(key), n)
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		s := &yaml.Node{Kind: yaml.SequenceNode}
		for i := 0; i < v.Len(); i++ {
			s.Content = append(s.Content, dumpValue(v.Index(i)))
		}
		return s
	case reflect.String:
		return text(v.String())
	case reflect.Int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	}
	panic("dump: unexpected " + v.Type().String())
}

func text(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// TestFuzzSeedsLoad makes sure that the seeds reach the round trip of FuzzLoad: the trimmed
// real plan files load without issues (and the broken ones do not).
func TestFuzzSeedsLoad(t *testing.T) {
	for name, wantOK := range map[string]bool{
		"iiswg-2022-head.yaml":   true,
		"iiswg-2022-tasks.yaml":  true,
		"minimal.yaml":           true,
		"broken-duplicates.yaml": false,
		"broken-tab.yaml":        false,
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "fuzz-seeds", name))
		if err != nil {
			t.Fatal(err)
		}
		src := baseFiles()
		src[planPath] = string(b)
		_, issues := load(t, src, fuzzLimits)
		if ok := len(issues) == 0; ok != wantOK {
			t.Errorf("%s: loads without issues = %v, want %v; issues: %v", name, ok, wantOK, issues)
		}
	}
}

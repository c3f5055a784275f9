package validate

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/plandata/plandata/pipeline/plan"
)

// JSONSchema returns a JSON Schema (draft 2020-12) of the source files, derived from the plan
// types and the allowed values above, so that editors can check a file while it is written.
// It accepts any of the four kinds of file. schemas/sources.schema.json holds its output.
func JSONSchema() ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	files := []reflect.Type{
		reflect.TypeOf(plan.SourcesFile{}), reflect.TypeOf(plan.AgenciesFile{}),
		reflect.TypeOf(plan.RegionsFile{}), reflect.TypeOf(plan.PlanFile{}),
	}
	var oneOf []any
	for _, t := range files {
		oneOf = append(oneOf, g.of(t))
	}
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://github.com/plandata/plandata/schemas/sources.schema.json",
		"title":       "plandata curated source file",
		"description": "One of sources.yaml, agencies.yaml, regions.yaml or plans/<plan-id>.yaml; see docs/sources.md.",
		"oneOf":       oneOf,
		"$defs":       g.defs,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type schemaGen struct{ defs map[string]any }

var dateSchema = map[string]any{"type": "string", "format": "date", "pattern": `^\d{4}-\d{2}-\d{2}$`}

// enumFor gives the allowed values of a key in a given struct, as the validator checks them.
func enumFor(owner reflect.Type, key string) []string {
	switch key {
	case "confidence", "doc_number_confidence", "category_confidence", "reliability":
		return plan.Confidences
	case "language":
		return Languages
	case "name_status":
		return NameStatuses
	case "lang":
		return AliasLangs
	case "role":
		return MemberRoles
	case "kind":
		switch owner {
		case reflect.TypeOf(plan.Source{}):
			return SourceKinds
		case reflect.TypeOf(plan.Agency{}):
			return AgencyKinds
		case reflect.TypeOf(plan.Region{}):
			return RegionKinds
		}
	}
	return nil
}

func (g *schemaGen) of(t reflect.Type) any {
	if t == reflect.TypeOf(plan.Ref{}) {
		return map[string]any{"$ref": "#/$defs/Ref"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.of(t.Elem())
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Struct:
		name := t.Name()
		if _, done := g.defs[name]; !done {
			g.defs[name] = nil // reserve against recursion
			g.defs[name] = g.object(t)
			if _, ok := g.defs["Ref"]; !ok {
				g.defs["Ref"] = map[string]any{
					"description": "A source id from sources.yaml, or {id, note}.",
					"oneOf": []any{
						map[string]any{"type": "string", "pattern": plan.IDPattern.String()},
						map[string]any{"type": "object", "additionalProperties": false, "required": []string{"id"},
							"properties": map[string]any{"id": map[string]any{"type": "string", "pattern": plan.IDPattern.String()}, "note": map[string]any{"type": "string"}}},
					},
				}
			}
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	panic("validate: no JSON Schema for " + t.String())
}

func (g *schemaGen) object(t reflect.Type) any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := f.Tag.Get("yaml")
		if key == "" {
			continue
		}
		var s any
		switch {
		case enumFor(t, key) != nil:
			s = map[string]any{"enum": enumFor(t, key)}
		case key == "id" || key == "parent" || key == "agency" || key == "aspect" || key == "category":
			s = map[string]any{"type": "string", "pattern": plan.IDPattern.String()}
		case key == "published_on" || key == "valid_from" || key == "valid_to" || key == "date":
			s = dateSchema
		default:
			s = g.of(f.Type)
		}
		if f.Type.Kind() == reflect.Pointer {
			if _, isAnyOf := s.(map[string]any)["anyOf"]; !isAnyOf {
				s = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
			}
		}
		props[key] = s
		if f.Tag.Get("plan") == "required" {
			required = append(required, key)
		}
	}
	o := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	if doc := strings.TrimSpace(t.Name()); doc != "" {
		o["title"] = doc
	}
	return o
}

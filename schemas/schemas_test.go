package schemas_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/validate"
	"github.com/plandata/plandata/schemas"
)

var update = flag.Bool("update", false, "rewrite sources.schema.json from the plan types")

// TestSourcesJSONSchema keeps schemas/sources.schema.json in step with the plan types and the
// validator's allowed values; refresh it with go test ./schemas -update.
func TestSourcesJSONSchema(t *testing.T) {
	got, err := validate.JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("sources.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("sources.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("sources.schema.json is stale; run go test ./schemas -update (-file +generated):\n%s", diff)
	}
}

func TestLoad(t *testing.T) {
	s, err := schemas.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range s.Tables {
		if tb.DescriptionEN == "" || tb.DescriptionZH == "" {
			t.Errorf("table %s lacks a description", tb.Name)
		}
	}
	if s.Table("tasks_flat") == nil || !s.Table("tasks_flat").View {
		t.Errorf("tasks_flat must be declared as a view")
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "version: 1\ntables:\n  - name: a\n    colour: red\n", "field colour not found"},
		{"unknown type", "tables:\n  - name: a\n    primary_key: [x]\n    columns:\n      - {name: x, type: blob, description_en: e, description_zh: z}\n", `a.x: unknown type "blob"`},
		{"duplicate column", "tables:\n  - name: a\n    primary_key: [x]\n    columns:\n      - {name: x, type: text, description_en: e, description_zh: z}\n      - {name: x, type: text, description_en: e, description_zh: z}\n", "a.x declared twice"},
		{"missing description", "tables:\n  - name: a\n    primary_key: [x]\n    columns:\n      - {name: x, type: text, description_en: e}\n", "English and Chinese descriptions are required"},
		{"no primary key", "tables:\n  - name: a\n    columns:\n      - {name: x, type: text, description_en: e, description_zh: z}\n", "a: no primary key"},
		{"dangling reference", "tables:\n  - name: a\n    primary_key: [x]\n    columns:\n      - {name: x, type: text, references: b.y, description_en: e, description_zh: z}\n", "a.x references unknown b.y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schemas.Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

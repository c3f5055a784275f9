package release_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/release"
	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/pipeline/write/csv"
	"github.com/plandata/plandata/schemas"
)

// The descriptor as the test reads it back, independently of the types that write it.
type dpFile struct {
	Profile      string              `json:"profile"`
	Name         string              `json:"name"`
	Title        string              `json:"title"`
	Description  string              `json:"description"`
	Version      string              `json:"version"`
	Created      string              `json:"created"`
	Keywords     []string            `json:"keywords"`
	Licenses     []map[string]string `json:"licenses"`
	Contributors []map[string]string `json:"contributors"`
	Sources      []map[string]string `json:"sources"`
	Resources    []dpResourceFile    `json:"resources"`
}

type dpResourceFile struct {
	Name        string         `json:"name"`
	Path        string         `json:"path"`
	Profile     string         `json:"profile"`
	Description string         `json:"description"`
	Format      string         `json:"format"`
	Mediatype   string         `json:"mediatype"`
	Encoding    string         `json:"encoding"`
	Bytes       int64          `json:"bytes"`
	Hash        string         `json:"hash"`
	Dialect     map[string]any `json:"dialect"`
	Schema      struct {
		Fields []struct {
			Name        string          `json:"name"`
			Type        string          `json:"type"`
			Description string          `json:"description"`
			Constraints map[string]bool `json:"constraints"`
		} `json:"fields"`
		MissingValues []string   `json:"missingValues"`
		PrimaryKey    []string   `json:"primaryKey"`
		ForeignKeys   []dpFKFile `json:"foreignKeys"`
	} `json:"schema"`
}

type dpFKFile struct {
	Fields    string `json:"fields"`
	Reference struct {
		Resource string `json:"resource"`
		Fields   string `json:"fields"`
	} `json:"reference"`
}

var dpInfo = table.Info{
	Dataset:   "plandata",
	ReleaseID: "2022-04-13-000000000000",
	Date:      table.Date(2022, 4, 13),
	Version:   "test",
}

// stage writes the CSV files of the sample set into a new folder and describes them.
func stage(t *testing.T, set *table.Set) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := (csv.Writer{}).Write(dir, set, dpInfo); err != nil {
		t.Fatal(err)
	}
	if err := release.DataPackage(dir, set, dpInfo); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readDP(t *testing.T, dir string) (*dpFile, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, release.DataPackageFile))
	if err != nil {
		t.Fatal(err)
	}
	var dp dpFile
	if err := json.Unmarshal(b, &dp); err != nil {
		t.Fatalf("datapackage.json is not JSON: %v", err)
	}
	return &dp, b
}

func TestDataPackagePackage(t *testing.T) {
	set := tabletest.Sample(schemas.MustLoad())
	dp, _ := readDP(t, stage(t, set))
	got := map[string]string{
		"profile": dp.Profile, "name": dp.Name, "version": dp.Version, "created": dp.Created,
	}
	want := map[string]string{
		"profile": "tabular-data-package", "name": "plandata",
		"version": "2022-04-13-000000000000", "created": "2022-04-13T00:00:00Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("package properties (-want +got):\n%s", diff)
	}
	if dp.Title == "" || dp.Description == "" || len(dp.Keywords) == 0 {
		t.Errorf("title %q, description %q, keywords %q: want all set", dp.Title, dp.Description, dp.Keywords)
	}
	wantLic := []map[string]string{{
		"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "Creative Commons Attribution 4.0",
	}}
	if diff := cmp.Diff(wantLic, dp.Licenses); diff != "" {
		t.Errorf("licenses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]map[string]string{{"title": "plandata", "role": "author"}}, dp.Contributors); diff != "" {
		t.Errorf("contributors (-want +got):\n%s", diff)
	}
	src := set.Table("sources")
	srcRows, err := src.All()
	if err != nil {
		t.Fatal(err)
	}
	var wantSrc []map[string]string
	for _, r := range srcRows {
		wantSrc = append(wantSrc, map[string]string{
			"title": r[src.Schema.Index("title")].(string), "path": r[src.Schema.Index("url")].(string),
		})
	}
	if len(wantSrc) == 0 {
		t.Fatal("sample has no sources")
	}
	if diff := cmp.Diff(wantSrc, dp.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

func TestDataPackageResourcePerCSV(t *testing.T) {
	set := tabletest.Sample(schemas.MustLoad())
	dir := stage(t, set)
	dp, _ := readDP(t, dir)
	if len(dp.Resources) != len(set.Tables) {
		t.Fatalf("%d resources for %d tables", len(dp.Resources), len(set.Tables))
	}
	for i, tb := range set.Tables {
		r := dp.Resources[i]
		t.Run(tb.Name(), func(t *testing.T) {
			rel := "csv/" + tb.Name() + ".csv"
			b, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			want := map[string]any{
				"name": tb.Name(), "path": rel, "profile": "tabular-data-resource", "format": "csv",
				"mediatype": "text/csv", "encoding": "utf-8", "bytes": int64(len(b)),
				"hash":        "sha256:" + hex.EncodeToString(sum[:]),
				"description": tb.Schema.DescriptionEN + "\n\n" + tb.Schema.DescriptionZH,
			}
			got := map[string]any{
				"name": r.Name, "path": r.Path, "profile": r.Profile, "format": r.Format,
				"mediatype": r.Mediatype, "encoding": r.Encoding, "bytes": r.Bytes, "hash": r.Hash,
				"description": r.Description,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("resource (-want +got):\n%s", diff)
			}
			wantDialect := map[string]any{
				"delimiter": ",", "doubleQuote": true, "header": true, "lineTerminator": "\n",
				"quoteChar": `"`, "skipInitialSpace": false,
			}
			if diff := cmp.Diff(wantDialect, r.Dialect); diff != "" {
				t.Errorf("dialect (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{""}, r.Schema.MissingValues); diff != "" {
				t.Errorf("missingValues (-want +got):\n%s", diff)
			}
		})
	}
	// The dialect's line terminator is the one the CSV writer uses.
	b, err := os.ReadFile(filepath.Join(dir, "csv", "plans.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("\r\n")) || !bytes.HasSuffix(b, []byte("\n")) {
		t.Errorf("plans.csv does not end its records in \\n as the dialect says")
	}
}

func TestDataPackageFields(t *testing.T) {
	types := map[schemas.Type]string{
		schemas.Text: "string", schemas.Integer: "integer", schemas.Double: "number",
		schemas.Date: "date", schemas.TextList: "array",
	}
	s := schemas.MustLoad()
	dp, _ := readDP(t, stage(t, tabletest.Sample(s)))
	seen := map[schemas.Type]bool{}
	for i, ts := range s.Tables {
		f := dp.Resources[i].Schema.Fields
		if len(f) != len(ts.Columns) {
			t.Errorf("%s: %d fields for %d columns", ts.Name, len(f), len(ts.Columns))
			continue
		}
		for j, c := range ts.Columns {
			seen[c.Type] = true
			got := [4]string{f[j].Name, f[j].Type, f[j].Description, ""}
			want := [4]string{c.Name, types[c.Type], c.DescriptionEN + " / " + c.DescriptionZH, ""}
			if f[j].Constraints["required"] {
				got[3] = "required"
			}
			if c.Required {
				want[3] = "required"
			}
			if got != want {
				t.Errorf("%s field %d: got %q, want %q", ts.Name, j, got, want)
			}
		}
	}
	for ty := range types {
		if !seen[ty] {
			t.Errorf("no column of type %s in the schema, so its mapping is untested", ty)
		}
	}
}

func TestDataPackageKeys(t *testing.T) {
	s := schemas.MustLoad()
	dp, _ := readDP(t, stage(t, tabletest.Sample(s)))
	byName := map[string]dpResourceFile{}
	for _, r := range dp.Resources {
		byName[r.Name] = r
	}
	fk := func(field, resource, ref string) dpFKFile {
		var k dpFKFile
		k.Fields, k.Reference.Resource, k.Reference.Fields = field, resource, ref
		return k
	}
	for _, ts := range s.Tables {
		r := byName[ts.Name]
		if diff := cmp.Diff(ts.PrimaryKey, r.Schema.PrimaryKey); diff != "" {
			t.Errorf("%s primaryKey (-want +got):\n%s", ts.Name, diff)
		}
		var want []dpFKFile
		for _, c := range ts.Columns {
			if c.References == "" {
				continue
			}
			res := c.RefTable()
			if res == ts.Name {
				res = ""
			}
			want = append(want, fk(c.Name, res, c.RefColumn()))
		}
		if diff := cmp.Diff(want, r.Schema.ForeignKeys); diff != "" {
			t.Errorf("%s foreignKeys (-want +got):\n%s", ts.Name, diff)
		}
	}
	// A few keys spelled out, so that the test does not only mirror the code.
	cases := []struct {
		table string
		pk    []string
		fks   []dpFKFile
	}{
		{"tasks_flat", []string{"task_id"}, nil},
		{"agencies", []string{"agency_id"}, []dpFKFile{fk("parent_agency_id", "", "agency_id")}},
		{"plan_members", []string{"plan_id", "agency_id"}, []dpFKFile{
			fk("plan_id", "plans", "plan_id"), fk("agency_id", "agencies", "agency_id"),
		}},
		{"evidence", []string{"subject_table", "subject_id", "source_id"}, []dpFKFile{fk("source_id", "sources", "source_id")}},
	}
	for _, tc := range cases {
		r := byName[tc.table]
		if diff := cmp.Diff(tc.pk, r.Schema.PrimaryKey); diff != "" {
			t.Errorf("%s primaryKey (-want +got):\n%s", tc.table, diff)
		}
		if diff := cmp.Diff(tc.fks, r.Schema.ForeignKeys); diff != "" {
			t.Errorf("%s foreignKeys (-want +got):\n%s", tc.table, diff)
		}
	}
}

func TestDataPackageDeterministic(t *testing.T) {
	set := tabletest.Sample(schemas.MustLoad())
	dir := stage(t, set)
	_, first := readDP(t, dir)
	if err := release.DataPackage(dir, set, dpInfo); err != nil {
		t.Fatal(err)
	}
	_, again := readDP(t, dir)
	_, other := readDP(t, stage(t, set))
	if !bytes.Equal(first, again) || !bytes.Equal(first, other) {
		t.Error("datapackage.json differs between runs on the same tables")
	}
	if !bytes.HasSuffix(first, []byte("}\n")) {
		t.Error("datapackage.json does not end in a newline")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestDataPackageNeedsCSV(t *testing.T) {
	set := tabletest.Sample(schemas.MustLoad())
	dir := t.TempDir()
	err := release.DataPackage(dir, set, dpInfo)
	if err == nil || !strings.Contains(err.Error(), "csv/plans.csv") {
		t.Errorf("DataPackage without CSV files: error %v, want one naming csv/plans.csv", err)
	}
	if _, err := os.Stat(filepath.Join(dir, release.DataPackageFile)); !os.IsNotExist(err) {
		t.Errorf("datapackage.json written without CSV files (stat: %v)", err)
	}
}

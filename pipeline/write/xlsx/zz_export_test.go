package xlsx

import (
	"os"
	"testing"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

func TestZZExport(t *testing.T) {
	dir := os.Getenv("XLSX_OUT")
	if dir == "" {
		t.Skip()
	}
	info := table.Info{Dataset: "plandata", ReleaseID: "2022-04-13-000000000000", Date: table.Date(2022, 4, 13), Version: "test"}
	if _, err := (Writer{}).Write(dir, tabletest.Sample(schemas.MustLoad()), info); err != nil {
		t.Fatal(err)
	}
}

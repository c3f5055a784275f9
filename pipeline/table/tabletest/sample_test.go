package tabletest_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/pipeline/table/tabletest"
	"github.com/plandata/plandata/schemas"
)

// TestSample: every table holds Rows rows, and tasks_flat joins each task with the rows of
// the other tables that its keys name.
func TestSample(t *testing.T) {
	set := tabletest.Sample(schemas.MustLoad())
	for _, tt := range set.Tables {
		if n := tt.Len(); n != tabletest.Rows {
			t.Errorf("%s has %d rows, want %d", tt.Name(), n, tabletest.Rows)
		}
	}
	flat := set.Table("tasks_flat")
	var got []string
	err := flat.Scan(func(r table.Row) error {
		cell := func(c string) string { return table.Canon(r[flat.Schema.Index(c)]) }
		got = append(got, strings.Join([]string{cell("task_id"), cell("plan_id"), cell("year"), cell("agencies"), cell("regions")}, " "))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`"tasks-task_id-0" "plans-plan_id-0" 0 "工业互联网 5G全连接工厂:agencies-agency_id-0" "regions-region_id-0"`,
		`"tasks-task_id-1" "plans-plan_id-1" -5 "=SUM(A1:A2):agencies-agency_id-1" "regions-region_id-1"`,
		`"tasks-task_id-2" "plans-plan_id-2" 1099511627776 "+86 010; \"quoted\", comma\nsecond line:agencies-agency_id-2" "regions-region_id-2"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tasks_flat (-want +got)\n%s", diff)
	}
}

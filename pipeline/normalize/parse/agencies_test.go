package parse

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeAgencies stands in for the lookup over agencies.yaml: names and aliases, compared
// after Name, to agency ids.
var fakeAgencies = map[string]string{
	"工业和信息化部": "miit",
	"工信部":     "miit",
	"miit":    "miit",
	"ministry of industry and information technology": "miit",
	"信发司":                  "miit-dii",
	"信息通信管理局":              "miit-ica",
	"国家发展改革委":              "ndrc",
	"国家发展和改革委员会":           "ndrc",
	"发展改革委":                "ndrc",
	"ndrc":                 "ndrc",
	"财政部":                  "mof",
	"科技部":                  "most",
	"国家国防科工局":              "sastind",
	"sastind":              "sastind",
	"人力资源和社会保障部":           "mohrss",
	"国家市场监督管理总局":           "samr",
	"市场监管总局":               "samr",
	"商务部":                  "mofcom",
	"ministry of commerce": "mofcom",
	"mofcom":               "mofcom",
}

func fakeResolve(name string) (string, bool) {
	id, ok := fakeAgencies[Name(name)]
	return id, ok
}

func TestAgencies(t *testing.T) {
	a := func(id, role, as string) Agency { return Agency{ID: id, Role: role, AsWritten: as} }
	tests := []struct {
		in      string
		want    []Agency
		wantErr string
	}{
		// one name
		{in: "工业和信息化部", want: []Agency{a("miit", "unspecified", "工业和信息化部")}},
		{in: " 工信部\u3000", want: []Agency{a("miit", "unspecified", "工信部")}},
		{in: "ＭＩＩＴ", want: []Agency{a("miit", "unspecified", "ＭＩＩＴ")}},
		{in: "人力资源和社会保障部", want: []Agency{a("mohrss", "unspecified", "人力资源和社会保障部")}},
		{in: "工业和信息化部负责", want: []Agency{a("miit", "unspecified", "工业和信息化部")}},
		// departments in brackets
		{in: "工业和信息化部（信发司）", want: []Agency{a("miit-dii", "unspecified", "工业和信息化部（信发司）")}},
		{in: "工业和信息化部(信发司)", want: []Agency{a("miit-dii", "unspecified", "工业和信息化部(信发司)")}},
		{in: "工业和信息化部（信发司)", want: []Agency{a("miit-dii", "unspecified", "工业和信息化部（信发司)")}},
		{in: "工业和信息化部 （ 信发司 ）", want: []Agency{a("miit-dii", "unspecified", "工业和信息化部 （ 信发司 ）")}},
		{in: "工业和信息化部（规划司）", want: []Agency{a("miit", "unspecified", "工业和信息化部（规划司）")}},
		{in: "国家国防科工局（系统工程三司）牵头", want: []Agency{a("sastind", "lead", "国家国防科工局（系统工程三司）")}},
		{in: "Ministry of Commerce (MOFCOM)", want: []Agency{a("mofcom", "unspecified", "Ministry of Commerce (MOFCOM)")}},
		{in: "（信发司）", want: []Agency{a("miit-dii", "unspecified", "（信发司）")}},
		// lead and joint
		{in: "工业和信息化部牵头", want: []Agency{a("miit", "lead", "工业和信息化部")}},
		{in: "工业和信息化部牵头负责", want: []Agency{a("miit", "lead", "工业和信息化部")}},
		{in: "由工业和信息化部牵头", want: []Agency{a("miit", "lead", "工业和信息化部")}},
		{in: "工业和信息化部牵头，国家发展改革委、财政部配合", want: []Agency{
			a("miit", "lead", "工业和信息化部"), a("ndrc", "joint", "国家发展改革委"), a("mof", "joint", "财政部")}},
		{in: "工业和信息化部牵头，国家发展改革委、财政部参与", want: []Agency{
			a("miit", "lead", "工业和信息化部"), a("ndrc", "joint", "国家发展改革委"), a("mof", "joint", "财政部")}},
		{in: "工业和信息化部牵头,国家发展改革委;财政部", want: []Agency{
			a("miit", "lead", "工业和信息化部"), a("ndrc", "joint", "国家发展改革委"), a("mof", "joint", "财政部")}},
		{in: "工业和信息化部牵头，国家发展改革委、财政部等按职责分工负责", want: []Agency{
			a("miit", "lead", "工业和信息化部"), a("ndrc", "joint", "国家发展改革委"), a("mof", "joint", "财政部")}},
		{in: "工业和信息化部、国家发展改革委牵头，科技部配合", want: []Agency{
			a("miit", "lead", "工业和信息化部"), a("ndrc", "lead", "国家发展改革委"), a("most", "joint", "科技部")}},
		{in: "国家发展改革委、财政部配合，工业和信息化部牵头", want: []Agency{
			a("ndrc", "joint", "国家发展改革委"), a("mof", "joint", "财政部"), a("miit", "lead", "工业和信息化部")}},
		{in: "工业和信息化部和国家发展改革委牵头", want: []Agency{
			a("miit", "lead", "工业和信息化部"), a("ndrc", "lead", "国家发展改革委")}},
		{in: "工业和信息化部（信发司）牵头，财政部配合", want: []Agency{
			a("miit-dii", "lead", "工业和信息化部（信发司）"), a("mof", "joint", "财政部")}},
		{in: "工信部（牵头）、财政部", want: []Agency{a("miit", "lead", "工信部"), a("mof", "joint", "财政部")}},
		{in: "led by SASTIND", want: []Agency{a("sastind", "lead", "SASTIND")}},
		{in: "Led by MIIT, with NDRC and MOFCOM", want: []Agency{
			a("miit", "lead", "MIIT"), a("ndrc", "joint", "NDRC"), a("mofcom", "joint", "MOFCOM")}},
		{in: "led by MIIT and NDRC", want: []Agency{a("miit", "lead", "MIIT"), a("ndrc", "lead", "NDRC")}},
		{in: "led by MIIT, NDRC", want: []Agency{a("miit", "lead", "MIIT"), a("ndrc", "joint", "NDRC")}},
		{in: "MIIT, NDRC (lead)", want: []Agency{a("miit", "joint", "MIIT"), a("ndrc", "lead", "NDRC")}},
		{in: "国家发展改革委、财政部配合", want: []Agency{a("ndrc", "joint", "国家发展改革委"), a("mof", "joint", "财政部")}},
		// unspecified lists
		{in: "工业和信息化部、国家发展改革委", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("ndrc", "unspecified", "国家发展改革委")}},
		{in: "工业和信息化部、国家发展改革委按职责分工负责", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("ndrc", "unspecified", "国家发展改革委")}},
		{in: "工业和信息化部、国家发展改革委等按职责分工负责", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("ndrc", "unspecified", "国家发展改革委")}},
		{in: "工业和信息化部、国家发展改革委等部门", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("ndrc", "unspecified", "国家发展改革委")}},
		{in: "工业和信息化部、国家发展改革委等", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("ndrc", "unspecified", "国家发展改革委")}},
		{in: "工业和信息化部、国家发展改革委分别负责", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("ndrc", "unspecified", "国家发展改革委")}},
		{in: "工业和信息化部和财政部", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("mof", "unspecified", "财政部")}},
		{in: "工业和信息化部及财政部", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("mof", "unspecified", "财政部")}},
		{in: "工业和信息化部与财政部", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("mof", "unspecified", "财政部")}},
		{in: "工业和信息化部、科技部以及财政部", want: []Agency{
			a("miit", "unspecified", "工业和信息化部"), a("most", "unspecified", "科技部"), a("mof", "unspecified", "财政部")}},
		{in: "人力资源和社会保障部和财政部", want: []Agency{
			a("mohrss", "unspecified", "人力资源和社会保障部"), a("mof", "unspecified", "财政部")}},
		{in: "MIIT and NDRC", want: []Agency{a("miit", "unspecified", "MIIT"), a("ndrc", "unspecified", "NDRC")}},
		{in: "MIIT, NDRC, and MOFCOM", want: []Agency{
			a("miit", "unspecified", "MIIT"), a("ndrc", "unspecified", "NDRC"), a("mofcom", "unspecified", "MOFCOM")}},
		{in: "MIIT, NDRC, etc.", want: []Agency{a("miit", "unspecified", "MIIT"), a("ndrc", "unspecified", "NDRC")}},
		{in: "Ministry of Industry and Information Technology and Ministry of Commerce", want: []Agency{
			a("miit", "unspecified", "Ministry of Industry and Information Technology"),
			a("mofcom", "unspecified", "Ministry of Commerce")}},
		{in: "工信部、、财政部、", want: []Agency{a("miit", "unspecified", "工信部"), a("mof", "unspecified", "财政部")}},

		// errors
		{in: "", wantErr: `responsible units "": empty`},
		{in: " \u3000 ", wantErr: `responsible units " \u3000 ": empty`},
		{in: "XYZ", wantErr: `responsible units "XYZ": unknown agency "XYZ"`},
		{in: "XYZ牵头，财政部配合", wantErr: `responsible units "XYZ牵头，财政部配合": unknown agency "XYZ"`},
		{in: "XYZ、ABC和工信部", wantErr: `responsible units "XYZ、ABC和工信部": unknown agencies "XYZ", "ABC"`},
		{in: "工业和信息化部及XYZ部", wantErr: `responsible units "工业和信息化部及XYZ部": unknown agency "XYZ部"`},
		{in: "XYZ和ABC", wantErr: `responsible units "XYZ和ABC": unknown agency "XYZ和ABC"`},
		{in: "XYZ（规划司）", wantErr: `responsible units "XYZ（规划司）": unknown agency "XYZ（规划司）"`},
		{in: "XYZ（信发司）", wantErr: `responsible units "XYZ（信发司）": unknown agency "XYZ（信发司）"`},
		{in: "相关部门、XYZ、相关部门", wantErr: `responsible units "相关部门、XYZ、相关部门": unknown agencies "相关部门", "XYZ"`},
		{in: "工信部、工业和信息化部", wantErr: `responsible units "工信部、工业和信息化部": agency "miit" is named twice ("工信部", "工业和信息化部")`},
		{in: "工信部、MIIT、工业和信息化部（规划司）", wantErr: `responsible units "工信部、MIIT、工业和信息化部（规划司）": agency "miit" is named 3 times ("工信部", "MIIT", "工业和信息化部（规划司）")`},
		{in: "XYZ、财政部、财政部", wantErr: `responsible units "XYZ、财政部、财政部": unknown agency "XYZ"; agency "mof" is named twice ("财政部", "财政部")`},
		{in: "牵头", wantErr: `responsible units "牵头": no agency name in "牵头"`},
		{in: "工信部，配合", wantErr: `responsible units "工信部，配合": no agency name in "配合"`},
		{in: "工信部牵头配合", wantErr: `responsible units "工信部牵头配合": "配合" and "牵头" in "工信部牵头配合" give two roles`},
		{in: "等", wantErr: `responsible units "等": no agency names`},
		{in: "工信部（信发司", wantErr: `responsible units "工信部（信发司": brackets do not match`},
		{in: "工信部）", wantErr: `responsible units "工信部）": brackets do not match`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Agencies(tt.in, fakeResolve)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Agencies(%q) = %+v, want error %q", tt.in, got, tt.wantErr)
				}
				if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
					t.Errorf("Agencies(%q) error (-want +got):\n%s", tt.in, diff)
				}
				if !errors.Is(err, ErrAgencies) {
					t.Errorf("Agencies(%q) error %v does not wrap ErrAgencies", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Agencies(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Agencies(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestAgenciesResolveCalls checks what resolve is asked: trimmed names, the department
// before the agency.
func TestAgenciesResolveCalls(t *testing.T) {
	var calls []string
	resolve := func(name string) (string, bool) {
		calls = append(calls, name)
		return fakeResolve(name)
	}
	if _, err := Agencies(" 工业和信息化部 （ 规划司 ） 牵头\u3000", resolve); err != nil {
		t.Fatal(err)
	}
	want := []string{"规划司", "工业和信息化部"}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("resolve calls (-want +got):\n%s", diff)
	}
}

package parse_test

import (
	"errors"
	"fmt"

	"github.com/plandata/plandata/pipeline/normalize/parse"
)

func ExampleDeadline() {
	for _, s := range []string{"2022年12月底", "2022年第三季度", "2022年上半年", "end of 2022", "持续推进"} {
		d, err := parse.Deadline(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		if !d.HasDate {
			fmt.Printf("%s: %s\n", s, d.Precision)
			continue
		}
		fmt.Printf("%s: %s %s\n", s, d.Date.Format("2006-01-02"), d.Precision)
	}
	_, err := parse.Deadline("2022年13月")
	fmt.Println(err, errors.Is(err, parse.ErrDeadline))
	// Output:
	// 2022年12月底: 2022-12-31 month
	// 2022年第三季度: 2022-09-30 quarter
	// 2022年上半年: 2022-06-30 half
	// end of 2022: 2022-12-31 year
	// 持续推进: ongoing
	// deadline "2022年13月": month 13 is not between 1 and 12 true
}

func ExampleTarget() {
	value := func(v *float64) string {
		if v == nil {
			return "NULL"
		}
		return fmt.Sprint(*v)
	}
	for _, s := range []string{"10个", "3-5个", "10万家以上", "1000余家", "1.5亿元", "about 10 regions", "3,000+ enterprises"} {
		q, err := parse.Target(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: %s min=%s max=%s unit_zh=%q unit_en=%q\n",
			s, q.Comparator, value(q.Min), value(q.Max), q.UnitZH, q.UnitEN)
	}
	_, err := parse.Target("一批")
	fmt.Println(err)
	// Output:
	// 10个: = min=10 max=10 unit_zh="个" unit_en=""
	// 3-5个: range min=3 max=5 unit_zh="个" unit_en=""
	// 10万家以上: >= min=100000 max=NULL unit_zh="家" unit_en="enterprises"
	// 1000余家: >= min=1000 max=NULL unit_zh="家" unit_en="enterprises"
	// 1.5亿元: = min=1.5e+08 max=1.5e+08 unit_zh="元" unit_en="yuan"
	// about 10 regions: ~ min=10 max=10 unit_zh="" unit_en="regions"
	// 3,000+ enterprises: >= min=3000 max=NULL unit_zh="" unit_en="enterprises"
	// target "一批": no number
}

func ExampleAgencies() {
	// resolve is a lookup over the names and aliases in agencies.yaml; here a small map.
	ids := map[string]string{
		"工业和信息化部": "miit", "信发司": "miit-dii", "国家发展改革委": "ndrc", "财政部": "mof",
	}
	resolve := func(name string) (string, bool) {
		id, ok := ids[parse.Name(name)]
		return id, ok
	}
	agencies, err := parse.Agencies("工业和信息化部（信发司）牵头，国家发展改革委、财政部配合", resolve)
	if err != nil {
		fmt.Println(err)
	}
	for _, a := range agencies {
		fmt.Printf("%s %s %s\n", a.ID, a.Role, a.AsWritten)
	}
	_, err = parse.Agencies("工业和信息化部、国家发改委、科学技术部", resolve)
	fmt.Println(err)
	// Output:
	// miit-dii lead 工业和信息化部（信发司）
	// ndrc joint 国家发展改革委
	// mof joint 财政部
	// responsible units "工业和信息化部、国家发改委、科学技术部": unknown agencies "国家发改委", "科学技术部"
}

func ExampleName() {
	fmt.Printf("%q\n", parse.Name("  Chongqing "))
	fmt.Printf("%q\n", parse.Name("ＭＩＩＴ"))
	fmt.Printf("%q\n", parse.Name("工业和信息化部（信发司）"))
	fmt.Printf("%q\n", parse.Name("Inner   Mongolia"))
	// Output:
	// "chongqing"
	// "miit"
	// "工业和信息化部(信发司)"
	// "inner mongolia"
}

func ExampleUnitEN() {
	fmt.Printf("%q %q %q\n", parse.UnitEN("家"), parse.UnitEN("元"), parse.UnitEN("个"))
	// Output:
	// "enterprises" "yuan" ""
}

package parse

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTarget(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	eq := func(v float64, zh, en string) Quantity {
		return Quantity{Min: f(v), Max: f(v), Comparator: "=", UnitZH: zh, UnitEN: en}
	}
	about := func(v float64, zh, en string) Quantity {
		return Quantity{Min: f(v), Max: f(v), Comparator: "~", UnitZH: zh, UnitEN: en}
	}
	atLeast := func(v float64, zh, en string) Quantity {
		return Quantity{Min: f(v), Comparator: ">=", UnitZH: zh, UnitEN: en}
	}
	atMost := func(v float64, zh, en string) Quantity {
		return Quantity{Max: f(v), Comparator: "<=", UnitZH: zh, UnitEN: en}
	}
	between := func(lo, hi float64, zh, en string) Quantity {
		return Quantity{Min: f(lo), Max: f(hi), Comparator: "range", UnitZH: zh, UnitEN: en}
	}
	tests := []struct {
		in      string
		want    Quantity
		wantErr string
	}{
		// Chinese =
		{in: "10个", want: eq(10, "个", "")},
		{in: "6家", want: eq(6, "家", "enterprises")},
		{in: "20项", want: eq(20, "项", "items")},
		{in: "5件", want: eq(5, "件", "items")},
		{in: "0个", want: eq(0, "个", "")},
		{in: "1,000家", want: eq(1000, "家", "enterprises")},
		{in: "１０个", want: eq(10, "个", "")},
		{in: " 10 个 ", want: eq(10, "个", "")},
		{in: "10个5G工厂", want: eq(10, "个5G工厂", "")},
		{in: "1000家规模以上工业企业", want: eq(1000, "家规模以上工业企业", "")},
		// Chinese multipliers
		{in: "10万", want: eq(100000, "", "")},
		{in: "1.5万", want: eq(15000, "", "")},
		{in: "1.5亿元", want: eq(150000000, "元", "yuan")},
		{in: "100亿元", want: eq(1e10, "元", "yuan")},
		{in: "5千家", want: eq(5000, "家", "enterprises")},
		{in: "1.2万亿元", want: eq(1.2e12, "元", "yuan")},
		{in: "3百万", want: eq(3e6, "", "")},
		{in: "10千瓦", want: eq(10, "千瓦", "")},
		{in: "0.1亿", want: eq(1e7, "", "")},
		// Chinese range
		{in: "3-5个", want: between(3, 5, "个", "")},
		{in: "3～5个", want: between(3, 5, "个", "")},
		{in: "3~5个", want: between(3, 5, "个", "")},
		{in: "3—5个", want: between(3, 5, "个", "")},
		{in: "3——5个", want: between(3, 5, "个", "")},
		{in: "3–5个", want: between(3, 5, "个", "")},
		{in: "3至5个", want: between(3, 5, "个", "")},
		{in: "3到5个", want: between(3, 5, "个", "")},
		{in: "３－５个", want: between(3, 5, "个", "")},
		{in: "3-5万家", want: between(30000, 50000, "家", "enterprises")},
		{in: "3万-5万家", want: between(30000, 50000, "家", "enterprises")},
		{in: "约3-5个", want: between(3, 5, "个", "")},
		{in: "5-5个", want: between(5, 5, "个", "")},
		// Chinese ~
		{in: "约10个", want: about(10, "个", "")},
		{in: "10个左右", want: about(10, "个", "")},
		{in: "大约10个", want: about(10, "个", "")},
		{in: "近1000家", want: about(1000, "家", "enterprises")},
		{in: "约10个左右", want: about(10, "个", "")},
		// Chinese >=; "more than" (超过, 余, 多) is >= the stated figure
		{in: "不少于300个", want: atLeast(300, "个", "")},
		{in: "至少300个", want: atLeast(300, "个", "")},
		{in: "300个以上", want: atLeast(300, "个", "")},
		{in: "300个及以上", want: atLeast(300, "个", "")},
		{in: "超过120个", want: atLeast(120, "个", "")},
		{in: "120个以上", want: atLeast(120, "个", "")},
		{in: "1000余家", want: atLeast(1000, "家", "enterprises")},
		{in: "1000多家", want: atLeast(1000, "家", "enterprises")},
		{in: "1000+家", want: atLeast(1000, "家", "enterprises")},
		{in: "10万家以上", want: atLeast(100000, "家", "enterprises")},
		{in: "10万余家", want: atLeast(100000, "家", "enterprises")},
		{in: "10万以上", want: atLeast(100000, "", "")},
		{in: "10万家以上企业", want: atLeast(100000, "家企业", "enterprises")},
		{in: "50%以上", want: atLeast(50, "%", "%")},
		{in: "不少于300个以上", want: atLeast(300, "个", "")},
		// Chinese <=
		{in: "不超过5个", want: atMost(5, "个", "")},
		{in: "5个以内", want: atMost(5, "个", "")},
		{in: "最多5个", want: atMost(5, "个", "")},
		{in: "5个以下", want: atMost(5, "个", "")},

		// English =
		{in: "10", want: eq(10, "", "")},
		{in: "10 benchmark factories", want: eq(10, "", "benchmark factories")},
		{in: "10 5G factories", want: eq(10, "", "5G factories")},
		{in: "3,000 enterprises", want: eq(3000, "", "enterprises")},
		{in: "2.5 million", want: eq(2.5e6, "", "")},
		{in: "2 billion registrations", want: eq(2e9, "", "registrations")},
		{in: "1.5 thousand", want: eq(1500, "", "")},
		{in: "one guidance document", want: eq(1, "", "guidance document")},
		{in: "a guidance document", want: eq(1, "", "guidance document")},
		{in: "an action plan", want: eq(1, "", "action plan")},
		{in: "One Guidance Document", want: eq(1, "", "Guidance Document")},
		{in: "ten regions", want: eq(10, "", "regions")},
		{in: "two million", want: eq(2e6, "", "")},
		{in: "50%", want: eq(50, "", "%")},
		// English range
		{in: "3-5", want: between(3, 5, "", "")},
		{in: "3 - 5 platforms", want: between(3, 5, "", "platforms")},
		{in: "3–5", want: between(3, 5, "", "")},
		{in: "3 to 5 factories", want: between(3, 5, "", "factories")},
		{in: "between 3 and 5", want: between(3, 5, "", "")},
		{in: "from 3 to 5 regions", want: between(3, 5, "", "regions")},
		{in: "two to five", want: between(2, 5, "", "")},
		{in: "3-5 million", want: between(3e6, 5e6, "", "")},
		{in: "about 3-5", want: between(3, 5, "", "")},
		// English ~
		{in: "about 10 regions", want: about(10, "", "regions")},
		{in: "around 10", want: about(10, "", "")},
		{in: "roughly 10", want: about(10, "", "")},
		{in: "approximately 10", want: about(10, "", "")},
		{in: "~10", want: about(10, "", "")},
		{in: "～10", want: about(10, "", "")},
		{in: "About two", want: about(2, "", "")},
		// English >=
		{in: "at least 3,000 enterprises", want: atLeast(3000, "", "enterprises")},
		{in: "no fewer than 300", want: atLeast(300, "", "")},
		{in: "not less than 300", want: atLeast(300, "", "")},
		{in: "3,000+ enterprises", want: atLeast(3000, "", "enterprises")},
		{in: "100,000+", want: atLeast(100000, "", "")},
		{in: "100,000+ enterprises", want: atLeast(100000, "", "enterprises")},
		{in: "more than 120", want: atLeast(120, "", "")},
		{in: "over 120", want: atLeast(120, "", "")},
		{in: "120 or more", want: atLeast(120, "", "")},
		{in: "120 or more enterprises", want: atLeast(120, "", "enterprises")},
		{in: "two or so", want: about(2, "", "")},
		{in: "10 or so platforms", want: about(10, "", "platforms")},
		{in: "120 enterprises or more", want: atLeast(120, "", "enterprises")},
		{in: "20+", want: atLeast(20, "", "")},
		{in: "More than 1 million", want: atLeast(1e6, "", "")},
		// English <=
		{in: "at most 5", want: atMost(5, "", "")},
		{in: "up to 5", want: atMost(5, "", "")},
		{in: "no more than 5", want: atMost(5, "", "")},
		{in: "5 or fewer pilots", want: atMost(5, "", "pilots")},

		// errors
		{in: "", wantErr: `target "": empty`},
		{in: "  ", wantErr: `target "  ": empty`},
		{in: "一批", wantErr: `target "一批": no number`},
		{in: "若干个", wantErr: `target "若干个": no number`},
		{in: "benchmark factories", wantErr: `target "benchmark factories": no number`},
		{in: "至少", wantErr: `target "至少": no number after "至少"`},
		{in: "at least some", wantErr: `target "at least some": no number after "at least"`},
		{in: "5-3个", wantErr: `target "5-3个": range minimum 5 is greater than maximum 3`},
		{in: "5 to 3", wantErr: `target "5 to 3": range minimum 5 is greater than maximum 3`},
		{in: "5万-3个", wantErr: `target "5万-3个": range minimum 50000 is greater than maximum 3`},
		{in: "-5个", wantErr: `target "-5个": "-5" is negative`},
		{in: "-5", wantErr: `target "-5": "-5" is negative`},
		{in: "负5个", wantErr: `target "负5个": "负5" is negative`},
		{in: "至少10个以内", wantErr: `target "至少10个以内": "至少" and "以内" contradict each other`},
		{in: "about 20+", wantErr: `target "about 20+": "about" and "+" contradict each other`},
		{in: "3-5个以上", wantErr: `target "3-5个以上": "以上" does not go with a range`},
		{in: "at least 3-5", wantErr: `target "at least 3-5": "at least" does not go with a range`},
		{in: "between 3", wantErr: `target "between 3": "between" needs a range such as "between 3 and 5"`},
		{in: "3 and 5", wantErr: `target "3 and 5": "and 5" after the number is not understood`},
		{in: "2022年10个", wantErr: `target "2022年10个": "年10个" after the number is not understood`},
		{in: "3个至5个", wantErr: `target "3个至5个": "个至5个" after the number is not understood`},
		{in: "10 20", wantErr: `target "10 20": "20" after the number is not understood`},
		{in: "3-个", wantErr: `target "3-个": "-个" after the number is not understood`},
		{in: "10 (estimated)", wantErr: `target "10 (estimated)": "(estimated)" after the number is not understood`},
		{in: "one of the largest", wantErr: `target "one of the largest": "of the largest" after the number is not understood`},
		{in: "5G工厂", wantErr: `target "5G工厂": "5G" is not a number`},
		{in: "1e5", wantErr: `target "1e5": "1e5" is not a number`},
		{in: "3,00", wantErr: `target "3,00": "3,00" is not a number`},
		{in: "10.", wantErr: `target "10.": "10." is not a number`},
		{in: "a few", wantErr: `target "a few": "a few" is not a number`},
		{in: "a number of platforms", wantErr: `target "a number of platforms": "a number" is not a number`},
		{in: "a batch of pilots", wantErr: `target "a batch of pilots": "a batch" is not a number`},
		{in: "a", wantErr: `target "a": "a" needs what it counts after it`},
		{in: "tens of thousands", wantErr: `target "tens of thousands": no number`},
		{in: "1" + strings.Repeat("0", 400) + "亿", wantErr: `target "1` + strings.Repeat("0", 400) +
			`亿": number "1` + strings.Repeat("0", 400) + `亿" is too large`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Target(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Target(%q) = %+v, want error %q", tt.in, got, tt.wantErr)
				}
				if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
					t.Errorf("Target(%q) error (-want +got):\n%s", tt.in, diff)
				}
				if !errors.Is(err, ErrTarget) {
					t.Errorf("Target(%q) error %v does not wrap ErrTarget", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Target(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Target(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestUnitEN(t *testing.T) {
	tests := map[string]string{
		"个": "", "批": "", "家": "enterprises", "家企业": "enterprises", "项": "items", "件": "items",
		"元": "yuan", "万元": "10,000 yuan", "亿元": "100 million yuan", "个百分点": "percentage points",
		"%": "%", "": "",
	}
	for zh, want := range tests {
		t.Run(zh, func(t *testing.T) {
			if got := UnitEN(zh); got != want {
				t.Errorf("UnitEN(%q) = %q, want %q", zh, got, want)
			}
		})
	}
}

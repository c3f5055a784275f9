package parse

import "testing"

func TestName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"重庆", "重庆"},
		{"  重庆市 ", "重庆市"},
		{"\u3000重庆\u3000", "重庆"},
		{"Chongqing", "chongqing"},
		{"CHONGQING", "chongqing"},
		{"chongqing", "chongqing"},
		{"Inner  Mongolia\t Autonomous\nRegion", "inner mongolia autonomous region"},
		{"ＭＩＩＴ", "miit"},
		{"工业和信息化部（信发司）", "工业和信息化部(信发司)"},
		{"工业和信息化部(信发司)", "工业和信息化部(信发司)"},
		{"５Ｇ工厂", "5g工厂"},
		{"Chóngqìng", "chóngqìng"},
		{"Cho\u0301ngqi\u0300ng", "chóngqìng"}, // decomposed accents compose to NFC
		{"ｶﾞ", "ガ"},                            // half-width katakana to full width, composed
		{"国家\u00a0发展改革委", "国家 发展改革委"},
		{"", ""},
		{" \t\n\u3000", ""},
		{"a\xffb", "a\ufffdb"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Name(tt.in)
			if got != tt.want {
				t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Name(got); again != got {
				t.Errorf("Name(Name(%q)) = %q, want %q", tt.in, again, got)
			}
		})
	}
}

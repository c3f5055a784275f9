package parse

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDeadline(t *testing.T) {
	day := func(y int, m time.Month, d int, precision string) Due {
		return Due{Date: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), HasDate: true, Precision: precision}
	}
	ongoing := Due{Precision: "ongoing"}
	tests := []struct {
		in      string
		want    Due
		wantErr string
	}{
		// day
		{in: "2022年12月31日", want: day(2022, 12, 31, "day")},
		{in: "2022年3月5日前", want: day(2022, 3, 5, "day")},
		{in: "2022-12-31", want: day(2022, 12, 31, "day")},
		{in: "2022/6/1", want: day(2022, 6, 1, "day")},
		{in: "2022.06.01", want: day(2022, 6, 1, "day")},
		{in: "2024-02-29", want: day(2024, 2, 29, "day")},
		{in: "31 December 2022", want: day(2022, 12, 31, "day")},
		{in: "December 31, 2022", want: day(2022, 12, 31, "day")},
		{in: "Dec. 31, 2022", want: day(2022, 12, 31, "day")},
		{in: "by 1st of July 2022", want: day(2022, 7, 1, "day")},
		// month
		{in: "2022年12月底", want: day(2022, 12, 31, "month")},
		{in: "2022年12月", want: day(2022, 12, 31, "month")},
		{in: "2022年6月", want: day(2022, 6, 30, "month")},
		{in: "2022年2月", want: day(2022, 2, 28, "month")},
		{in: "2024年2月底前", want: day(2024, 2, 29, "month")},
		{in: "2022年06月末", want: day(2022, 6, 30, "month")},
		{in: "2022年6月份", want: day(2022, 6, 30, "month")},
		{in: "2019年12月", want: day(2019, 12, 31, "month")},
		{in: "2022-12", want: day(2022, 12, 31, "month")},
		{in: "2022-6", want: day(2022, 6, 30, "month")},
		{in: "December 2022", want: day(2022, 12, 31, "month")},
		{in: "Dec 2022", want: day(2022, 12, 31, "month")},
		{in: "by December 2022", want: day(2022, 12, 31, "month")},
		{in: "end of June 2022", want: day(2022, 6, 30, "month")},
		{in: "Sept 2022", want: day(2022, 9, 30, "month")},
		// quarter
		{in: "2022年第三季度", want: day(2022, 9, 30, "quarter")},
		{in: "2022年三季度", want: day(2022, 9, 30, "quarter")},
		{in: "2022年第1季度", want: day(2022, 3, 31, "quarter")},
		{in: "2022年第四季度末", want: day(2022, 12, 31, "quarter")},
		{in: "2022年二季度前", want: day(2022, 6, 30, "quarter")},
		{in: "2022年Q3", want: day(2022, 9, 30, "quarter")},
		{in: "2022Q3", want: day(2022, 9, 30, "quarter")},
		{in: "Q3 2022", want: day(2022, 9, 30, "quarter")},
		{in: "q3 2022", want: day(2022, 9, 30, "quarter")},
		{in: "2022 Q4", want: day(2022, 12, 31, "quarter")},
		{in: "by the end of Q1 2023", want: day(2023, 3, 31, "quarter")},
		{in: "third quarter of 2022", want: day(2022, 9, 30, "quarter")},
		{in: "by the end of the 2nd quarter of 2022", want: day(2022, 6, 30, "quarter")},
		// half
		{in: "2022年上半年", want: day(2022, 6, 30, "half")},
		{in: "2022年下半年", want: day(2022, 12, 31, "half")},
		{in: "2022年上半年底前", want: day(2022, 6, 30, "half")},
		{in: "H1 2022", want: day(2022, 6, 30, "half")},
		{in: "2022 H2", want: day(2022, 12, 31, "half")},
		{in: "first half of 2022", want: day(2022, 6, 30, "half")},
		{in: "by the end of the second half of 2022", want: day(2022, 12, 31, "half")},
		// year
		{in: "2022年底前", want: day(2022, 12, 31, "year")},
		{in: "2022年底", want: day(2022, 12, 31, "year")},
		{in: "2022年年底", want: day(2022, 12, 31, "year")},
		{in: "2022年末", want: day(2022, 12, 31, "year")},
		{in: "2022年年末前", want: day(2022, 12, 31, "year")},
		{in: "2022年", want: day(2022, 12, 31, "year")},
		{in: "2022年内", want: day(2022, 12, 31, "year")},
		{in: "2025年前", want: day(2025, 12, 31, "year")},
		{in: "到2022年底", want: day(2022, 12, 31, "year")},
		{in: "截至2022年底", want: day(2022, 12, 31, "year")},
		{in: "2022", want: day(2022, 12, 31, "year")},
		{in: "end of 2022", want: day(2022, 12, 31, "year")},
		{in: "End of 2022", want: day(2022, 12, 31, "year")},
		{in: "by the end of 2022", want: day(2022, 12, 31, "year")},
		{in: "by end-2024", want: day(2024, 12, 31, "year")},
		{in: "year-end 2022", want: day(2022, 12, 31, "year")},
		{in: "2022 year-end", want: day(2022, 12, 31, "year")},
		{in: "in 2022", want: day(2022, 12, 31, "year")},
		{in: "1949", want: day(1949, 12, 31, "year")},
		{in: "2100年", want: day(2100, 12, 31, "year")},
		// ongoing
		{in: "持续推进", want: ongoing},
		{in: "持续", want: ongoing},
		{in: "长期", want: ongoing},
		{in: "长期推进", want: ongoing},
		{in: "常态化", want: ongoing},
		{in: "ongoing", want: ongoing},
		{in: "Ongoing", want: ongoing},
		{in: "long-term", want: ongoing},
		{in: "long term", want: ongoing},
		// white space and full width
		{in: "  2022年12月底\n", want: day(2022, 12, 31, "month")},
		{in: "\u30002022年12月\u3000", want: day(2022, 12, 31, "month")},
		{in: "２０２２年１２月", want: day(2022, 12, 31, "month")},
		{in: "２０２２－１２－３１", want: day(2022, 12, 31, "day")},
		{in: "2022 年 12 月 底", want: day(2022, 12, 31, "month")},
		{in: "２０２２年Ｑ３", want: day(2022, 9, 30, "quarter")},
		{in: "  end   of\t2022 ", want: day(2022, 12, 31, "year")},

		// errors
		{in: "", wantErr: `deadline "": empty`},
		{in: " \t\u3000", wantErr: `deadline " \t\u3000": empty`},
		{in: "2022年13月", wantErr: `deadline "2022年13月": month 13 is not between 1 and 12`},
		{in: "2022年0月", wantErr: `deadline "2022年0月": month 0 is not between 1 and 12`},
		{in: "2022-13", wantErr: `deadline "2022-13": month 13 is not between 1 and 12`},
		{in: "2022-02-30", wantErr: `deadline "2022-02-30": day 30 is not in February 2022`},
		{in: "2023-02-29", wantErr: `deadline "2023-02-29": day 29 is not in February 2023`},
		{in: "2022-13-45", wantErr: `deadline "2022-13-45": month 13 is not between 1 and 12`},
		{in: "2022-12-00", wantErr: `deadline "2022-12-00": day 0 is not in December 2022`},
		{in: "2022年4月31日", wantErr: `deadline "2022年4月31日": day 31 is not in April 2022`},
		{in: "1900年", wantErr: `deadline "1900年": year 1900 is not between 1949 and 2100`},
		{in: "1948", wantErr: `deadline "1948": year 1948 is not between 1949 and 2100`},
		{in: "2101年底", wantErr: `deadline "2101年底": year 2101 is not between 1949 and 2100`},
		{in: "9999-12-31", wantErr: `deadline "9999-12-31": year 9999 is not between 1949 and 2100`},
		{in: "2022年第五季度", wantErr: `deadline "2022年第五季度": "第五季度" after "2022年" is not understood`},
		{in: "Q5 2022", wantErr: `deadline "Q5 2022": not understood as a day, month, quarter, half-year, year or ongoing deadline`},
		{in: "2022年12月中旬", wantErr: `deadline "2022年12月中旬": "中旬" after "2022年12月" is not understood`},
		{in: "2022年底前完成", wantErr: `deadline "2022年底前完成": "完成" after "2022年底前" is not understood`},
		{in: "2022-2023年", wantErr: `deadline "2022-2023年": "-2023年" after "2022" is not understood`},
		{in: "2022年12月31", wantErr: `deadline "2022年12月31": "31" after "2022年12月" is not understood`},
		{in: "22年", wantErr: `deadline "22年": not understood as a day, month, quarter, half-year, year or ongoing deadline`},
		{in: "二〇二二年", wantErr: `deadline "二〇二二年": not understood as a day, month, quarter, half-year, year or ongoing deadline`},
		{in: "mid-2022", wantErr: `deadline "mid-2022": not understood as a day, month, quarter, half-year, year or ongoing deadline`},
		{in: "12/2022", wantErr: `deadline "12/2022": not understood as a day, month, quarter, half-year, year or ongoing deadline`},
		{in: "20221231", wantErr: `deadline "20221231": not understood as a day, month, quarter, half-year, year or ongoing deadline`},
		{in: "Decembre 2022", wantErr: `deadline "Decembre 2022": not understood as a day, month, quarter, half-year, year or ongoing deadline`},
		{in: "2022年Q3x", wantErr: `deadline "2022年Q3x": "q3x" after "2022年" is not understood`},
		{in: "unknown", wantErr: `deadline "unknown": not understood as a day, month, quarter, half-year, year or ongoing deadline`},
		{in: "持续推进中", wantErr: `deadline "持续推进中": "中" after "持续推进" is not understood`},
		{in: "ongoing since 2020", wantErr: `deadline "ongoing since 2020": " since 2020" after "ongoing" is not understood`},
		{in: "December 2022 for the key tasks", wantErr: `deadline "December 2022 for the key tasks": " for the key tasks" after "december 2022" is not understood`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Deadline(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Deadline(%q) = %+v, want error %q", tt.in, got, tt.wantErr)
				}
				if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
					t.Errorf("Deadline(%q) error (-want +got):\n%s", tt.in, diff)
				}
				if !errors.Is(err, ErrDeadline) {
					t.Errorf("Deadline(%q) error %v does not wrap ErrDeadline", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Deadline(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Deadline(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

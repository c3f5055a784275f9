package xlsx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/plandata/plandata/pipeline/table"
	"github.com/plandata/plandata/schemas"
)

// Straightforward forms of what textMeasure, tokenWidths, wrapLines and checkText compute in
// one pass: the layout must not change by a bit.

func splitTokens(s string, slashes bool) []string {
	var toks []string
	eachToken(s, slashes, func(tok string) { toks = append(toks, tok) })
	return toks
}

func plainLongestWord(s string) float64 {
	w := 0.0
	for _, tok := range splitTokens(s, true) {
		w = max(w, textWidth(strings.TrimRight(tok, " ")))
	}
	return w
}

func plainWrapLines(s string, width float64, bold bool) int {
	scale := 1.0
	if bold {
		scale = boldFactor
	}
	limit := max(width-textMargin, 1)
	n := 0
	for _, para := range strings.Split(s, "\n") {
		n += max(fillLines(splitTokens(para, false), limit, scale), fillLines(splitTokens(para, true), limit, scale))
	}
	return n
}

func plainUnits(s string) int { return len(utf16.Encode([]rune(s))) }

// measureTexts are texts that exercise every branch of the one-pass forms.
func measureTexts() []string {
	texts := []string{"", " ", "  ", "a", "a ", " a", "a  b", "a/b", "a-b-", "x/ y", "工", "工 ", " 工", "工业a b", "ab工cd",
		"line one\nline two is longer", "\n", "a\n\nb", "tab\there", "a\r\nb", "http://example.com/a-b/c", "—…",
		"ＡＢ full-width", "\U00020000 ext B", "\xff invalid", strings.Repeat("supercalifragilistic ", 9),
		"工业互联网，工业互联网 5G全连接工厂/标识解析-二级节点", "+86 010; \"quoted\", comma\nsecond line"}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("ab Z0 /-\n\t工业，—ＡＢ\U00020000.")
	for range 2000 {
		r := make([]rune, rng.IntN(40))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(r))
	}
	return texts
}

func TestMeasureOnePass(t *testing.T) {
	for _, s := range measureTexts() {
		width, multi, word := textMeasure(s)
		wantWidth, wantMulti := linesWidth(s)
		if width != wantWidth || multi != wantMulti || word != plainLongestWord(s) {
			t.Errorf("textMeasure(%q) = %v, %t, %v; want %v, %t, %v", s, width, multi, word, wantWidth, wantMulti, plainLongestWord(s))
		}
		full, trimmed := tokenWidths(s)
		if full != textWidth(s) || trimmed != textWidth(strings.TrimRight(s, " ")) {
			t.Errorf("tokenWidths(%q) = %v, %v", s, full, trimmed)
		}
		for _, width := range []float64{3, 8, 11.3, 16, 21.3, 60} {
			for _, bold := range []bool{false, true} {
				if got, want := wrapLines(s, width, bold), plainWrapLines(s, width, bold); got != want {
					t.Errorf("wrapLines(%q, %g, %t) = %d, want %d", s, width, bold, got, want)
				}
			}
		}
	}
	for _, n := range []int64{0, -1, 7, 1234567890123, math.MinInt64} {
		x := float64(n) / 7
		if w, multi, word := cellMeasure(n); w != textWidth(strconv.FormatInt(n, 10)) || multi || word != 0 {
			t.Errorf("cellMeasure(%d) = %v, %t, %v", n, w, multi, word)
		}
		if w, multi, word := cellMeasure(x); w != min(textWidth(strconv.FormatFloat(x, 'g', -1, 64)), 12) || multi || word != 0 {
			t.Errorf("cellMeasure(%v) = %v, %t, %v", x, w, multi, word)
		}
	}
	if w, _, _ := cellMeasure(table.Date(2022, 4, 13)); w != textWidth(dateFormat) {
		t.Errorf("cellMeasure(date) = %v, want %v", w, textWidth(dateFormat))
	}
	list := []string{"网络", "平台/安全", "a b"}
	w, multi, word := cellMeasure(list)
	ww, wm, wword := textMeasure(strings.Join(list, listSep))
	if w != ww || multi != wm || word != wword {
		t.Errorf("cellMeasure(%q) = %v, %t, %v; want %v, %t, %v", list, w, multi, word, ww, wm, wword)
	}
}

func TestCheckTextUnits(t *testing.T) {
	for _, s := range []string{strings.Repeat("x", maxCellChars), strings.Repeat("工", maxCellChars),
		strings.Repeat("\U00020000", maxCellChars/2), strings.Repeat("\U00020000", maxCellChars/2) + "xx"} {
		err := checkText(s)
		if over := plainUnits(s) > maxCellChars; (err != nil) != over {
			t.Errorf("checkText of %d units: %v", plainUnits(s), err)
		}
	}
}

// TestSampler keeps the rows fitColumns samples from a slice, whatever the length.
func TestSampler(t *testing.T) {
	for _, n := range []int{0, 1, fitSample - 1, fitSample, fitSample + 1, 450, 1000, 12345} {
		s := newSampler(n)
		for i := range n {
			s.add(table.Row{int64(i)})
		}
		var want []int64
		for i := range min(n, fitSample) {
			if n > fitSample {
				want = append(want, int64(sampleAt(i, n)))
			} else {
				want = append(want, int64(i))
			}
		}
		var got []int64
		for _, r := range s.rows {
			got = append(got, r[0].(int64))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d rows: kept %d rows %v..., want %d", n, len(got), got[:min(len(got), 5)], len(want))
		}
	}
}

// TestSurvey: one pass over a table gives the layout that measure and fitColumns give for
// all its rows held in memory, and the README's counts.
func TestSurvey(t *testing.T) {
	cols := []schemas.Column{{Name: "id", Type: schemas.Text, Required: true}, {Name: "n", Type: schemas.Integer},
		{Name: "confidence", Type: schemas.Text}}
	for j := range 8 {
		cols = append(cols, schemas.Column{Name: "text_" + strconv.Itoa(j), Type: schemas.Text})
	}
	rng := rand.New(rand.NewPCG(5, 6))
	levels := []any{"high", "medium", "low", nil}
	var rows []table.Row
	for i := range 450 {
		r := table.Row{fmt.Sprintf("row-%03d", rng.IntN(1000)*1000+i), int64(i), levels[rng.IntN(len(levels))]}
		for range 8 {
			if rng.IntN(6) == 0 {
				r = append(r, nil)
				continue
			}
			r = append(r, strings.Repeat("工业互联网 platform ", 1+rng.IntN(8)))
		}
		rows = append(rows, r)
	}
	set := oneTable(t, cols, rows...)
	tb := set.Tables[0]
	all, err := tb.All()
	if err != nil {
		t.Fatal(err)
	}
	keys := keyColumns(tb.Schema)
	layout := measure(cols, all)
	across := fitColumns(layout, all, keys)
	if across < 2 {
		t.Fatalf("%d pages across: the table should be too wide for one", across)
	}
	sv, err := surveyTable(tb)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(layout, sv.columns, cmp.AllowUnexported(column{})); diff != "" {
		t.Errorf("columns (-in memory +survey):\n%s", diff)
	}
	if want := (printSetup{across: across, titleRows: 1, titleCols: keys}); sv.pages != want {
		t.Errorf("pages %+v, want %+v", sv.pages, want)
	}
	var nulls int64
	levelCounts := map[string]int64{}
	for _, r := range all {
		for _, v := range r {
			if v == nil {
				nulls++
			}
		}
		if s, ok := r[2].(string); ok {
			levelCounts[s]++
		}
	}
	if sv.rows != int64(len(all)) || sv.nulls != nulls {
		t.Errorf("survey counts %d rows, %d empty cells; want %d, %d", sv.rows, sv.nulls, len(all), nulls)
	}
	if diff := cmp.Diff(levelCounts, sv.levels); diff != "" {
		t.Errorf("confidence levels (-want +got):\n%s", diff)
	}
}

package xlsx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
)

// The README sheet has English in column A and Chinese beside it in column B; tables of
// figures put their labels in A and B and their values from column C on.
var readmeWidths = []float64{64, 48, 18, 18, 18, 18, 18, 18}

// confidenceLevels are the levels every fact row carries, and what they mean.
var confidenceLevels = []struct{ level, en, zh string }{
	{"high", "stated explicitly in a near-primary or well-attributed source",
		"在接近原始或出处明确的来源中明确写明"},
	{"medium", "from one secondary, reposted or translated source, or strongly implied",
		"仅来自一个二手、转载或翻译来源，或由来源强烈暗示"},
	{"low", "inferred from a related document",
		"由相关文件推断"},
}

// readme collects the rows of the README sheet.
type readme struct {
	st   *styles
	rows [][]any
}

func (r *readme) add(cells ...any) { r.rows = append(r.rows, cells) }

func (r *readme) skip() { r.rows = append(r.rows, nil) }

func (r *readme) cell(style int, v any) any {
	if v == nil {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: v}
}

// para is a paragraph in English and Chinese.
func (r *readme) para(en, zh string) {
	r.add(r.cell(r.st.prose, en), r.cell(r.st.prose, zh))
}

// heading starts a section: a shaded band across the used columns.
func (r *readme) heading(en, zh string) {
	r.skip()
	cells := []any{r.cell(r.st.heading, en), r.cell(r.st.heading, zh)}
	for range readmeWidths[2:] {
		cells = append(cells, excelize.Cell{StyleID: r.st.heading})
	}
	r.add(cells...)
}

// header is the header row of a table of figures.
func (r *readme) header(names ...string) {
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = r.cell(r.st.header, n)
	}
	r.add(cells...)
}

// value is a figure: integers and doubles as numbers, text as text, NULL as an empty cell.
func (r *readme) value(v any) any {
	switch v.(type) {
	case int64, int:
		return r.cell(r.st.integer, v)
	case float64:
		return r.cell(r.st.double, v)
	case nil:
		return nil
	}
	return r.cell(r.st.text, v)
}

// field is a labelled value.
func (r *readme) field(en, zh string, v any) {
	r.add(r.cell(r.st.label, en), r.cell(r.st.label, zh), r.value(v))
}

// get is the cell of the named column, or nil when the table or column is absent.
func get(t *table.Table, row table.Row, name string) any {
	if t == nil {
		return nil
	}
	i := t.Schema.Index(name)
	if i < 0 || i >= len(row) {
		return nil
	}
	return row[i]
}

func rowsOf(t *table.Table) []table.Row {
	if t == nil {
		return nil
	}
	return t.Rows
}

// nulls counts the empty (NULL) cells of a table.
func nulls(t *table.Table) int64 {
	var n int64
	for _, r := range t.Rows {
		for _, v := range r {
			if v == nil {
				n++
			}
		}
	}
	return n
}

func writeReadme(f *excelize.File, st *styles, set *table.Set, info table.Info, parts []part, exact *[]exactValue) error {
	r := &readme{st: st}

	// The titles run across the empty cells to their right.
	r.add(r.cell(st.title, "plandata — Industrial Internet Special Working Group work plans"))
	r.add(r.cell(st.title, "plandata — 工业互联网专项工作组工作计划数据集"))
	r.para("This sheet explains the workbook. The data are on the sheets listed under “Sheets” below; the dictionary sheet describes every column.",
		"本表说明整个工作簿。数据见下文“工作表”一节所列各表；dictionary 表逐列说明字段含义。")

	r.heading("What the data is", "数据内容")
	r.para("The Industrial Internet Special Working Group (工业互联网专项工作组) is led by the Ministry of Industry and Information Technology (MIIT) and has about 20 member agencies. Each year it issues a work plan (工作计划).",
		"工业互联网专项工作组由工业和信息化部牵头，成员单位约20个，每年印发年度工作计划。")
	r.para("A plan sorts its work into task categories (行动, grouped under aspects) and specific measures (具体举措). For each measure this dataset records, where a source gives them, the responsible units (责任单位), the deadline (完成时限), the year's expected results, quantitative targets and the regions it names.",
		"计划将工作分为若干任务类别（行动，归入不同方面）和具体举措。对每项举措，本数据集在有来源时收录责任单位、完成时限、年度目标成果、量化目标及提及的地区。")
	r.para("The original plans were not available. Every fact row links to its sources (sheet evidence) and carries a confidence level. What a plan declares (numbers of categories, measures and members) is stored beside what the dataset records, so coverage is part of the data.",
		"计划原文未能获得。每条事实记录都通过 evidence 表关联来源，并标注可信度。计划声明的类别、举措和成员单位数量与本数据集已收录的数量并列保存，覆盖程度本身即是数据。")

	r.heading("Release", "版本")
	r.field("Dataset", "数据集", info.Dataset)
	r.field("Release id", "发布编号", info.ReleaseID)
	if n, ok := dateSerial(info.Date); ok && !info.Date.IsZero() {
		r.add(r.cell(st.label, "Release date"), r.cell(st.label, "发布日期"), r.cell(st.date, n))
	} else {
		r.field("Release date", "发布日期", nil)
	}
	r.field("Pipeline version", "流水线版本", info.Version)
	sources := set.Table("sources")
	r.field("Sources cited (sheet sources)", "引用来源数（sources 表）", int64(len(rowsOf(sources))))

	plans := set.Table("plans")
	r.heading("Coverage per plan", "各计划覆盖情况")
	r.para("What each plan declares beside what this dataset records, from the plans sheet. An empty cell is unknown: no source gives the number.",
		"各计划声明的数量与本数据集已收录的数量，取自 plans 表。空白表示未知，即没有来源给出该数字。")
	if len(rowsOf(plans)) == 0 {
		r.para("No plan is recorded.", "尚未收录任何计划。")
	} else {
		head := []string{"Plan", "计划"}
		for _, p := range plans.Rows {
			head = append(head, fmt.Sprint(get(plans, p, "plan_id")))
		}
		r.header(head...)
		for _, m := range []struct{ col, en, zh string }{
			{"year", "Year", "年份"},
			{"categories_declared", "Task categories (行动) declared", "声明的任务类别数"},
			{"categories_recorded", "Task categories recorded", "已收录的任务类别数"},
			{"categories_named", "Task categories recorded with a known name", "已收录且名称已知的任务类别数"},
			{"measures_declared", "Measures (具体举措) declared", "声明的具体举措数"},
			{"measures_recorded", "Measures recorded", "已收录的具体举措数"},
			{"measures_coverage", "Measures coverage (recorded / declared)", "举措覆盖率（已收录 / 声明）"},
			{"members_declared", "Member units declared", "声明的成员单位数"},
			{"members_recorded", "Member units recorded", "已收录的成员单位数"},
		} {
			cells := []any{r.cell(st.label, m.en), r.cell(st.label, m.zh)}
			for _, p := range plans.Rows {
				v := get(plans, p, m.col)
				if x, ok := v.(float64); ok && m.col == "measures_coverage" {
					cells = append(cells, r.cell(st.percent, x))
				} else {
					cells = append(cells, r.value(v))
				}
			}
			r.add(cells...)
		}
	}

	cats := set.Table("task_categories")
	r.heading("Coverage per task category", "各任务类别覆盖情况")
	r.para("Measures recorded for each task category, from the task_categories sheet. name_status tells whether a source names the category for this plan (named_in_source) or the name comes from a related document (inferred).",
		"各任务类别已收录的举措数，取自 task_categories 表。name_status 表示名称由来源直接给出（named_in_source）还是由相关文件推断（inferred）。")
	if len(rowsOf(cats)) == 0 {
		r.para("No task category is recorded.", "尚未收录任何任务类别。")
	} else {
		r.header("Category", "类别", "Plan / 计划", "No. / 序号", "Measures recorded / 已收录举措", "Name status / 名称状态")
		for _, c := range cats.Rows {
			r.add(r.cell(st.prose, get(cats, c, "name_en")), r.cell(st.prose, get(cats, c, "name_zh")),
				r.value(get(cats, c, "plan_id")), r.value(get(cats, c, "seq")),
				r.value(get(cats, c, "measures_recorded")), r.value(get(cats, c, "name_status")))
		}
	}

	r.heading("Confidence", "可信度")
	r.para("Every fact row carries a confidence level, taken from its sources. Rows counts every table with a confidence column.",
		"每条事实记录都标注依据来源确定的可信度。行数统计所有含 confidence 列的表。")
	r.header("Level: meaning", "含义", "Rows / 行数")
	counts := map[string]int64{}
	for _, t := range set.Tables {
		if t.Schema.View || t.Schema.Index("confidence") < 0 {
			continue
		}
		for _, row := range t.Rows {
			if s, ok := get(t, row, "confidence").(string); ok {
				counts[s]++
			}
		}
	}
	for _, l := range confidenceLevels {
		r.add(r.cell(st.prose, l.level+": "+l.en), r.cell(st.prose, l.level+"："+l.zh), r.value(counts[l.level]))
	}
	r.para("Unknown stays unknown: a value no source gives is an empty cell (NULL), never a guess. Empty cells are counted for every sheet under “Sheets” below.",
		"未知即留空：没有来源给出的值为空单元格（NULL），绝不猜测。各表的空单元格数见下文“工作表”一节。")
	var allNulls int64
	for _, t := range set.Tables {
		if !t.Schema.View {
			allNulls += nulls(t)
		}
	}
	r.field("Empty (unknown) cells in all tables", "全部数据表中的空（未知）单元格数", allNulls)

	r.heading("Sheets", "工作表")
	r.header("Sheet: contents", "内容", "Rows / 行数", "Empty cells / 空单元格", "Continues on / 续表")
	r.add(r.cell(st.prose, readmeSheet+": this page: what the data is, the release, coverage, confidence, licence and citation."),
		r.cell(st.prose, "本页：数据内容、版本、覆盖情况、可信度、许可与引用方式。"))
	r.add(r.cell(st.prose, dictionarySheet+": every table and column: type, whether required, key, reference and description."),
		r.cell(st.prose, "所有表与字段：类型、是否必填、主键、引用关系及说明。"),
		r.value(int64(countDictionaryRows(set))))
	continued := []string{}
	for _, t := range sheetTables(set.Tables) {
		var more []string
		for _, p := range parts {
			if p.table == t && p.sheet != t.Name() {
				more = append(more, p.sheet)
			}
		}
		if len(more) > 0 {
			continued = append(continued, t.Name())
		}
		var cont any
		if len(more) > 0 {
			cont = strings.Join(more, listSep)
		}
		r.add(r.cell(st.prose, t.Name()+": "+t.Schema.DescriptionEN), r.cell(st.prose, t.Schema.DescriptionZH),
			r.value(int64(len(t.Rows))), r.value(nulls(t)), r.value(cont))
	}
	note := "No table continues on a further sheet."
	noteZH := "没有表需要续表。"
	if len(continued) > 0 {
		note = "These tables continue on further sheets: " + strings.Join(continued, ", ") + "."
		noteZH = "以下表在后续工作表中继续：" + strings.Join(continued, "、") + "。"
	}
	r.para(fmt.Sprintf("A sheet holds at most %s rows below its header; a longer table continues on sheets named “<table> (2)”, “<table> (3)” and so on, each with the same header. %s", thousands(rowsPerSheet), note),
		fmt.Sprintf("每个工作表在表头下最多容纳 %s 行；更长的表在名为“<表名> (2)”“<表名> (3)”等的工作表中继续，表头相同。%s", thousands(rowsPerSheet), noteZH))

	r.heading("Cells", "单元格")
	r.para("Each table sheet has one header row of column names (frozen, with filters); the dictionary sheet describes the columns.",
		"每个数据表只有一行表头（已冻结并带筛选），字段说明见 dictionary 表。")
	r.para("Text is always stored as text: identifiers, codes such as the GB/T 2260 region codes (leading zeros kept), and text beginning with =, +, - or @, which is never a formula.",
		"文本一律按文本存储：标识、GB/T 2260 行政区划代码等编码（保留前导零），以及以 =、+、- 或 @ 开头的文本，均不会成为公式。")
	r.para("Integers and decimals are numbers; dates are dates shown as yyyy-mm-dd; a list is one cell with its items joined by “; ”; an empty cell is unknown (NULL).",
		"整数和小数为数值；日期为日期值，显示为 yyyy-mm-dd；列表在一个单元格内以“; ”分隔；空单元格表示未知（NULL）。")

	r.heading("Licence and citation", "许可与引用")
	r.para("Data licence: Creative Commons Attribution 4.0 International (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/",
		"数据许可：知识共享署名 4.0 国际许可协议（CC BY 4.0）。")
	r.para("Cite as: plandata: Industrial Internet Special Working Group work plans dataset, release "+info.ReleaseID,
		"引用格式：plandata：工业互联网专项工作组工作计划数据集，版本 "+info.ReleaseID)

	return r.write(f, exact)
}

// write streams the collected rows into the README sheet.
func (r *readme) write(f *excelize.File, exact *[]exactValue) error {
	cols := len(readmeWidths)
	for _, row := range r.rows {
		cols = max(cols, len(row))
	}
	last, err := excelize.CoordinatesToCellName(cols, len(r.rows))
	if err != nil {
		return err
	}
	// Printed, the page is landscape and one page wide. The stream writer writes the sheet
	// properties when it starts, so they come first.
	yes, no, landscape, one, any := true, false, "landscape", 1, 0
	if err := f.SetSheetProps(readmeSheet, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
		return err
	}
	sw, err := newStreamWriter(f, readmeSheet, "A1:"+last, readmeWidths)
	if err != nil {
		return err
	}
	if err := f.SetPageLayout(readmeSheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &any}); err != nil {
		return err
	}
	if err := f.SetSheetView(readmeSheet, 0, &excelize.ViewOptions{ShowGridLines: &no}); err != nil {
		return err
	}
	for i, row := range r.rows {
		for j, v := range row {
			if c, ok := v.(excelize.Cell); ok {
				if x, ok := c.Value.(float64); ok {
					if text, patch := exactText(x); patch {
						ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
						*exact = append(*exact, exactValue{sheet: readmeSheet, ref: ref, value: text})
					}
				}
			}
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+1), row, r.height(row)); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// height is the row options of a README row: tall enough for its wrapped text.
func (r *readme) height(row []any) excelize.RowOpts {
	lines, perLine := 1, lineHeight
	for i, v := range row {
		c, ok := v.(excelize.Cell)
		if !ok || i >= len(readmeWidths) {
			continue
		}
		s, ok := c.Value.(string)
		if !ok {
			continue
		}
		switch c.StyleID {
		case r.st.title:
			perLine = titleLineHeight
			continue
		case r.st.heading:
			perLine = max(perLine, headingLineHeight)
		case r.st.prose, r.st.label, r.st.header:
		default:
			continue
		}
		lines = max(lines, wrapLines(s, readmeWidths[i]))
	}
	if perLine != lineHeight && lines == 1 {
		return excelize.RowOpts{Height: perLine + 3}
	}
	return rowOpts(perLine, lines)
}

// countDictionaryRows is the number of rows of the dictionary sheet.
func countDictionaryRows(set *table.Set) int {
	n := 0
	for _, t := range set.Tables {
		n += 1 + len(t.Schema.Columns)
	}
	return n
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

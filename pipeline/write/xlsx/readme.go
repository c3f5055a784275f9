package xlsx

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/plandata/plandata/pipeline/table"
)

// The README sheet has English in column A and Chinese beside it in column B; tables of
// figures put their labels in A and B and their figures from column C on. The columns from C
// on are as wide as the figures and headers in them; A and B share what is left of a printed
// page's width, up to readmeWidthA and readmeWidthB.
const (
	readmeWidthA = 64
	readmeWidthB = 48
	// minReadmeText is the least width A and B share.
	minReadmeText = 60
	// plansPerBlock is the most plans the coverage table shows side by side, so that A and B
	// keep room for text; more plans go on in further blocks below.
	plansPerBlock = 4
)

// confidenceLevels are the levels every fact row carries, and what they mean.
var confidenceLevels = []struct{ level, en, zh string }{
	{"high", "stated explicitly in a near-primary or well-attributed source",
		"在接近原始或出处明确的来源中明确写明"},
	{"medium", "from one secondary, reposted or translated source, or strongly implied",
		"仅来自一个二手、转载或翻译来源，或由来源强烈暗示"},
	{"low", "inferred from a related document",
		"由相关文件推断"},
}

// rowKind is what a README row is; it decides how the row is laid out.
type rowKind int

const (
	blankRow   rowKind = iota
	titleRow           // one cell across the sheet
	proseRow           // a paragraph in A and B
	headingRow         // a shaded band across the sheet
	fieldRow           // labels in A and B, the value across the rest of the row
	figureRow          // a row of a table of figures: its cells from C on set the widths
)

type readmeRow struct {
	kind  rowKind
	cells []any
}

// readme collects the rows of the README sheet.
type readme struct {
	st   *styles
	rows []readmeRow
}

func (r *readme) add(kind rowKind, cells ...any) {
	r.rows = append(r.rows, readmeRow{kind: kind, cells: cells})
}

func (r *readme) skip() { r.add(blankRow) }

func (r *readme) cell(style int, v any) any {
	if v == nil {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: v}
}

func (r *readme) title(s string) { r.add(titleRow, r.cell(r.st.title, s)) }

// para is a paragraph in English and Chinese.
func (r *readme) para(en, zh string) {
	r.add(proseRow, r.cell(r.st.prose, en), r.cell(r.st.prose, zh))
}

// heading starts a section: a shaded band across the used columns.
func (r *readme) heading(en, zh string) {
	r.skip()
	r.add(headingRow, r.cell(r.st.heading, en), r.cell(r.st.heading, zh))
}

// header is the header row of a table of figures: labels in A and B, then the headers of
// the figures, whose " / " starts a new line.
func (r *readme) header(en, zh string, names ...string) {
	cells := []any{r.cell(r.st.header, en), r.cell(r.st.header, zh)}
	for _, n := range names {
		cells = append(cells, r.cell(r.st.figureHeader, strings.ReplaceAll(n, " / ", "\n")))
	}
	r.add(figureRow, cells...)
}

// figures is a row of a table of figures: labels or text in A and B, then the figures.
func (r *readme) figures(a, b any, figures ...any) {
	r.add(figureRow, append([]any{a, b}, figures...)...)
}

// figure is a figure: integers and doubles as numbers, text as text, NULL as an empty cell.
func (r *readme) figure(v any) any {
	switch v.(type) {
	case int64, int:
		return r.cell(r.st.figureInteger, v)
	case float64:
		return r.cell(r.st.figureDouble, v)
	case nil:
		return nil
	}
	return r.cell(r.st.figureText, v)
}

// field is a labelled value.
func (r *readme) field(en, zh string, v any) {
	var c any
	switch v.(type) {
	case int64, int:
		c = r.cell(r.st.fieldInteger, v)
	case float64:
		c = r.cell(r.st.double, v)
	case nil:
	default:
		c = r.cell(r.st.text, v)
	}
	r.add(fieldRow, r.cell(r.st.label, en), r.cell(r.st.label, zh), c)
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

// small is every row of a small reference table (plans, task_categories), none when the table
// is absent.
func small(t *table.Table) ([]table.Row, error) {
	if t == nil {
		return nil, nil
	}
	return t.All()
}

// writeReadme writes the README sheet; the counts of rows, empty cells and confidence levels
// are those the surveys of the tables found.
func writeReadme(f *excelize.File, st *styles, set *table.Set, info table.Info, parts []part, surveys map[*table.Table]*survey, exact *[]exactValue) error {
	r := &readme{st: st}

	r.title("plandata — Industrial Internet Special Working Group work plans")
	r.title("plandata — 工业互联网专项工作组工作计划数据集")
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
		r.add(fieldRow, r.cell(st.label, "Release date"), r.cell(st.label, "发布日期"), r.cell(st.fieldDate, n))
	} else {
		r.field("Release date", "发布日期", nil)
	}
	r.field("Pipeline version", "流水线版本", info.Version)
	var sources int64
	if t := set.Table("sources"); t != nil {
		sources = int64(t.Len())
	}
	r.field("Sources cited (sheet sources)", "引用来源数（sources 表）", sources)

	plans := set.Table("plans")
	planRows, err := small(plans)
	if err != nil {
		return fmt.Errorf("table plans: %w", err)
	}
	r.heading("Coverage per plan", "各计划覆盖情况")
	r.para("What each plan declares beside what this dataset records, from the plans sheet. An empty cell is unknown: no source gives the number.",
		"各计划声明的数量与本数据集已收录的数量，取自 plans 表。空白表示未知，即没有来源给出该数字。")
	if len(planRows) == 0 {
		r.para("No plan is recorded.", "尚未收录任何计划。")
	} else {
		// Plans side by side, in blocks of at most plansPerBlock.
		blocks := (len(planRows) + plansPerBlock - 1) / plansPerBlock
		per := (len(planRows) + blocks - 1) / blocks
		for start := 0; start < len(planRows); start += per {
			block := planRows[start:min(start+per, len(planRows))]
			if start > 0 {
				r.skip()
			}
			var ids []string
			for _, p := range block {
				ids = append(ids, fmt.Sprint(get(plans, p, "plan_id")))
			}
			r.header("Plan", "计划", ids...)
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
				var cells []any
				for _, p := range block {
					v := get(plans, p, m.col)
					if x, ok := v.(float64); ok && m.col == "measures_coverage" {
						cells = append(cells, r.cell(st.figurePercent, x))
					} else {
						cells = append(cells, r.figure(v))
					}
				}
				r.figures(r.cell(st.label, m.en), r.cell(st.label, m.zh), cells...)
			}
		}
	}

	cats := set.Table("task_categories")
	catRows, err := small(cats)
	if err != nil {
		return fmt.Errorf("table task_categories: %w", err)
	}
	r.heading("Coverage per task category", "各任务类别覆盖情况")
	r.para("Measures recorded for each task category, from the task_categories sheet. name_status tells whether a source names the category for this plan (named_in_source) or the name comes from a related document (inferred).",
		"各任务类别已收录的举措数，取自 task_categories 表。name_status 表示名称由来源直接给出（named_in_source）还是由相关文件推断（inferred）。")
	if len(catRows) == 0 {
		r.para("No task category is recorded.", "尚未收录任何任务类别。")
	} else {
		r.header("Category", "类别", "Plan / 计划", "No. / 序号", "Measures recorded / 已收录举措", "Name status / 名称状态")
		for _, c := range catRows {
			r.figures(r.cell(st.prose, get(cats, c, "name_en")), r.cell(st.prose, get(cats, c, "name_zh")),
				r.figure(get(cats, c, "plan_id")), r.figure(get(cats, c, "seq")),
				r.figure(get(cats, c, "measures_recorded")), r.figure(get(cats, c, "name_status")))
		}
	}

	r.heading("Confidence", "可信度")
	r.para("Every fact row carries a confidence level, taken from its sources. Rows counts every table with a confidence column.",
		"每条事实记录都标注依据来源确定的可信度。行数统计所有含 confidence 列的表。")
	r.header("Level: meaning", "含义", "Rows / 行数")
	counts := map[string]int64{}
	for _, t := range set.Tables {
		for level, n := range surveys[t].levels { // nil for views and tables without confidence
			counts[level] += n
		}
	}
	for _, l := range confidenceLevels {
		r.figures(r.cell(st.prose, l.level+": "+l.en), r.cell(st.prose, l.level+"："+l.zh), r.figure(counts[l.level]))
	}
	r.para("Unknown stays unknown: a value no source gives is an empty cell (NULL), never a guess. Empty cells are counted for every sheet under “Sheets” below.",
		"未知即留空：没有来源给出的值为空单元格（NULL），绝不猜测。各表的空单元格数见下文“工作表”一节。")
	var allNulls int64
	for _, t := range set.Tables {
		if !t.Schema.View {
			allNulls += surveys[t].nulls
		}
	}
	r.field("Empty (unknown) cells in all tables", "全部数据表中的空（未知）单元格数", allNulls)

	r.heading("Sheets", "工作表")
	r.header("Sheet: contents", "内容", "Rows / 行数", "Empty cells / 空单元格", "Continues on / 续表")
	r.figures(r.cell(st.prose, readmeSheet+": this page: what the data is, the release, coverage, confidence, licence and citation."),
		r.cell(st.prose, "本页：数据内容、版本、覆盖情况、可信度、许可与引用方式。"))
	r.figures(r.cell(st.prose, dictionarySheet+": every table and column: type, whether required, key, reference and description."),
		r.cell(st.prose, "所有表与字段：类型、是否必填、主键、引用关系及说明。"),
		r.figure(int64(countDictionaryRows(set))))
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
		r.figures(r.cell(st.prose, t.Name()+": "+t.Schema.DescriptionEN), r.cell(st.prose, t.Schema.DescriptionZH),
			r.figure(surveys[t].rows), r.figure(surveys[t].nulls), r.figure(cont))
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

// maxFigureWidth is the widest a column of figures gets; longer text in it wraps.
const maxFigureWidth = 30

// widths lays out the columns of the README: from C on as wide as the figures and headers in
// them, A and B sharing what is left of a printed page.
func (r *readme) widths() []float64 {
	cols := 3 // field values start in C
	for _, row := range r.rows {
		if row.kind == figureRow {
			cols = max(cols, len(row.cells))
		}
	}
	w := make([]float64, cols)
	figures := 0.0
	for j := 2; j < cols; j++ {
		width := float64(minWidth)
		for _, row := range r.rows {
			if row.kind != figureRow || j >= len(row.cells) {
				continue
			}
			if c, ok := row.cells[j].(excelize.Cell); ok {
				width = max(width, r.textWidth(c)+cellPadding)
			}
		}
		w[j] = min(math.Ceil(width), maxFigureWidth)
		figures += w[j]
	}
	text := max(readmePrintWidth-figures, minReadmeText)
	w[0] = min(math.Round(text*readmeWidthA/(readmeWidthA+readmeWidthB)), readmeWidthA)
	w[1] = min(text-w[0], readmeWidthB)
	return w
}

// shown is the text a README cell shows.
func (r *readme) shown(c excelize.Cell) string {
	switch x := c.Value.(type) {
	case string:
		return x
	case int64:
		if c.StyleID == r.st.fieldDate {
			return dateFormat
		}
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		if c.StyleID == r.st.figurePercent {
			return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
		}
		s := strconv.FormatFloat(x, 'g', 10, 64)
		return s[:min(len(s), 12)]
	}
	return fmt.Sprint(c.Value)
}

// bold reports whether a README style has a bold font.
func (r *readme) bold(style int) bool {
	switch style {
	case r.st.title, r.st.heading, r.st.label, r.st.header, r.st.figureHeader:
		return true
	}
	return false
}

// textWidth is the width of the widest line a README cell shows.
func (r *readme) textWidth(c excelize.Cell) float64 {
	w, _ := linesWidth(r.shown(c))
	if r.bold(c.StyleID) {
		w *= boldFactor
	}
	return w
}

// write streams the collected rows into the README sheet.
func (r *readme) write(f *excelize.File, exact *[]exactValue) error {
	widths := r.widths()
	cols := len(widths)
	lastCol, err := excelize.ColumnNumberToName(cols)
	if err != nil {
		return err
	}
	last := lastCol + strconv.Itoa(len(r.rows))
	// Printed, the page is one page wide, as many down as it takes: the widths keep the text
	// at 8 points or more.
	pages := printSetup{across: 1}
	if err := setFitToPage(f, readmeSheet, pages); err != nil {
		return err
	}
	sw, err := newStreamWriter(f, readmeSheet, "A1:"+last, widths)
	if err != nil {
		return err
	}
	if err := setPrint(f, readmeSheet, pages); err != nil {
		return err
	}
	no := false
	if err := f.SetSheetView(readmeSheet, 0, &excelize.ViewOptions{ShowGridLines: &no}); err != nil {
		return err
	}
	for i, row := range r.rows {
		n := strconv.Itoa(i + 1)
		cells := row.cells
		switch row.kind {
		case headingRow: // the band runs across the sheet
			for len(cells) < cols {
				cells = append(cells, excelize.Cell{StyleID: r.st.heading})
			}
		case titleRow: // one cell across the sheet
			if err := sw.MergeCell("A"+n, lastCol+n); err != nil {
				return err
			}
		case fieldRow: // the value across the rest of the row
			if err := sw.MergeCell("C"+n, lastCol+n); err != nil {
				return err
			}
		}
		for j, v := range cells {
			if c, ok := v.(excelize.Cell); ok {
				if x, ok := c.Value.(float64); ok {
					if text, patch := exactText(x); patch {
						ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
						*exact = append(*exact, exactValue{sheet: readmeSheet, ref: ref, value: text})
					}
				}
			}
		}
		if err := sw.SetRow("A"+n, cells, r.height(row, widths)); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// height is the row options of a README row: tall enough for its wrapped text.
func (r *readme) height(row readmeRow, widths []float64) excelize.RowOpts {
	switch row.kind {
	case titleRow:
		return excelize.RowOpts{Height: titleLineHeight + rowPadding}
	case blankRow:
		return excelize.RowOpts{}
	}
	lines := 1
	for j, v := range row.cells {
		c, ok := v.(excelize.Cell)
		if !ok || j >= len(widths) {
			continue
		}
		width := widths[j]
		switch c.StyleID {
		case r.st.heading:
			width *= fontSize / 12.0 // the heading font is 12 points
		case r.st.prose, r.st.label, r.st.header, r.st.figureHeader, r.st.figureText:
		default:
			continue // not wrapped
		}
		lines = max(lines, wrapLines(r.shown(c), width, r.bold(c.StyleID)))
	}
	if row.kind == headingRow {
		return excelize.RowOpts{Height: float64(lines)*headingLineHeight + rowPadding}
	}
	return rowOpts(lineHeight, lines)
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

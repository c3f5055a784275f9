package duckdb

// extraViews are views that exist only in the DuckDB file, for people who query it. They are
// not part of the declared tables, so the other formats do not carry them.
var extraViews = []view{
	{
		Name:          "coverage",
		DescriptionEN: "Per plan, what the plan declares beside what this file records (counted from its tables), and the share of declared measures recorded.",
		DescriptionZH: "按计划列出计划声明的数量与本文件已收录的数量（按表统计），以及已收录举措占声明举措的比例。",
		SQL: `
SELECT
  p.plan_id,
  p.year,
  p.categories_declared,
  coalesce(c.n, 0) AS categories_recorded,
  p.measures_declared,
  coalesce(t.n, 0) AS measures_recorded,
  CASE WHEN p.measures_declared > 0
    THEN CAST(coalesce(t.n, 0) AS DOUBLE) / CAST(p.measures_declared AS DOUBLE)
  END AS measures_coverage,
  p.members_declared,
  coalesce(m.n, 0) AS members_recorded
FROM plans AS p
LEFT JOIN (SELECT plan_id, count(*) AS n FROM task_categories GROUP BY plan_id) AS c ON c.plan_id = p.plan_id
LEFT JOIN (SELECT plan_id, count(*) AS n FROM tasks GROUP BY plan_id) AS t ON t.plan_id = p.plan_id
LEFT JOIN (SELECT plan_id, count(*) AS n FROM plan_members GROUP BY plan_id) AS m ON m.plan_id = p.plan_id
ORDER BY p.year, p.plan_id`,
		Columns: []viewColumn{
			{"plan_id", "VARCHAR", "Plan identifier.", "计划标识。"},
			{"year", "BIGINT", "Year the plan covers.", "计划所属年份。"},
			{"categories_declared", "BIGINT", "Task categories the plan declares; NULL when no source gives the number.", "计划声明的任务类别数；无来源时为空。"},
			{"categories_recorded", "BIGINT", "Rows of task_categories for the plan.", "task_categories 中该计划的行数。"},
			{"measures_declared", "BIGINT", "Specific measures the plan declares; NULL when unknown.", "计划声明的具体举措数；未知时为空。"},
			{"measures_recorded", "BIGINT", "Rows of tasks for the plan.", "tasks 中该计划的行数。"},
			{"measures_coverage", "DOUBLE", "measures_recorded / measures_declared; NULL when nothing is declared.", "已收录举措数 / 声明举措数；未声明时为空。"},
			{"members_declared", "BIGINT", "Member units the plan declares; NULL when unknown.", "计划声明的成员单位数；未知时为空。"},
			{"members_recorded", "BIGINT", "Rows of plan_members for the plan.", "plan_members 中该计划的行数。"},
		},
	},
	{
		Name:          "task_evidence",
		DescriptionEN: "Every source cited for a measure, with its address, title and reliability.",
		DescriptionZH: "每项举措引用的来源，含网址、标题和可靠性。",
		SQL: `
SELECT
  e.subject_id AS task_id,
  e.source_id,
  s.url,
  s.title,
  s.reliability
FROM evidence AS e
JOIN sources AS s ON s.source_id = e.source_id
WHERE e.subject_table = 'tasks'
ORDER BY e.subject_id, e.source_id`,
		Columns: []viewColumn{
			{"task_id", "VARCHAR", "Measure identifier (evidence.subject_id).", "举措标识（evidence.subject_id）。"},
			{"source_id", "VARCHAR", "Source identifier.", "来源标识。"},
			{"url", "VARCHAR", "Address of the source.", "来源网址。"},
			{"title", "VARCHAR", "Title of the source.", "来源标题。"},
			{"reliability", "VARCHAR", "Reliability of the source: high, medium or low.", "来源可靠性：high、medium 或 low。"},
		},
	},
}

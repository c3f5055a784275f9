#!/usr/bin/env bash
# test-output-checks.sh: shows that the output checks can fail. It copies a good release,
# corrupts the copies in known ways, runs check-release.mjs and check-xlsx.py on them and
# asserts that each corruption is reported by the FAIL line meant to catch it.
#
#   scripts/test-output-checks.sh RELEASE_DIR      (a release that passes, e.g. outputs/latest)
#
# Copy A: DuckDB file changed in place (comments, evidence, confidence, counts, regions, facts,
#         a view dropped), a parquet and a csv file shortened, manifest and schema.yaml edited.
# Copy B: DuckDB file rebuilt without its keys, then given dangling references and an integer
#         gb2260_code.
# Copy C: workbook edited with openpyxl (panes, filters, bold, a formula, types, rows, README,
#         dictionary, sheet order).
# Needs what check-outputs.sh installs (scripts/node_modules, python3-openpyxl, python3-yaml).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -ne 1 ] || [ ! -f "$1/plandata.duckdb" ]; then
  echo "usage: scripts/test-output-checks.sh RELEASE_DIR" >&2
  exit 2
fi
good="$(cd "$1" && pwd -P)"
work="$(mktemp -d "${TMPDIR:-/tmp}/plandata-checktest.XXXXXX")"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# expect LOG PATTERN...: every pattern (an extended regex) must match a FAIL line of LOG.
expect() {
  local log="$1"
  shift
  for pat in "$@"; do
    # (no grep -q: with pipefail its early exit would fail the first grep with SIGPIPE)
    if grep -E '^FAIL ' "$log" | grep -E -- "$pat" >/dev/null; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "not caught: $pat  (log: $log)"
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# Copy A
A="$work/a"
cp -r "$good" "$A"
(cd "$here" && node --input-type=module - "$A" <<'EOF'
import { DuckDBInstance } from "@duckdb/node-api";
const dir = process.argv[2];
const inst = await DuckDBInstance.create(`${dir}/plandata.duckdb`);
const c = await inst.connect();
const sql = [
  // comments
  "COMMENT ON TABLE aspects IS NULL",
  "COMMENT ON COLUMN plans.note IS NULL", "COMMENT ON COLUMN plans.url IS NULL", "COMMENT ON COLUMN plans.series IS NULL",
  // evidence: a fact row loses its only evidence; the row count of evidence changes too
  "DELETE FROM evidence WHERE subject_table = 'aspects' AND subject_id = (SELECT min(aspect_id) FROM aspects)",
  // confidence, background source
  "UPDATE tasks SET confidence = 'certain' WHERE task_id = 'iiswg-2022-m01'",
  "UPDATE sources SET kind = 'background' WHERE source_id = (SELECT min(source_id) FROM sources)",
  // recorded counts
  "UPDATE plans SET measures_recorded = measures_recorded + 1 WHERE plan_id = 'iiswg-2021'",
  "UPDATE plans SET members_declared = 3 WHERE plan_id = 'iiswg-2022'",
  "UPDATE plans SET categories_named = categories_named - 1 WHERE plan_id = 'iiswg-2020'",
  "UPDATE task_categories SET measures_recorded = 0 WHERE category_id = 'iiswg-2022-c01'",
  // regions
  "UPDATE regions SET gb2260_code = '50000' WHERE region_id = 'cn-cq'",
  "UPDATE regions SET kind = 'zone' WHERE region_id = 'cn-tw'",
  // facts
  "UPDATE plans SET published_on = DATE '2022-04-14', doc_number_confidence = 'medium' WHERE plan_id = 'iiswg-2022'",
  "UPDATE plans SET categories_declared = 11 WHERE plan_id = 'iiswg-2020'",
  "DELETE FROM task_regions WHERE task_id = 'iiswg-2022-m06' AND region_id = 'cn-gd'",
  "UPDATE task_regions SET as_written = '俄国' WHERE task_id = 'iiswg-2022-m15' AND region_id = 'ru'",
  "UPDATE task_outcomes SET date = DATE '2022-09-07' WHERE doc_number = '工信厅信管〔2022〕23号'",
  "UPDATE task_outcomes SET doc_number = '工信厅信管函〔2022〕253号' WHERE doc_number = '工信厅信管函〔2022〕252号'",
  "UPDATE plan_members SET role = 'member' WHERE plan_id = 'iiswg-2022' AND agency_id = 'miit'",
  "UPDATE plan_members SET role = 'lead' WHERE plan_id = 'iiswg-2022' AND agency_id = 'sastind'",
  "INSERT INTO task_agencies VALUES ('iiswg-2022-m21', 'sastind', 'joint', '国家国防科工局', 'low')",
  "UPDATE targets SET value_max = 6 WHERE task_id = 'iiswg-2021-m01' AND metric_en ILIKE '%benchmark%'",
  "UPDATE tasks SET deadline_date = DATE '2020-01-31' WHERE task_id IN (SELECT task_id FROM task_agencies WHERE agency_id = 'sastind-sed3') AND plan_id = 'iiswg-2019'",
  "UPDATE task_agencies SET as_written = '工业和信息化部' WHERE task_id = 'iiswg-2020-m01'",
  "UPDATE agencies SET valid_to = DATE '2024-01-01' WHERE agency_id = 'cbirc'",
  // views
  "DROP VIEW task_evidence",
];
for (const s of sql) await c.run(s);
c.closeSync();
// Formats: one parquet row and one csv row fewer, a manifest count changed.
const m = await (await DuckDBInstance.create(":memory:")).connect();
await m.run(`COPY (SELECT * FROM read_parquet('${dir}/parquet/targets.parquet') LIMIT 1) TO '${dir}/parquet/targets.parquet.tmp' (FORMAT parquet)`);
await m.run(`COPY (SELECT * REPLACE (CAST(gb2260_code AS INTEGER) AS gb2260_code) FROM read_parquet('${dir}/parquet/regions.parquet')) TO '${dir}/parquet/regions.parquet.tmp' (FORMAT parquet)`);
m.closeSync();
EOF
) || { echo "FAIL could not corrupt copy A"; exit 1; }
mv "$A/parquet/targets.parquet.tmp" "$A/parquet/targets.parquet"
mv "$A/parquet/regions.parquet.tmp" "$A/parquet/regions.parquet"
sed -i '$ d' "$A/csv/tasks.csv"
/usr/bin/python3 - "$A" <<'EOF'
import json, sys
d = sys.argv[1]
m = json.load(open(f"{d}/manifest.json"))
for t in m["tables"]:
    if t["name"] == "plan_members":
        t["rows"] += 1
json.dump(m, open(f"{d}/manifest.json", "w"))
with open(f"{d}/schema.yaml", "a") as f:
    f.write("  - name: ghost\n    primary_key: [ghost_id]\n    columns:\n      - {name: ghost_id, type: text, required: true}\n")
EOF
node "$here/check-release.mjs" "$A" > "$work/a.log" 2>&1
rc=$?
if [ "$rc" -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "check-release.mjs exit $rc on copy A, want 1"; fi
expect "$work/a.log" \
  'every table of schema.yaml exists.*ghost' \
  'are views: not a view: task_evidence' \
  'comments aspects: NO table comment' \
  'comments plans: table comment present, 19/22 columns commented \(86%\)' \
  'manifest.json lists exactly the tables' \
  'row counts targets: duckdb 22, parquet 1' \
  'row counts tasks: .*csv 57' \
  'row counts plan_members: .*manifest 13' \
  'row counts evidence: duckdb 458' \
  'evidence: every aspects row' \
  'evidence: every task_agencies row' \
  'every subject_id names an existing row.*task_regions/iiswg-2022-m06/cn-gd' \
  'sources: no source has kind .background.' \
  'confidence: .*tasks.confidence\[iiswg-2022-m01\]=certain' \
  'recorded counts: plans.measures_recorded' \
  'recorded counts: plans.categories_named' \
  'recorded counts: task_categories.measures_recorded' \
  'recorded counts never exceed declared.*iiswg-2022 members 4 > 3' \
  'plans.measures_coverage' \
  'exactly 34 rows.*found 33' \
  'code pairs .*missing .*500000 CN-CQ' \
  'six digits wherever set .*cn-cq=50000' \
  'gb2260_code is text with six digits in parquet \(INTEGER\)' \
  'fact: 2022 plan published 2022-04-13' \
  'fact: 2022 plan declares 15 categories, 83 measures, 20 members' \
  'fact: 2022 plan doc number' \
  'fact: iiswg-2022-m06 names exactly' \
  'fact: iiswg-2022-m15 names' \
  'fact: 5G factory guide' \
  'fact: pilot call' \
  'fact: SASTIND is a member of the 2022 plan' \
  'fact: SASTIND \(or a SASTIND department\) is not a responsible unit' \
  'fact: MIIT is the lead member' \
  'fact: benchmark 5G factory targets' \
  'fact: declared counts 2020' \
  'fact: 2019 SASTIND task' \
  'fact: 2020 big data center task' \
  'fact: cbirc valid from 2018 to 2023'

# A regions csv whose code was turned into a number.
cp -r "$good" "$work/a2"
sed -i 's/,500000,/,5e5,/' "$work/a2/csv/regions.csv"
node "$here/check-release.mjs" "$work/a2" > "$work/a2.log" 2>&1
expect "$work/a2.log" 'six digits in csv .*cn-cq=5e5'

# ---------------------------------------------------------------------------------------------
# Copy B: no keys, dangling references, integer codes
B="$work/b"
mkdir -p "$B"
cp -r "$good/." "$B/"
rm -f "$B/plandata.duckdb"
(cd "$here" && node --input-type=module - "$good" "$B" <<'EOF'
import { DuckDBInstance } from "@duckdb/node-api";
const [src, dst] = process.argv.slice(2);
const inst = await DuckDBInstance.create(`${dst}/plandata.duckdb`);
const c = await inst.connect();
await c.run(`ATTACH '${src}/plandata.duckdb' AS src (READ_ONLY)`);
const q = async (s) => (await c.runAndReadAll(s)).getRowObjectsJson();
const esc = (s) => (s === null ? "NULL" : `'${String(s).replaceAll("'", "''")}'`);
const tables = await q("SELECT table_name, comment FROM duckdb_tables() WHERE database_name = 'src'");
for (const t of tables) {
  await c.run(`CREATE TABLE main."${t.table_name}" AS SELECT * FROM src."${t.table_name}"`);
  await c.run(`COMMENT ON TABLE main."${t.table_name}" IS ${esc(t.comment)}`);
}
for (const col of await q("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = 'src' AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE database_name = 'src')")) {
  await c.run(`COMMENT ON COLUMN main."${col.table_name}"."${col.column_name}" IS ${esc(col.comment)}`);
}
for (const v of await q("SELECT view_name, sql, comment FROM duckdb_views() WHERE database_name = 'src' AND NOT internal")) {
  await c.run(v.sql);
  await c.run(`COMMENT ON VIEW main."${v.view_name}" IS ${esc(v.comment)}`);
}
for (const col of await q("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = 'src' AND table_name IN (SELECT view_name FROM duckdb_views() WHERE database_name = 'src')")) {
  await c.run(`COMMENT ON COLUMN main."${col.table_name}"."${col.column_name}" IS ${esc(col.comment)}`);
}
await c.run("DETACH src");
for (const s of [
  "UPDATE tasks SET category_id = 'iiswg-2022-c99' WHERE task_id = 'iiswg-2022-m01'",
  "UPDATE task_categories SET aspect_id = 'no-such-aspect' WHERE category_id = 'iiswg-2022-c01'",
  "UPDATE evidence SET source_id = 'no-such-source' WHERE subject_table = 'plans' AND subject_id = 'iiswg-2022' AND source_id = (SELECT min(source_id) FROM evidence WHERE subject_table = 'plans' AND subject_id = 'iiswg-2022')",
  "ALTER TABLE regions ALTER gb2260_code TYPE INTEGER",
]) await c.run(s);
c.closeSync();
EOF
) || { echo "FAIL could not build copy B"; exit 1; }
node "$here/check-release.mjs" "$B" > "$work/b.log" 2>&1
expect "$work/b.log" \
  'every declared primary key is in duckdb_constraints\(\)' \
  'every declared foreign key is in duckdb_constraints\(\)' \
  'foreign keys: .*task_categories.aspect_id -> aspects.aspect_id: no-such-aspect' \
  'foreign keys: .*tasks.category_id -> task_categories.category_id: iiswg-2022-c99' \
  'foreign keys: .*evidence.source_id -> sources.source_id' \
  'evidence: every source_id exists in sources: unknown: no-such-source' \
  'regions: columns and types match.*gb2260_code is INTEGER' \
  'regions.gb2260_code is VARCHAR in DuckDB \(INTEGER\)' \
  'fact: iiswg-2022-m06 names exactly'

# ---------------------------------------------------------------------------------------------
# Copy C: the workbook
C="$work/c"
cp -r "$good" "$C"
/usr/bin/python3 - "$C/plandata.xlsx" <<'EOF'
import datetime, sys
import openpyxl
from openpyxl.styles import Font
p = sys.argv[1]
wb = openpyxl.load_workbook(p)
wb["tasks"].freeze_panes = None
wb["targets"].auto_filter.ref = None
wb["task_outcomes"].auto_filter.ref = "B1:C5"
for c in wb["aspects"][1]:
    c.font = Font(bold=False)
wb["README"]["J1"] = "=1+1"
for row in wb["README"].iter_rows():
    for c in row:
        if isinstance(c.value, str) and "CC BY 4.0" in c.value:
            c.value = c.value.replace("CC BY 4.0", "CC-BY")
regions = wb["regions"]
hdr = [c.value for c in regions[1]]
regions.cell(row=2, column=hdr.index("gb2260_code") + 1).value = None
for r in range(2, regions.max_row + 1):
    cell = regions.cell(row=r, column=hdr.index("gb2260_code") + 1)
    if cell.value == "110000":
        cell.value = 110000
plans = wb["plans"]
ph = [c.value for c in plans[1]]
plans.cell(row=2, column=ph.index("plan_id") + 1).value = 2018
for r in range(2, plans.max_row + 1):
    cell = plans.cell(row=r, column=ph.index("published_on") + 1)
    if isinstance(cell.value, datetime.datetime):
        cell.value = cell.value.strftime("%Y-%m-%d")
        break
wb["evidence"].delete_rows(wb["evidence"].max_row)
d = wb["dictionary"]
dh = [c.value for c in d[1]]
for r in range(2, d.max_row + 1):
    if d.cell(row=r, column=dh.index("table") + 1).value == "regions" and d.cell(row=r, column=dh.index("column") + 1).value == "iso_code":
        d.delete_rows(r)
        break
for r in range(2, d.max_row + 1):
    if d.cell(row=r, column=dh.index("table") + 1).value == "tasks" and d.cell(row=r, column=dh.index("column") + 1).value == "deadline_date":
        d.cell(row=r, column=dh.index("description_zh") + 1).value = "deadline"
        break
wb.move_sheet("tasks_flat", offset=-1)
wb.save(p)
EOF
/usr/bin/python3 "$here/check-xlsx.py" "$C" > "$work/c.log" 2>&1
rc=$?
if [ "$rc" -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "check-xlsx.py exit $rc on copy C, want 1"; fi
expect "$work/c.log" \
  '^FAIL sheets are README, dictionary' \
  'no cell holds a formula.*README!J1' \
  'tasks: header .*freeze_panes None' \
  'targets: header .*no auto filter' \
  'task_outcomes: header .*does not cover header' \
  'aspects: header .*not bold' \
  'regions: IDs/codes are text.*gb2260_code=110000' \
  'plans: IDs/codes are text.*plan_id=2018' \
  'plans: IDs/codes are text.*published_on=.*not a date' \
  'evidence: 458 data rows, manifest.json says 459' \
  'regions: gb2260_code cells are six-digit strings' \
  'README sheet names the licence CC BY 4.0' \
  'dictionary: a row for every column .*regions.iso_code' \
  'dictionary: every column has an English and a Chinese description.*tasks.deadline_date'

# A README without the release id and without the word coverage.
C2="$work/c2"
cp -r "$good" "$C2"
/usr/bin/python3 - "$C2/plandata.xlsx" "$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["release_id"])' "$good/manifest.json")" <<'EOF'
import re, sys
import openpyxl
p, rid = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(p)
for row in wb["README"].iter_rows():
    for c in row:
        if isinstance(c.value, str):
            c.value = re.sub("coverage", "scope", c.value.replace(rid, "RELEASE"), flags=re.I)
wb.save(p)
EOF
/usr/bin/python3 "$here/check-xlsx.py" "$C2" > "$work/c2.log" 2>&1
expect "$work/c2.log" 'README sheet mentions coverage' 'README sheet names the release id'

# The good release passes both.
node "$here/check-release.mjs" "$good" > "$work/good.log" 2>&1 && /usr/bin/python3 "$here/check-xlsx.py" "$good" >> "$work/good.log" 2>&1
if [ $? -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "the good release does not pass:"; grep '^FAIL' "$work/good.log"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

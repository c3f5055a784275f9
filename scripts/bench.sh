#!/usr/bin/env bash
# bench.sh: whole builds on synthetic sources, against what a user would run instead.
#
# For every size (default 100000 and 1000000 measures) it writes synthetic sources with
# `plandata synth`, runs `plandata build --timings` under /usr/bin/time -v (wall time, peak
# memory), and then, on the same release's CSV files:
#   - DuckDB (Node client @duckdb/node-api, pinned in scripts/package.json): COPY every CSV to a
#     zstd Parquet file, and CREATE TABLE AS SELECT * FROM read_csv(...) for every CSV in a new
#     .duckdb file; both also for csv/tasks.csv alone;
#   - openpyxl (Debian python3-openpyxl, /usr/bin/python3) in write-only mode: the rows of
#     csv/tasks.csv into a tasks sheet, timed per row (reading the CSV is timed apart and taken
#     off).
# It also builds the real dataset twice (full, then unchanged) and prints the ratios the "Scale
# and speed" goals are stated in. docs/benchmarks.md says what the numbers mean.
#
# usage: scripts/bench.sh [MEASURES...]
# env:   PLANDATA   the binary (default bin/plandata, built when missing)
#        BENCH_DIR  work folder (default a new folder under /tmp; sources are reused from it)
#        SEED       synthetic seed (default 1)
# The 1M build takes many minutes on two cores; run it in the background:
#   nohup scripts/bench.sh > bench.log 2>&1 &
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
plandata=${PLANDATA:-$root/bin/plandata}
work=${BENCH_DIR:-$(mktemp -d /tmp/plandata-bench.XXXXXX)}
seed=${SEED:-1}
py=/usr/bin/python3
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1649808000} # fixed release date: comparable runs

die() { echo "bench: $*" >&2; exit 1; }

# --- tools ---------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ]; then apt-get install -y time >/dev/null || die "cannot install time"
	else die "/usr/bin/time is missing: apt-get install time"; fi
fi
$py -c 'import openpyxl' 2>/dev/null || die "openpyxl is missing: apt-get install python3-openpyxl"
command -v node >/dev/null || die "node is missing"
if [ ! -d "$root/scripts/node_modules/@duckdb/node-api" ]; then
	(cd "$root/scripts" && npm ci --silent) || die "npm ci in scripts/ failed"
fi
if [ -z "${PLANDATA:-}" ] && [ ! -x "$plandata" ]; then
	(cd "$root" && go build -tags duckdb_arrow -o bin/plandata ./cmd/plandata) || die "go build failed"
fi
mkdir -p "$work"
echo "bench: work folder $work; binary $plandata"

# seconds since the epoch, with fractions
now() { date +%s.%N; }

# --- one size --------------------------------------------------------------------------------
# run_size N writes $work/result-N.json with everything measured for N measures.
run_size() {
	local n=$1 src=$work/src-$1 out=$work/out-$1
	if [ ! -f "$src.done" ]; then # sources of an earlier run with the same seed are reused
		rm -rf "$src"
		"$plandata" synth --measures "$n" --out "$src" --seed "$seed" >/dev/null
		touch "$src.done"
	fi
	rm -rf "$out"
	echo "bench: $n measures: plandata build"
	local status=0
	/usr/bin/time -v -o "$work/time-$n.txt" "$plandata" build --sources "$src" --out "$out" --timings --max-source-bytes $((2 << 30)) \
		>"$work/build-$n.out" 2>"$work/build-$n.log" || status=$?
	if [ $status -ne 0 ]; then
		tail -5 "$work/build-$n.log" >&2
		die "plandata build failed for $n measures (exit $status); see $work/build-$n.log"
	fi
	local rel
	rel=$(cd "$out/latest" && pwd -P)

	echo "bench: $n measures: DuckDB"
	(cd "$root/scripts" && node --input-type=module - "$rel" "$work/duckdb-$n" >"$work/duckdb-$n.json") <<'EOF'
import { DuckDBInstance } from "@duckdb/node-api";
import fs from "node:fs";
import path from "node:path";
const [rel, dir] = process.argv.slice(2);
const csvDir = path.join(rel, "csv");
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const names = fs.readdirSync(csvDir).filter((f) => f.endsWith(".csv")).sort();
const q = (s) => "'" + s.replaceAll("'", "''") + "'";
async function timed(fn) { const t = process.hrtime.bigint(); await fn(); return Number(process.hrtime.bigint() - t) / 1e9; }
// COPY: one in-memory instance, every CSV to zstd Parquet.
async function copy(files) {
  const inst = await DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  const s = await timed(async () => {
    for (const f of files) {
      await con.run(`COPY (SELECT * FROM read_csv(${q(path.join(csvDir, f))})) TO ${q(path.join(dir, f.replace(/\.csv$/, ".parquet")))} (FORMAT parquet, COMPRESSION zstd)`);
    }
  });
  con.closeSync(); inst.closeSync();
  return s;
}
// CREATE TABLE AS: a new database file, every CSV a table, closed (checkpointed) at the end.
async function load(files, name) {
  const db = path.join(dir, name);
  return await timed(async () => {
    const inst = await DuckDBInstance.create(db);
    const con = await inst.connect();
    for (const f of files) {
      await con.run(`CREATE TABLE ${JSON.stringify(f.replace(/\.csv$/, ""))} AS SELECT * FROM read_csv(${q(path.join(csvDir, f))})`);
    }
    await con.run("CHECKPOINT");
    con.closeSync(); inst.closeSync();
  });
}
// The same load into the release's own tables, with their primary keys: the DDL
// is read from the release's plandata.duckdb, tables created in that order, each filled by
// INSERT ... SELECT * FROM read_csv with the declared column types.
async function loadKeys() {
  const src = await DuckDBInstance.create(path.join(rel, "plandata.duckdb"), { access_mode: "READ_ONLY" });
  const sc = await src.connect();
  const tables = await (await sc.run("SELECT table_name, sql FROM duckdb_tables() ORDER BY table_oid")).getRowObjects();
  const cols = await (await sc.run("SELECT table_name, column_name, data_type FROM duckdb_columns() ORDER BY table_name, column_index")).getRowObjects();
  sc.closeSync(); src.closeSync();
  const inst = await DuckDBInstance.create(path.join(dir, "keys.duckdb"));
  const con = await inst.connect();
  const s = await timed(async () => {
    for (const t of tables) await con.run(t.sql);
    for (const t of tables) {
      const spec = cols.filter((c) => c.table_name === t.table_name).map((c) => `${q(c.column_name)}: ${q(c.data_type)}`).join(", ");
      await con.run(`INSERT INTO ${JSON.stringify(t.table_name)} SELECT * FROM read_csv(${q(path.join(csvDir, t.table_name + ".csv"))}, header = true, columns = {${spec}})`);
    }
    await con.run("CHECKPOINT");
  });
  con.closeSync(); inst.closeSync();
  return s;
}
const out = {
  copy_all_s: await copy(names), load_all_s: await load(names, "all.duckdb"), load_keys_s: await loadKeys(),
  copy_tasks_s: await copy(["tasks.csv"]), load_tasks_s: await load(["tasks.csv"], "tasks.duckdb"),
};
console.log(JSON.stringify(out));
EOF

	echo "bench: $n measures: openpyxl"
	$py - "$rel/csv/tasks.csv" "$work/openpyxl-$n.xlsx" >"$work/openpyxl-$n.json" <<'EOF'
import csv, json, sys, time
from openpyxl import Workbook
src, dst = sys.argv[1], sys.argv[2]
csv.field_size_limit(1 << 30)
t = time.perf_counter()
with open(src, newline="", encoding="utf-8") as f:
    rows = sum(1 for _ in csv.reader(f)) - 1
read_s = time.perf_counter() - t
t = time.perf_counter()
wb = Workbook(write_only=True)
ws = wb.create_sheet("tasks")
with open(src, newline="", encoding="utf-8") as f:
    for row in csv.reader(f):
        ws.append([v if v != "" else None for v in row])
wb.save(dst)
total_s = time.perf_counter() - t
print(json.dumps({"rows": rows, "read_s": read_s, "openpyxl_s": total_s - read_s}))
EOF

	$py - "$n" "$work" "$rel" >"$work/result-$n.json" <<'EOF'
import json, re, sys
n, work, rel = sys.argv[1], sys.argv[2], sys.argv[3]
stages = {}
for line in open(f"{work}/build-{n}.log"):
    m = re.match(r"stage (\S+) ([0-9.]+)s$", line.strip())
    if m:
        stages[m.group(1)] = float(m.group(2))
tv = open(f"{work}/time-{n}.txt").read()
h, m_, s = ([0] + re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", tv).group(1).split(":"))[-3:]
wall = int(h) * 3600 + int(m_) * 60 + float(s)
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv).group(1))
man = json.load(open(f"{rel}/manifest.json"))
rows = {t["name"]: t["rows"] for t in man["tables"]}
# cells: rows times columns, the columns counted from each CSV header
cols = {t: len(next(__import__("csv").reader(open(f"{rel}/csv/{t}.csv", encoding="utf-8")))) for t in rows}
print(json.dumps({"measures": int(n), "wall_s": wall, "peak_rss_mb": rss_kb / 1024, "stages": stages,
    "rows_total": sum(rows.values()), "rows_tasks": rows["tasks"],
    "cells_total": sum(rows[t] * cols[t] for t in rows), "cols_tasks": cols["tasks"],
    "duckdb": json.load(open(f"{work}/duckdb-{n}.json")), "openpyxl": json.load(open(f"{work}/openpyxl-{n}.json"))}))
EOF
}

for n in "${sizes[@]}"; do
	run_size "$n"
done

# --- the real dataset: full build, then an unchanged rebuild --------------------------------
echo "bench: real dataset: full build, then unchanged rebuild"
real=$work/out-real
rm -rf "$real"
t0=$(now); "$plandata" build --sources "$root/sources" --out "$real" >/dev/null; t1=$(now)
"$plandata" build --sources "$root/sources" --out "$real" >"$work/real-rebuild.out"; t2=$(now)
grep -q '^unchanged:' "$work/real-rebuild.out" || die "the second build of the real dataset was not 'unchanged'"
echo "{\"full_s\": $(echo "$t1 - $t0" | $py -c 'import sys; print(eval(sys.stdin.read()))'), \"unchanged_s\": $(echo "$t2 - $t1" | $py -c 'import sys; print(eval(sys.stdin.read()))')}" >"$work/real.json"

# --- report ------------------------------------------------------------------------------------
$py - "$work" "${sizes[@]}" <<'EOF'
import json, os, subprocess, sys
work, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
res = {n: json.load(open(f"{work}/result-{n}.json")) for n in sizes}
real = json.load(open(f"{work}/real.json"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
print(f"\nmachine: {os.cpu_count()} CPUs, {cpu}, {mem} MB; {subprocess.run(['go', 'version'], capture_output=True, text=True).stdout.strip()}")
names = ["load", "validate", "normalize", "write.parquet", "write.xlsx", "write.duckdb", "write.csv", "check", "manifest"]
print("\n| | " + " | ".join(f"{n:,} measures" for n in sizes) + " |")
print("| --- |" + " --- |" * len(sizes))
def row(label, f):
    print(f"| {label} | " + " | ".join(f(res[n]) for n in sizes) + " |")
row("rows in all tables", lambda r: f"{r['rows_total']:,}")
for s in names:
    row(f"stage {s} (s)", lambda r, s=s: f"{r['stages'].get(s, 0):.1f}")
row("build, wall (s)", lambda r: f"{r['wall_s']:.1f}")
row("peak memory (MB)", lambda r: f"{r['peak_rss_mb']:.0f}")
row("DuckDB COPY all CSV to zstd Parquet (s)", lambda r: f"{r['duckdb']['copy_all_s']:.1f}")
row("DuckDB CREATE TABLE AS read_csv, all CSV (s)", lambda r: f"{r['duckdb']['load_all_s']:.1f}")
row("DuckDB INSERT from read_csv into the release's keyed tables (s)", lambda r: f"{r['duckdb']['load_keys_s']:.1f}")
row("DuckDB COPY tasks.csv (s)", lambda r: f"{r['duckdb']['copy_tasks_s']:.1f}")
row("DuckDB CREATE TABLE tasks (s)", lambda r: f"{r['duckdb']['load_tasks_s']:.1f}")
row("openpyxl tasks sheet (s)", lambda r: f"{r['openpyxl']['openpyxl_s']:.1f}")
row("openpyxl per row (µs)", lambda r: f"{1e6 * r['openpyxl']['openpyxl_s'] / r['openpyxl']['rows']:.1f}")
row("XLSX stage per row (µs)", lambda r: f"{1e6 * r['stages']['write.xlsx'] / r['rows_total']:.1f}")
row("openpyxl per cell (µs)", lambda r: f"{1e6 * r['openpyxl']['openpyxl_s'] / (r['openpyxl']['rows'] * r['cols_tasks']):.2f}")
row("XLSX stage per cell (µs)", lambda r: f"{1e6 * r['stages']['write.xlsx'] / r['cells_total']:.2f}")

big, small = max(sizes), min(sizes)
b = res[big]
goals = [
    (f"peak memory at {big:,} (GB)", b["peak_rss_mb"] / 1024, "<=", 1.5, "aim 1"),
    (f"build time {big:,} / {small:,}", b["wall_s"] / res[small]["wall_s"], "<=", 12, f"linear: {big / small:g}"),
    ("Parquet stage / DuckDB COPY (same rows)", b["stages"]["write.parquet"] / b["duckdb"]["copy_all_s"], "<=", 2, ""),
    ("DuckDB stage / DuckDB CSV load (same rows)", b["stages"]["write.duckdb"] / b["duckdb"]["load_all_s"], "<=", 2,
        f"{b['stages']['write.duckdb'] / b['duckdb']['load_keys_s']:.2f} against a load into the same keyed tables"),
    ("XLSX stage per row / openpyxl per row", (b["stages"]["write.xlsx"] / b["rows_total"]) / (b["openpyxl"]["openpyxl_s"] / b["openpyxl"]["rows"]), "<=", 0.5,
        f"per cell {(b['stages']['write.xlsx'] / b['cells_total']) / (b['openpyxl']['openpyxl_s'] / (b['openpyxl']['rows'] * b['cols_tasks'])):.2f}"),
    ("unchanged rebuild / full build (real data)", real["unchanged_s"] / real["full_s"], "<", 0.1, f"{real['unchanged_s']:.2f} s / {real['full_s']:.2f} s"),
]
if len(sizes) < 2:
    goals.pop(1)
print("\n| goal | measured | target | met |\n| --- | --- | --- | --- |")
for name, v, op, target, note in goals:
    ok = v <= target if op == "<=" else v < target
    print(f"| {name} | {v:.2f}{' (' + note + ')' if note else ''} | {op} {target} | {'yes' if ok else 'NO'} |")
EOF

// check-release.mjs checks a plandata release the way a user would, with their own tools:
// DuckDB's Node client (@duckdb/node-api, pinned in package.json) and a YAML parser (yaml).
// It shares no code with the Go pipeline.
//
//   cd scripts && npm ci && cd .. && node scripts/check-release.mjs outputs/latest
//
// It opens RELEASE_DIR/plandata.duckdb READ_ONLY and reads RELEASE_DIR/schema.yaml (the table
// declarations the release was built from), RELEASE_DIR/manifest.json, parquet/<table>.parquet
// and csv/<table>.csv. It prints one line per check, `ok ...` or `FAIL ...`, and exits 1 if any
// check failed, 2 on usage errors.
//
// Checks:
//   structure   every table of schema.yaml exists with its columns and types; tasks_flat,
//               coverage, task_evidence and foreign_keys are views; every table and view has a
//               comment and at least 90% of its columns have one; every declared primary key is
//               in duckdb_constraints(), and the foreign_keys view lists exactly the declared
//               references (the file declares no FOREIGN KEY constraints).
//   formats     row counts agree between the DuckDB file, parquet/<table>.parquet (read with
//               read_parquet in a separate in-memory DuckDB), csv/<table>.csv (read_csv with
//               all_varchar=true) and manifest.json.
//   ground rules  evidence for every fact row; evidence points at sources and rows that exist;
//               confidence is high/medium/low; no background-only source; foreign keys hold
//               (anti-joins); recorded counts agree with the rows; recorded <= declared.
//   regions     the 34 provincial-level divisions with their GB/T 2260 and ISO 3166-2 codes;
//               gb2260_code is text, six digits, in every format.
//   facts       values from the research in shared/research/, each with its source.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { DuckDBInstance } from "@duckdb/node-api";
import YAML from "yaml";

// ---------------------------------------------------------------------------------------------
// Output

let failures = 0;
let checks = 0;

function ok(msg) {
  checks++;
  console.log(`ok ${msg}`);
}

function fail(msg) {
  checks++;
  failures++;
  console.log(`FAIL ${msg}`);
}

function report(passed, msg, detail) {
  if (passed) ok(msg);
  else fail(detail ? `${msg}: ${detail}` : msg);
}

// sample shows the first few items of a list for a failure message.
function sample(items, n = 5) {
  const shown = items.slice(0, n).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  return shown.join(", ") + (items.length > n ? `, … (${items.length} in all)` : "");
}

// ---------------------------------------------------------------------------------------------
// Arguments and inputs

const args = process.argv.slice(2);
if (args.length !== 1 || args[0].startsWith("-")) {
  console.error("usage: node check-release.mjs RELEASE_DIR");
  process.exit(2);
}
const releaseDir = path.resolve(args[0]);
const dbPath = path.join(releaseDir, "plandata.duckdb");
for (const f of [dbPath, path.join(releaseDir, "schema.yaml"), path.join(releaseDir, "manifest.json")]) {
  if (!existsSync(f)) {
    fail(`release file ${path.relative(releaseDir, f)} exists (not found in ${releaseDir})`);
    console.log(`${checks - failures} passed, ${failures} failed`);
    process.exit(1);
  }
}

const schema = YAML.parse(readFileSync(path.join(releaseDir, "schema.yaml"), "utf8"));
const manifest = JSON.parse(readFileSync(path.join(releaseDir, "manifest.json"), "utf8"));
const tables = schema.tables; // in schema order
const tableByName = new Map(tables.map((t) => [t.name, t]));
const baseTables = tables.filter((t) => !t.view);
// Views the contract and the README promise besides the schema's own views.
const expectedViews = [...new Set([...tables.filter((t) => t.view).map((t) => t.name), "tasks_flat", "coverage", "task_evidence", "foreign_keys"])];

// Tables whose every row is a fact that needs evidence (DATASET.md, ground rule 1).
const factTables = ["plans", "aspects", "task_categories", "tasks", "targets", "task_outcomes", "plan_members", "task_agencies", "task_regions"];

const duckType = { text: "VARCHAR", integer: "BIGINT", double: "DOUBLE", date: "DATE", text_list: "VARCHAR[]" };

const q = (name) => `"${String(name).replaceAll('"', '""')}"`;
const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;

const instance = await DuckDBInstance.create(dbPath, { access_mode: "READ_ONLY" });
const db = await instance.connect();
const memInstance = await DuckDBInstance.create(":memory:");
const mem = await memInstance.connect();

// rows runs a query and returns its rows as objects (BIGINT as string, DATE as 'YYYY-MM-DD').
async function rows(sql, conn = db) {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson();
}

async function scalar(sql, conn = db) {
  const r = await rows(sql, conn);
  const first = r[0];
  return first === undefined ? undefined : Object.values(first)[0];
}

// check runs one check and turns an exception (a missing table, a bad file) into a FAIL line.
async function check(name, fn) {
  try {
    await fn();
  } catch (err) {
    fail(`${name}: ${String(err && err.message ? err.message : err).split("\n")[0]}`);
  }
}

// keyExpr is the evidence subject_id of a row: the primary key parts joined with '/'.
function keyExpr(table, alias = "x") {
  const pk = tableByName.get(table).primary_key;
  return pk.map((c) => `CAST(${alias}.${q(c)} AS VARCHAR)`).join(" || '/' || ");
}

// ---------------------------------------------------------------------------------------------
// Structure: tables, views, columns, comments, keys

const dbName = await scalar("SELECT current_database()");
const inDb = `database_name = ${lit(dbName)} AND schema_name = 'main'`;
const dbTables = new Map((await rows(`SELECT table_name, comment FROM duckdb_tables() WHERE ${inDb}`)).map((r) => [r.table_name, r]));
const dbViews = new Map((await rows(`SELECT view_name, comment FROM duckdb_views() WHERE ${inDb} AND NOT internal`)).map((r) => [r.view_name, r]));
const dbColumns = await rows(`SELECT table_name, column_name, data_type, comment, column_index FROM duckdb_columns() WHERE ${inDb} ORDER BY table_name, column_index`);
const columnsOf = (t) => dbColumns.filter((c) => c.table_name === t);

{
  const missing = [];
  for (const t of tables) {
    const want = t.view ? "view" : "table";
    const isTable = dbTables.has(t.name);
    const isView = dbViews.has(t.name);
    if (!isTable && !isView) missing.push(`${t.name} (missing)`);
    else if (want === "table" && !isTable) missing.push(`${t.name} (is a view, schema says table)`);
  }
  report(missing.length === 0, `every table of schema.yaml exists in plandata.duckdb (${tables.length} declared)`, sample(missing));
}

{
  const wrong = expectedViews.filter((v) => !dbViews.has(v) || dbTables.has(v));
  report(wrong.length === 0, `${expectedViews.join(", ")} are views`, `not a view: ${wrong.join(", ")}`);
}

for (const t of tables) {
  const got = columnsOf(t.name);
  if (got.length === 0) continue; // reported as missing above
  const problems = [];
  const gotNames = got.map((c) => c.column_name);
  const wantNames = t.columns.map((c) => c.name);
  if (gotNames.join(",") !== wantNames.join(",")) {
    problems.push(`columns [${gotNames.join(", ")}] != schema [${wantNames.join(", ")}]`);
  }
  for (const c of t.columns) {
    const g = got.find((x) => x.column_name === c.name);
    if (g && duckType[c.type] && g.data_type !== duckType[c.type]) {
      problems.push(`${c.name} is ${g.data_type}, schema type ${c.type} wants ${duckType[c.type]}`);
    }
  }
  report(problems.length === 0, `${t.name}: columns and types match schema.yaml (${wantNames.length} columns)`, sample(problems, 3));
}

for (const name of [...tables.map((t) => t.name), ...expectedViews.filter((v) => !tableByName.has(v))]) {
  const obj = dbTables.get(name) || dbViews.get(name);
  if (!obj) continue;
  const cols = columnsOf(name);
  const commented = cols.filter((c) => c.comment !== null && String(c.comment).trim() !== "");
  const pct = cols.length ? (100 * commented.length) / cols.length : 0;
  const hasComment = obj.comment !== null && String(obj.comment).trim() !== "";
  const msg = `comments ${name}: ${hasComment ? "table comment present" : "NO table comment"}, ${commented.length}/${cols.length} columns commented (${pct.toFixed(0)}%)`;
  const uncommented = cols.filter((c) => !commented.includes(c)).map((c) => c.column_name);
  report(hasComment && pct >= 90, msg, uncommented.length ? `uncommented: ${sample(uncommented)}` : "");
}

await check("primary keys in duckdb_constraints(), references in the foreign_keys view", async () => {
  const cons = await rows(
    `SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE ${inDb} AND constraint_type = 'PRIMARY KEY'`,
  );
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const missingPK = [];
  let nPK = 0;
  const declared = [];
  for (const t of baseTables) {
    if (t.primary_key) {
      nPK++;
      if (!cons.some((c) => c.table_name === t.name && same(c.constraint_column_names, t.primary_key))) {
        missingPK.push(`${t.name}(${t.primary_key.join(", ")})`);
      }
    }
    for (const col of t.columns) {
      if (col.references) declared.push(`${t.name}.${col.name} -> ${col.references}`);
    }
  }
  report(missingPK.length === 0, `every declared primary key is in duckdb_constraints() (${nPK})`, `missing: ${sample(missingPK)}`);
  const listed = (await rows(
    `SELECT table_name || '.' || column_name || ' -> ' || referenced_table || '.' || referenced_column AS r FROM foreign_keys`,
  )).map((x) => x.r);
  const missing = declared.filter((d) => !listed.includes(d));
  const extra = listed.filter((l) => !declared.includes(l));
  report(missing.length === 0 && extra.length === 0, `the foreign_keys view lists every declared reference, and no other (${declared.length})`,
    `missing: ${sample(missing)}; not declared: ${sample(extra)}`);
});

// ---------------------------------------------------------------------------------------------
// Row counts across formats

const manifestRows = new Map((manifest.tables || []).map((t) => [t.name, Number(t.rows)]));
{
  const notInManifest = tables.map((t) => t.name).filter((n) => !manifestRows.has(n));
  const extra = [...manifestRows.keys()].filter((n) => !tableByName.has(n));
  report(notInManifest.length === 0 && extra.length === 0, `manifest.json lists exactly the tables of schema.yaml`,
    [notInManifest.length ? `missing ${sample(notInManifest)}` : "", extra.length ? `extra ${sample(extra)}` : ""].filter(Boolean).join("; "));
}

for (const t of tables) {
  await check(`row counts ${t.name}`, async () => {
    const counts = {};
    counts.duckdb = Number(await scalar(`SELECT count(*) FROM ${q(t.name)}`));
    const pq = path.join(releaseDir, "parquet", `${t.name}.parquet`);
    const csv = path.join(releaseDir, "csv", `${t.name}.csv`);
    counts.parquet = existsSync(pq) ? Number(await scalar(`SELECT count(*) FROM read_parquet(${lit(pq)})`, mem)) : "missing";
    counts.csv = existsSync(csv) ? Number(await scalar(`SELECT count(*) FROM read_csv(${lit(csv)}, all_varchar = true, header = true)`, mem)) : "missing";
    counts.manifest = manifestRows.has(t.name) ? manifestRows.get(t.name) : "missing";
    const values = Object.values(counts);
    const agree = values.every((v) => v === values[0]);
    report(agree, `row counts ${t.name}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ")}`, "formats disagree");
  });
}

// ---------------------------------------------------------------------------------------------
// Ground rules

for (const t of factTables) {
  await check(`evidence for ${t}`, async () => {
    const total = Number(await scalar(`SELECT count(*) FROM ${q(t)}`));
    const bare = await rows(
      `SELECT ${keyExpr(t)} AS k FROM ${q(t)} AS x
       WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.subject_table = ${lit(t)} AND e.subject_id = ${keyExpr(t)})
       ORDER BY k`,
    );
    report(bare.length === 0, `evidence: every ${t} row (${total}) has at least one evidence row`, `${bare.length} without: ${sample(bare.map((r) => r.k))}`);
  });
}

await check("evidence points at existing rows", async () => {
  const subjects = (await rows("SELECT DISTINCT subject_table FROM evidence ORDER BY 1")).map((r) => r.subject_table);
  const unknown = subjects.filter((s) => !tableByName.has(s) || tableByName.get(s).view);
  const orphans = [];
  for (const s of subjects.filter((x) => !unknown.includes(x))) {
    const r = await rows(
      `SELECT e.subject_id FROM evidence e WHERE e.subject_table = ${lit(s)}
       AND NOT EXISTS (SELECT 1 FROM ${q(s)} AS x WHERE ${keyExpr(s)} = e.subject_id)`,
    );
    orphans.push(...r.map((x) => `${s}/${x.subject_id}`));
  }
  report(unknown.length === 0 && orphans.length === 0, `evidence: every subject_table is a table and every subject_id names an existing row (${subjects.length} tables)`, [unknown.length ? `unknown tables ${sample(unknown)}` : "", orphans.length ? `orphans ${sample(orphans)}` : ""].filter(Boolean).join("; "));
});

await check("evidence.source_id exists", async () => {
  const r = await rows("SELECT DISTINCT e.source_id FROM evidence e ANTI JOIN sources s ON s.source_id = e.source_id ORDER BY 1");
  report(r.length === 0, "evidence: every source_id exists in sources", `unknown: ${sample(r.map((x) => x.source_id))}`);
});

await check("sources are not background knowledge", async () => {
  const r = await rows("SELECT source_id, kind FROM sources WHERE lower(kind) LIKE '%background%' OR kind IS NULL OR url IS NULL OR url NOT LIKE 'http%' ORDER BY 1");
  report(r.length === 0, "sources: no source has kind 'background' (or no address)", sample(r.map((x) => `${x.source_id} kind=${x.kind}`)));
});

await check("confidence values", async () => {
  const bad = [];
  let cols = 0;
  for (const t of baseTables) {
    for (const c of t.columns) {
      if (!(c.name === "confidence" || c.name.endsWith("_confidence") || (t.name === "sources" && c.name === "reliability"))) continue;
      cols++;
      const nullable = c.name !== "confidence" && c.name !== "reliability";
      const r = await rows(
        `SELECT ${keyExpr(t.name)} AS k, ${q(c.name)} AS v FROM ${q(t.name)} AS x
         WHERE ${nullable ? `${q(c.name)} IS NOT NULL AND ` : ""}(${q(c.name)} IS NULL OR ${q(c.name)} NOT IN ('high', 'medium', 'low'))`,
      );
      bad.push(...r.map((x) => `${t.name}.${c.name}[${x.k}]=${x.v}`));
    }
  }
  report(bad.length === 0, `confidence: every confidence value is high, medium or low (${cols} columns)`, sample(bad));
});

await check("foreign keys hold", async () => {
  const bad = [];
  let n = 0;
  for (const t of baseTables) {
    for (const c of t.columns) {
      if (!c.references) continue;
      n++;
      const [rt, rc] = c.references.split(".");
      const r = await rows(
        `SELECT DISTINCT CAST(x.${q(c.name)} AS VARCHAR) AS v FROM ${q(t.name)} AS x
         WHERE x.${q(c.name)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${q(rt)} AS y WHERE y.${q(rc)} = x.${q(c.name)})`,
      );
      if (r.length) bad.push(`${t.name}.${c.name} -> ${c.references}: ${sample(r.map((x) => x.v), 3)}`);
    }
  }
  report(bad.length === 0, `foreign keys: no dangling reference in ${n} declared references (task_categories.aspect_id, tasks.category_id, …)`, bad.join("; "));
});

// The same rows that the recorded counts describe, counted here.
const recordedChecks = [
  ["plans.measures_recorded = tasks per plan", `SELECT p.plan_id, p.measures_recorded AS got, (SELECT count(*) FROM tasks t WHERE t.plan_id = p.plan_id) AS want FROM plans p`],
  ["plans.categories_recorded = task_categories per plan", `SELECT p.plan_id, p.categories_recorded AS got, (SELECT count(*) FROM task_categories c WHERE c.plan_id = p.plan_id) AS want FROM plans p`],
  ["plans.categories_named = task_categories with a name per plan", `SELECT p.plan_id, p.categories_named AS got, (SELECT count(*) FROM task_categories c WHERE c.plan_id = p.plan_id AND (c.name_zh IS NOT NULL OR c.name_en IS NOT NULL)) AS want FROM plans p`],
  ["plans.members_recorded = plan_members per plan", `SELECT p.plan_id, p.members_recorded AS got, (SELECT count(*) FROM plan_members m WHERE m.plan_id = p.plan_id) AS want FROM plans p`],
  ["task_categories.measures_recorded = tasks per category", `SELECT c.category_id AS plan_id, c.measures_recorded AS got, (SELECT count(*) FROM tasks t WHERE t.category_id = c.category_id) AS want FROM task_categories c`],
];
for (const [name, sql] of recordedChecks) {
  await check(name, async () => {
    const r = await rows(`SELECT * FROM (${sql}) WHERE got IS DISTINCT FROM want ORDER BY 1`);
    report(r.length === 0, `recorded counts: ${name}`, sample(r.map((x) => `${x.plan_id} recorded ${x.got}, rows ${x.want}`)));
  });
}

await check("recorded <= declared", async () => {
  const r = await rows(
    `SELECT plan_id, what, recorded, declared FROM (
       SELECT plan_id, 'categories' AS what, categories_recorded AS recorded, categories_declared AS declared FROM plans
       UNION ALL SELECT plan_id, 'measures', measures_recorded, measures_declared FROM plans
       UNION ALL SELECT plan_id, 'members', members_recorded, members_declared FROM plans
       UNION ALL SELECT plan_id, 'named categories', categories_named, categories_recorded FROM plans)
     WHERE declared IS NOT NULL AND recorded > declared ORDER BY 1, 2`,
  );
  report(r.length === 0, "recorded counts never exceed declared ones (and named <= recorded)", sample(r.map((x) => `${x.plan_id} ${x.what} ${x.recorded} > ${x.declared}`)));
});

await check("measures_coverage", async () => {
  const r = await rows(
    `SELECT plan_id, measures_coverage AS got, measures_recorded / measures_declared AS want FROM plans
     WHERE NOT ((measures_declared IS NULL AND measures_coverage IS NULL)
             OR abs(measures_coverage - measures_recorded / measures_declared) < 1e-9)`,
  );
  report(r.length === 0, "plans.measures_coverage = measures_recorded / measures_declared (NULL when undeclared)", sample(r.map((x) => `${x.plan_id} ${x.got} != ${x.want}`)));
});

// ---------------------------------------------------------------------------------------------
// Regions: the 34 provincial-level divisions
//
// GB/T 2260 codes of the provincial-level divisions, as in
//   https://github.com/modood/Administrative-divisions-of-China/blob/0b2fe51c6088fde28a8efd6b38f1ffdd88687a79/dist/provinces.json
//   (source r01 in sources/sources.yaml; it begins 110000 北京市 like the official NBS list,
//   source r02, http://big5.www.gov.cn/gate/big5/www.gov.cn/test/2011-08/22/content_1930111.htm)
// ISO 3166-2:CN codes (two-letter codes since the ISO change of 2017-11-23), as listed in
//   https://de.zxc.wiki/wiki/ISO_3166-2:CN (source r03) and https://kampuspedia.com/en/ISO_3166-2:CN (source r04),
//   both citing the ISO Online Browsing Platform, https://www.iso.org/obp/ui/#iso:code:3166:CN
const provinces = [
  ["110000", "CN-BJ", "Beijing"], ["120000", "CN-TJ", "Tianjin"], ["130000", "CN-HE", "Hebei"],
  ["140000", "CN-SX", "Shanxi"], ["150000", "CN-NM", "Inner Mongolia"], ["210000", "CN-LN", "Liaoning"],
  ["220000", "CN-JL", "Jilin"], ["230000", "CN-HL", "Heilongjiang"], ["310000", "CN-SH", "Shanghai"],
  ["320000", "CN-JS", "Jiangsu"], ["330000", "CN-ZJ", "Zhejiang"], ["340000", "CN-AH", "Anhui"],
  ["350000", "CN-FJ", "Fujian"], ["360000", "CN-JX", "Jiangxi"], ["370000", "CN-SD", "Shandong"],
  ["410000", "CN-HA", "Henan"], ["420000", "CN-HB", "Hubei"], ["430000", "CN-HN", "Hunan"],
  ["440000", "CN-GD", "Guangdong"], ["450000", "CN-GX", "Guangxi"], ["460000", "CN-HI", "Hainan"],
  ["500000", "CN-CQ", "Chongqing"], ["510000", "CN-SC", "Sichuan"], ["520000", "CN-GZ", "Guizhou"],
  ["530000", "CN-YN", "Yunnan"], ["540000", "CN-XZ", "Xizang (Tibet)"], ["610000", "CN-SN", "Shaanxi"],
  ["620000", "CN-GS", "Gansu"], ["630000", "CN-QH", "Qinghai"], ["640000", "CN-NX", "Ningxia"],
  ["650000", "CN-XJ", "Xinjiang"], ["710000", "CN-TW", "Taiwan"], ["810000", "CN-HK", "Hong Kong"],
  ["820000", "CN-MO", "Macao"],
];
const provincialKinds = "('province', 'municipality', 'autonomous_region', 'sar')";

await check("regions: provincial-level divisions", async () => {
  const r = await rows(`SELECT region_id, CAST(gb2260_code AS VARCHAR) AS gb2260_code, iso_code FROM regions WHERE kind IN ${provincialKinds}`);
  report(r.length === 34, `regions: exactly 34 rows of kind province/municipality/autonomous_region/sar (found ${r.length})`);
  const got = new Set(r.map((x) => `${x.gb2260_code} ${x.iso_code}`));
  const want = new Set(provinces.map(([gb, iso]) => `${gb} ${iso}`));
  const missing = provinces.filter(([gb, iso]) => !got.has(`${gb} ${iso}`)).map(([gb, iso, en]) => `${gb} ${iso} ${en}`);
  const unexpected = r.filter((x) => !want.has(`${x.gb2260_code} ${x.iso_code}`)).map((x) => `${x.region_id} ${x.gb2260_code} ${x.iso_code}`);
  report(missing.length === 0 && unexpected.length === 0, "regions: GB/T 2260 and ISO 3166-2 code pairs of the provincial-level divisions equal the published lists",
    [missing.length ? `missing ${sample(missing)}` : "", unexpected.length ? `unexpected ${sample(unexpected)}` : ""].filter(Boolean).join("; "));
});

await check("regions.gb2260_code in DuckDB", async () => {
  const type = await scalar(`SELECT data_type FROM duckdb_columns() WHERE ${inDb} AND table_name = 'regions' AND column_name = 'gb2260_code'`);
  report(type === "VARCHAR", `regions.gb2260_code is VARCHAR in DuckDB (${type})`);
  const bad = await rows("SELECT region_id, CAST(gb2260_code AS VARCHAR) AS v FROM regions WHERE gb2260_code IS NOT NULL AND NOT regexp_full_match(CAST(gb2260_code AS VARCHAR), '[0-9]{6}')");
  report(bad.length === 0, "regions.gb2260_code is six digits wherever set (no lost leading zeros) in DuckDB", sample(bad.map((x) => `${x.region_id}=${x.v}`)));
});

await check("regions.gb2260_code in parquet", async () => {
  const pq = path.join(releaseDir, "parquet", "regions.parquet");
  const pqType = await scalar(`SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet(${lit(pq)})) WHERE column_name = 'gb2260_code'`, mem);
  const pqBad = await rows(`SELECT region_id, CAST(gb2260_code AS VARCHAR) AS v FROM read_parquet(${lit(pq)}) WHERE gb2260_code IS NOT NULL AND NOT regexp_full_match(CAST(gb2260_code AS VARCHAR), '[0-9]{6}')`, mem);
  report(pqType === "VARCHAR" && pqBad.length === 0, `regions.gb2260_code is text with six digits in parquet (${pqType})`, sample(pqBad.map((x) => `${x.region_id}=${x.v}`)));
});

await check("regions.gb2260_code in csv", async () => {
  const csv = path.join(releaseDir, "csv", "regions.csv");
  const csvRows = await rows(`SELECT region_id, gb2260_code FROM read_csv(${lit(csv)}, all_varchar = true, header = true) WHERE gb2260_code IS NOT NULL AND gb2260_code <> ''`, mem);
  const csvBad = csvRows.filter((x) => !/^[0-9]{6}$/.test(x.gb2260_code));
  report(csvRows.length >= 34 && csvBad.length === 0, `regions.gb2260_code is six digits in csv (${csvRows.length} codes)`, sample(csvBad.map((x) => `${x.region_id}=${x.gb2260_code}`)));
});

// ---------------------------------------------------------------------------------------------
// Facts from the research (shared/research/plan-facts*.yaml). Each expected value is written
// here, with the research file and the source id(s) it rests on.

// fact checks one query result against an expected value (compared as JSON).
async function fact(name, sql, expected, normalise = (r) => r) {
  await check(name, async () => {
    const got = normalise(await rows(sql));
    const a = JSON.stringify(got);
    const b = JSON.stringify(expected);
    report(a === b, `fact: ${name}`, `got ${a}, want ${b}`);
  });
}

// plan-facts.yaml plans[2022].publication_date "2022-04-13", sources S01, S03 (confidence high).
await fact("2022 plan published 2022-04-13", "SELECT CAST(published_on AS VARCHAR) AS d FROM plans WHERE plan_id = 'iiswg-2022'", [{ d: "2022-04-13" }]);

// plan-facts.yaml plans[2022]: n_categories 15 (S01, S04), n_measures 83 (S04),
// member_count total_including_miit 20 (S02, S03).
await fact(
  "2022 plan declares 15 categories, 83 measures, 20 members",
  "SELECT categories_declared AS c, measures_declared AS m, members_declared AS n FROM plans WHERE plan_id = 'iiswg-2022'",
  [{ c: "15", m: "83", n: "20" }],
);

// plan-facts.yaml plans[2022].doc_number_as_cited 工信厅信管〔2022〕423号, doc_number_sources [S05],
// doc_number_confidence low (probably a transcription error; see doc_number_note).
await fact(
  "2022 plan doc number 工信厅信管〔2022〕423号 with confidence low",
  "SELECT doc_number AS n, doc_number_confidence AS c FROM plans WHERE plan_id = 'iiswg-2022'",
  [{ n: "工信厅信管〔2022〕423号", c: "low" }],
);

// plan-facts.yaml measure M2022-06, regions [重庆, 山东, 浙江, 辽宁, 江苏, 广东], source S01 (high):
// Chongqing 500000, Shandong 370000, Zhejiang 330000, Liaoning 210000, Jiangsu 320000, Guangdong 440000.
await fact(
  "iiswg-2022-m06 names exactly Chongqing, Shandong, Zhejiang, Liaoning, Jiangsu, Guangdong",
  `SELECT r.gb2260_code AS gb, tr.as_written AS w FROM task_regions tr JOIN regions r USING (region_id)
   WHERE tr.task_id = 'iiswg-2022-m06' ORDER BY r.gb2260_code NULLS LAST, tr.as_written`,
  [
    { gb: "210000", w: "辽宁" }, { gb: "320000", w: "江苏" }, { gb: "330000", w: "浙江" },
    { gb: "370000", w: "山东" }, { gb: "440000", w: "广东" }, { gb: "500000", w: "重庆" },
  ],
);

// plan-facts.yaml measure M2022-15 and `regions`: 俄罗斯 (Russia), 德国等欧洲国家 (Germany and other
// European countries), 上海合作组织成员国 (SCO member states), 金砖国家 (BRICS), 东盟 (ASEAN);
// source S03 (medium).
await fact(
  "iiswg-2022-m15 names Russia, SCO, BRICS, ASEAN and Germany/Europe",
  `SELECT tr.as_written AS w,
          CASE WHEN r.iso_code = 'RU' OR r.name_en ILIKE '%russia%' THEN 'Russia'
               WHEN r.name_en ILIKE '%shanghai cooperation%' OR r.name_en ILIKE 'SCO%' THEN 'SCO'
               WHEN r.name_en ILIKE '%brics%' THEN 'BRICS'
               WHEN r.name_en ILIKE '%asean%' OR r.name_en ILIKE '%southeast asian%' THEN 'ASEAN'
               WHEN r.name_en ILIKE '%germany%' OR r.iso_code = 'DE' THEN 'Germany/Europe'
               ELSE 'other: ' || r.region_id END AS what
   FROM task_regions tr JOIN regions r USING (region_id)
   WHERE tr.task_id = 'iiswg-2022-m15' ORDER BY what`,
  [
    { w: "东盟", what: "ASEAN" }, { w: "金砖国家", what: "BRICS" }, { w: "德国等欧洲国家", what: "Germany/Europe" },
    { w: "俄罗斯", what: "Russia" }, { w: "上海合作组织成员国", what: "SCO" },
  ],
);

// plan-facts.yaml implementation_followups and measure M2022-02 follow_up: 《5G全连接工厂建设指南》
// 工信厅信管〔2022〕23号, published 2022-09-06; sources S14, S15 (high).
await fact(
  "5G factory guide 工信厅信管〔2022〕23号 dated 2022-09-06, an outcome of a 2022 task",
  `SELECT CAST(o.date AS VARCHAR) AS d, t.plan_id AS p FROM task_outcomes o JOIN tasks t USING (task_id)
   WHERE o.doc_number = '工信厅信管〔2022〕23号'`,
  [{ d: "2022-09-06", p: "iiswg-2022" }],
);

// plan-facts.yaml implementation_followups and measure M2022-14 follow_up: 2022 pilot call
// 工信厅信管函〔2022〕252号; sources S05, S21 (high).
await fact(
  "pilot call 工信厅信管函〔2022〕252号, an outcome of a 2022 task",
  `SELECT t.plan_id AS p FROM task_outcomes o JOIN tasks t USING (task_id) WHERE o.doc_number = '工信厅信管函〔2022〕252号'`,
  [{ p: "iiswg-2022" }],
);

// plan-facts.yaml agencies.list SASTIND member_2022 true, source S00 (= N03 in plan-facts-more.yaml;
// N04 adds membership since 2018), confidence medium.
await fact(
  "SASTIND is a member of the 2022 plan",
  "SELECT role FROM plan_members WHERE plan_id = 'iiswg-2022' AND agency_id = 'sastind'",
  [{ role: "member" }],
);

// plan-facts-more.yaml M2022-21 note: the source (N04) stops before tying SASTIND to a measure, so
// responsibility stays blank; no 责任单位 were found for any 2022 measure (meta.attachment_table_found
// false). So neither SASTIND nor any of its departments is a responsible unit of a 2022 task.
await fact(
  "SASTIND (or a SASTIND department) is not a responsible unit of any 2022 task",
  `WITH RECURSIVE sub(agency_id) AS (
     SELECT 'sastind' UNION SELECT a.agency_id FROM agencies a JOIN sub ON a.parent_agency_id = sub.agency_id)
   SELECT ta.task_id, ta.agency_id FROM task_agencies ta JOIN tasks t USING (task_id)
   WHERE t.plan_id = 'iiswg-2022' AND ta.agency_id IN (SELECT agency_id FROM sub)`,
  [],
);

// plan-facts.yaml agencies.list MIIT "lead/issuer", sources S01, S02 (high); working_group.head:
// the MIIT minister (S10). MIIT is the one lead member of the 2022 plan, and no other agency
// leads any plan.
await fact(
  "MIIT is the lead member of the 2022 plan (and the only lead of any plan)",
  "SELECT DISTINCT plan_id = 'iiswg-2022' AS is2022, agency_id FROM plan_members WHERE role = 'lead' AND (plan_id = 'iiswg-2022' OR agency_id <> 'miit') ORDER BY 1, 2",
  [{ is2022: true, agency_id: "miit" }],
);

// Benchmark 5G fully-connected factories, one target a year:
//   2021: 3-5 (plan-facts.yaml plans[2021].notable_targets; plan-facts-years.yaml M2021-01; S07, S08)
//   2022: 10 (plan-facts.yaml M2022-03; S01, S03)
//   2023: 30 pilot benchmarks (plan-facts.yaml plans[2023].notable_targets; plan-facts-years.yaml M2023-02; S12)
await fact(
  "benchmark 5G factory targets: 2021 range 3..5, 2022 = 10, 2023 = 30",
  `SELECT p.year AS y, g.comparator AS c, g.value_min AS lo, g.value_max AS hi
   FROM targets g JOIN tasks t USING (task_id) JOIN plans p USING (plan_id)
   WHERE g.metric_en ILIKE '%benchmark%5G%factor%' ORDER BY p.year`,
  [
    { y: "2021", c: "range", lo: 3, hi: 5 },
    { y: "2022", c: "=", lo: 10, hi: 10 },
    { y: "2023", c: "=", lo: 30, hi: 30 },
  ],
);

// Declared counts:
//   2020 10 categories / 54 measures: plan-facts-years.yaml plan_2020 (asiatimesfinancial.com, medium)
//   2021 15 / 90: plan-facts.yaml plans[2021] (S07, S08; high)
//   2023 11 actions / 54 measures: plan-facts.yaml plans[2023] (S12); plan-facts-years.yaml plan_2023
await fact(
  "declared counts 2020 10/54, 2021 15/90, 2023 11/54",
  "SELECT year AS y, categories_declared AS c, measures_declared AS m FROM plans WHERE year IN (2020, 2021, 2023) ORDER BY year",
  [
    { y: "2020", c: "10", m: "54" },
    { y: "2021", c: "15", m: "90" },
    { y: "2023", c: "11", m: "54" },
  ],
);

// plan-facts-more.yaml member_agency_facts and plan-facts-years.yaml plan_2019.notable_items: the 2019
// plan made SASTIND (系统工程三司) lead of the defence-industry internet task, due December 2019;
// source N06 (blocking.net), confidence medium.
await fact(
  "2019 SASTIND task: lead sastind-sed3 (or sastind), deadline December 2019",
  `SELECT count(*) > 0 AS found FROM task_agencies ta JOIN tasks t USING (task_id)
   WHERE t.plan_id = 'iiswg-2019' AND ta.role = 'lead' AND ta.agency_id IN ('sastind-sed3', 'sastind')
     AND t.deadline_date BETWEEN DATE '2019-12-01' AND DATE '2019-12-31'`,
  [{ found: true }],
);

// plan-facts-more.yaml plan_2020_facts (N07, cpw.com.cn) and plan-facts-years.yaml M2020-01:
// MIIT 信发司 leads the National Industrial Internet Big Data Center, deadline 2020-12.
await fact(
  "2020 big data center task led by MIIT (信发司), deadline 2020-12-31",
  `SELECT count(*) > 0 AS found FROM task_agencies ta JOIN tasks t USING (task_id) JOIN agencies a USING (agency_id)
   WHERE t.plan_id = 'iiswg-2020' AND ta.role = 'lead'
     AND (ta.agency_id = 'miit' OR a.parent_agency_id = 'miit') AND ta.as_written LIKE '%信发司%'
     AND t.deadline_date = DATE '2020-12-31' AND t.summary_en ILIKE '%big data cent%'`,
  [{ found: true }],
);

// CBIRC (中国银行保险监督管理委员会) existed 2018-2023: plan-facts.yaml agencies.list "(2018-2023)";
// sources/sources.yaml r05, r06 (unveiled 8 April 2018) and r07, r08 (replaced on 18 May 2023).
await fact(
  "cbirc valid from 2018 to 2023",
  "SELECT year(valid_from) AS f, year(valid_to) AS t FROM agencies WHERE agency_id = 'cbirc'",
  [{ f: "2018", t: "2023" }],
);

// ---------------------------------------------------------------------------------------------

db.closeSync();
mem.closeSync();
console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures > 0 ? 1 : 0);

// check-datapackage.mjs checks a release's datapackage.json with the Frictionless reference
// implementation for JavaScript (the npm package `datapackage`, pinned in package.json).
//
//   cd scripts && npm ci && cd .. && node scripts/check-datapackage.mjs outputs/latest
//
// What it checks, and who does the checking:
//   - the library validates the package descriptor and every resource descriptor against the
//     tabular-data-package and tabular-data-resource profiles (JSON Schema, Table Schema);
//   - the library reads every row of every resource through its Table Schema with
//     `relations: true`: header names, every cell cast to its field type, required
//     constraints, primary key uniqueness, and every foreign key looked up in the rows of the
//     resource it references (self-references included);
//   - this script checks what the library leaves out: every resource path exists, its size
//     and sha256 equal `bytes` and `hash`, and every foreign key names a tabular resource (the
//     library skips a foreign key silently when its resource is not tabular).
// It prints every problem and exits 1 if there is any, 2 on usage errors.

import { createHash } from "node:crypto";
import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import datapackage from "datapackage";

const { Package } = datapackage;

// maxPerResource caps the problems printed for one resource; the count covers them all.
const maxPerResource = 20;

function usage() {
  console.error("usage: node check-datapackage.mjs RELEASE_DIR | path/to/datapackage.json");
  process.exit(2);
}

// messages flattens a library error (which may carry .errors) into lines.
function messages(err) {
  const out = [];
  const walk = (e) => {
    if (e && Array.isArray(e.errors) && e.errors.length > 0) {
      for (const sub of e.errors) walk(sub);
      return;
    }
    const msg = e && e.message ? e.message : String(e);
    const rowKnown = e && e.rowNumber !== undefined && !msg.toLowerCase().includes(`row ${e.rowNumber}`);
    out.push((rowKnown ? `row ${e.rowNumber}: ` : "") + msg);
  };
  walk(err);
  if (err && Array.isArray(err.errors) && err.errors.length > 0 && err.message) {
    out.unshift(err.message);
  }
  return out;
}

async function main() {
  const arg = process.argv[2];
  if (!arg || process.argv.length > 3) usage();
  let file = realpathSync(arg);
  if (statSync(file).isDirectory()) file = path.join(file, "datapackage.json");
  const base = path.dirname(file);
  const problems = [];
  const perWhere = new Map();
  const problem = (where, msg) => {
    const n = (perWhere.get(where) || 0) + 1;
    perWhere.set(where, n);
    if (n <= maxPerResource) problems.push(`${where}: ${msg}`);
  };

  const pkg = await Package.load(file, base, { strict: false });

  // 1. Descriptor validation by the library (package profile, then each resource's profile).
  if (!pkg.valid) {
    for (const e of pkg.errors) for (const m of messages(e)) problem("datapackage.json", m);
  }
  const broken = new Set(); // resources whose descriptor or own rows have errors
  for (const r of pkg.resources) {
    if (r.valid) continue;
    for (const e of r.errors) for (const m of messages(e)) problem(`resource ${r.name}`, m);
    broken.add(r.name); // its rows cannot be read through an invalid schema
  }

  const descriptor = pkg.descriptor;
  const byName = new Map(pkg.resources.map((r) => [r.name, r]));
  const tabular = pkg.resources.filter((r) => r.tabular);
  const values = new Map(); // resource name -> Map(rowNumber -> keyed row), from pass 1
  let rows = 0;

  // 2. Integrity of every file on disk (not checked by the library).
  for (const r of pkg.resources) {
    const d = r.descriptor;
    const where = `resource ${r.name}`;
    let bytes;
    try {
      bytes = readFileSync(path.join(base, d.path));
    } catch (e) {
      problem(where, `cannot read ${d.path}: ${e.message}`);
      broken.add(r.name);
      continue;
    }
    if (bytes.length !== d.bytes) problem(where, `${d.path} has ${bytes.length} bytes, descriptor says ${d.bytes}`);
    const sum = "sha256:" + createHash("sha256").update(bytes).digest("hex");
    if (sum !== d.hash) problem(where, `${d.path} hash is ${sum}, descriptor says ${d.hash}`);
    if (!r.tabular) problem(where, "not a tabular resource");
  }

  // 3. Pass 1, by the library: every row of every resource on its own: header, casts,
  // required constraints, primary key uniqueness. forceCast returns a failing row as an Error
  // instead of stopping at the first one.
  for (const r of tabular) {
    if (broken.has(r.name)) continue; // unreadable file or invalid descriptor, reported above
    const where = `resource ${r.name}`;
    let data;
    try {
      data = await r.read({ extended: true, forceCast: true });
    } catch (e) {
      for (const m of messages(e)) problem(where, m);
      broken.add(r.name);
      continue;
    }
    const byRow = new Map();
    for (const row of data) {
      if (row instanceof Error) {
        for (const m of messages(row)) problem(where, m);
        broken.add(r.name);
        continue;
      }
      const [rowNumber, headers, cells] = row;
      byRow.set(rowNumber, Object.fromEntries(headers.map((h, i) => [h, cells[i]])));
    }
    values.set(r.name, byRow);
    rows += data.length;
  }

  // 4. Pass 2, by the library: every foreign key looked up in the rows of the resource it
  // references (`relations: true`). The library reads a referenced resource without
  // forceCast, so a resource is checked only when it and everything it references read
  // cleanly in pass 1; anything else would report the referenced resource's errors here.
  let foreignKeys = 0;
  let fkChecks = 0;
  for (const r of tabular) {
    const fks = (r.descriptor.schema && r.descriptor.schema.foreignKeys) || [];
    if (fks.length === 0) continue;
    const where = `resource ${r.name}`;
    if (broken.has(r.name)) {
      problem(where, "foreign keys not checked: the resource has errors of its own");
      continue;
    }
    const refs = new Set(fks.map((fk) => fk.reference.resource || r.name));
    const missing = [...refs].filter((n) => !byName.has(n) || !byName.get(n).tabular);
    if (missing.length > 0) {
      // The library skips a foreign key to a non-tabular resource silently, and fails with a
      // TypeError on an unknown one.
      problem(where, `foreign keys reference ${missing.join(", ")}, not a tabular resource of the package`);
      continue;
    }
    const bad = [...refs].filter((n) => broken.has(n));
    if (bad.length > 0) {
      problem(where, `foreign keys not checked: ${bad.join(", ")} did not read cleanly`);
      continue;
    }
    let data;
    try {
      data = await r.read({ relations: true, extended: true, forceCast: true });
    } catch (e) {
      for (const m of messages(e)) problem(where, m);
      continue;
    }
    for (const row of data) {
      if (!(row instanceof Error)) continue;
      const fields = /Foreign key "([^"]*)"/.exec(row.message);
      const cells = (values.get(r.name) || new Map()).get(row.rowNumber);
      let detail = "";
      if (fields && cells) {
        detail = " (" + fields[1].split(",").map((f) => `${f}=${JSON.stringify(cells[f])}`).join(", ") + ")";
      }
      for (const m of messages(row)) problem(where, m + detail);
    }
    foreignKeys += fks.length;
    fkChecks += data.length * fks.length;
  }

  for (const [where, n] of perWhere) {
    if (n > maxPerResource) problems.push(`${where}: ... and ${n - maxPerResource} more`);
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    const total = [...perWhere.values()].reduce((a, b) => a + b, 0);
    console.error(`${total} problems in ${file}`);
    process.exit(1);
  }
  console.log(
    `${file}: valid ${descriptor.profile} (datapackage ${datapackageVersion()}); ` +
      `${pkg.resources.length} resources, ${rows} rows read and cast, ` +
      `${foreignKeys} foreign keys checked on ${fkChecks} row values, bytes and sha256 match`,
  );
}

function datapackageVersion() {
  try {
    const here = path.dirname(new URL(import.meta.url).pathname);
    return JSON.parse(readFileSync(path.join(here, "node_modules/datapackage/package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

main().catch((e) => {
  for (const m of messages(e)) console.error(m);
  process.exit(1);
});

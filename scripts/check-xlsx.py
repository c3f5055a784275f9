#!/usr/bin/python3
"""check-xlsx.py checks a plandata release's workbook the way a spreadsheet user meets it.

    /usr/bin/python3 scripts/check-xlsx.py outputs/latest

It reads RELEASE_DIR/plandata.xlsx with openpyxl (Debian: python3-openpyxl), and the table
declarations RELEASE_DIR/schema.yaml (python3-yaml) and RELEASE_DIR/manifest.json; it shares no
code with the Go pipeline. It prints one line per check, `ok ...` or `FAIL ...`, and exits 1 if
any check failed, 2 on usage errors.

Checks:
  - sheets: README, dictionary, one per table in schema order, then tasks_flat (a long table may
    continue on "<table> (2)", "<table> (3)", ... right after it);
  - every table sheet: header row equals the schema's columns, header cells bold, frozen below
    the header (freeze_panes == "A2"), an auto filter whose range starts at A1 and covers every
    header column; row count equals manifest.json;
  - no cell anywhere holds a formula (data_type 'f');
  - ID and code columns (*_id, alias, row_key, gb2260_code, iso_code, doc_number) hold strings;
    gb2260_code values in the regions sheet are strings of six digits;
  - date columns hold datetime values; integer and double columns hold numbers;
  - the README sheet mentions coverage, the licence CC BY 4.0 and the release id;
  - the dictionary sheet has a row for every column of every table with an English and a
    Chinese description.
"""

import datetime
import json
import os
import re
import sys

try:
    import openpyxl
    from openpyxl.utils import column_index_from_string, get_column_letter
except ImportError:  # pragma: no cover - reported as a failure, not a traceback
    print("FAIL openpyxl is importable (install the Debian package python3-openpyxl)")
    sys.exit(1)
try:
    import yaml
except ImportError:  # pragma: no cover
    print("FAIL PyYAML is importable (install the Debian package python3-yaml)")
    sys.exit(1)

FAILURES = 0
CHECKS = 0


def report(passed, msg, detail=""):
    global FAILURES, CHECKS
    CHECKS += 1
    if passed:
        print(f"ok {msg}")
    else:
        FAILURES += 1
        print(f"FAIL {msg}" + (f": {detail}" if detail else ""))


def sample(items, n=5):
    items = list(items)
    shown = ", ".join(str(x) for x in items[:n])
    return shown + (f", … ({len(items)} in all)" if len(items) > n else "")


CJK = re.compile(r"[\u3400-\u9fff]")
ID_COLUMN = re.compile(r"(_id|^alias|^row_key|^gb2260_code|^iso_code|^doc_number)$")
CONTINUATION = re.compile(r"^(.*) \((\d+)\)$")


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print("usage: check-xlsx.py RELEASE_DIR", file=sys.stderr)
        return 2
    release = os.path.abspath(sys.argv[1])
    paths = {n: os.path.join(release, n) for n in ("plandata.xlsx", "schema.yaml", "manifest.json")}
    missing = [n for n, p in paths.items() if not os.path.exists(p)]
    if missing:
        report(False, "release files exist", f"missing in {release}: {', '.join(missing)}")
        return finish()

    with open(paths["schema.yaml"], encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    with open(paths["manifest.json"], encoding="utf-8") as f:
        manifest = json.load(f)
    tables = schema["tables"]
    by_name = {t["name"]: t for t in tables}
    manifest_rows = {t["name"]: int(t["rows"]) for t in manifest.get("tables", [])}
    release_id = manifest.get("release_id", "")

    wb = openpyxl.load_workbook(paths["plandata.xlsx"])  # formulas stay formulas (data_only=False)

    # --- sheet order -------------------------------------------------------------------------
    base = [t["name"] for t in tables if not t.get("view")]
    views = [t["name"] for t in tables if t.get("view")]
    want = ["README", "dictionary"] + base + (views if views else ["tasks_flat"])
    got = wb.sheetnames
    # Collapse continuation sheets "<table> (n)" that directly follow their table.
    collapsed, parts = [], {}
    for name in got:
        m = CONTINUATION.match(name)
        if m and collapsed and collapsed[-1] == m.group(1) and m.group(1) in by_name:
            parts[m.group(1)].append(name)
            continue
        collapsed.append(name)
        parts[name] = [name]
    report(collapsed == want, f"sheets are README, dictionary, the {len(base)} tables in schema order, then {', '.join(views) or 'tasks_flat'}",
           f"got {got}")

    # --- no formulas anywhere ----------------------------------------------------------------
    formulas = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    formulas.append(f"{ws.title}!{c.coordinate}={c.value!r}")
    report(not formulas, f"no cell holds a formula ({len(wb.worksheets)} sheets)", sample(formulas))

    # --- table sheets ------------------------------------------------------------------------
    for t in tables:
        name = t["name"]
        if name not in parts:
            report(False, f"{name}: sheet exists", "missing")
            continue
        cols = [c["name"] for c in t["columns"]]
        sheets = [wb[s] for s in parts[name]]
        problems = []
        data_rows = 0
        wrong_type = []
        for ws in sheets:
            header = [ws.cell(row=1, column=i + 1).value for i in range(max(ws.max_column, len(cols)))]
            while header and header[-1] is None:
                header.pop()
            if header != cols:
                problems.append(f"{ws.title}: header {header} != schema {cols}")
            not_bold = [str(ws.cell(row=1, column=i + 1).value) for i in range(len(header)) if not ws.cell(row=1, column=i + 1).font.b]
            if not_bold:
                problems.append(f"{ws.title}: header not bold: {sample(not_bold, 3)}")
            if ws.freeze_panes != "A2":
                problems.append(f"{ws.title}: freeze_panes {ws.freeze_panes!r} != 'A2'")
            ref = ws.auto_filter.ref
            if not ref:
                problems.append(f"{ws.title}: no auto filter")
            else:
                m = re.match(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$", ref)
                if not m:
                    problems.append(f"{ws.title}: auto filter {ref!r} unreadable")
                else:
                    c1, r1 = m.group(1), int(m.group(2))
                    c2 = m.group(3) or c1
                    if not (c1 == "A" and r1 == 1 and column_index_from_string(c2) >= len(cols)):
                        problems.append(f"{ws.title}: auto filter {ref} does not cover header A1:{get_column_letter(len(cols))}1")
            for r in ws.iter_rows(min_row=2):
                if all(c.value is None for c in r):
                    continue
                data_rows += 1
                for spec, c in zip(t["columns"], r):
                    v = c.value
                    if v is None:
                        continue
                    cname, ctype = spec["name"], spec["type"]
                    bad = None
                    if ID_COLUMN.search(cname) and (c.data_type != "s" or not isinstance(v, str)):
                        bad = "not a string"
                    elif ctype == "date" and not (isinstance(v, datetime.datetime) or isinstance(v, datetime.date)):
                        bad = "not a date"
                    elif ctype in ("integer", "double") and (c.data_type != "n" or isinstance(v, bool) or not isinstance(v, (int, float))):
                        bad = "not a number"
                    elif ctype == "integer" and isinstance(v, float) and not v.is_integer():
                        bad = "not an integer"
                    if bad:
                        wrong_type.append(f"{ws.title}!{c.coordinate} {cname}={v!r} ({bad}, type {c.data_type})")
        report(not problems, f"{name}: header (bold, frozen at A2, filtered) matches schema", "; ".join(problems[:4]))
        report(not wrong_type, f"{name}: IDs/codes are text, dates are dates, numbers are numbers", sample(wrong_type, 4))
        want_rows = manifest_rows.get(name)
        report(want_rows == data_rows, f"{name}: {data_rows} data rows, manifest.json says {want_rows}")

    # --- regions: GB/T 2260 codes as six-digit strings ----------------------------------------
    if "regions" in parts:
        ws = wb["regions"]
        header = [c.value for c in ws[1]]
        if "gb2260_code" in header:
            i = header.index("gb2260_code")
            codes = [r[i] for r in ws.iter_rows(min_row=2) if r[i].value is not None]
            bad = [f"{c.coordinate}={c.value!r}" for c in codes if not (c.data_type == "s" and isinstance(c.value, str) and re.fullmatch(r"[0-9]{6}", c.value))]
            report(len(codes) >= 34 and not bad, f"regions: gb2260_code cells are six-digit strings ({len(codes)} codes)", sample(bad))
        else:
            report(False, "regions: gb2260_code column exists")

    # --- README ------------------------------------------------------------------------------
    if "README" in wb.sheetnames:
        text = "\n".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value is not None)
        report(re.search(r"coverage", text, re.I) is not None, "README sheet mentions coverage")
        report("CC BY 4.0" in text, "README sheet names the licence CC BY 4.0")
        report(bool(release_id) and release_id in text, f"README sheet names the release id {release_id}")

    # --- dictionary --------------------------------------------------------------------------
    if "dictionary" in wb.sheetnames:
        ws = wb["dictionary"]
        header = [c.value for c in ws[1]]
        need = ["table", "column", "description_en", "description_zh"]
        if not all(h in header for h in need):
            report(False, "dictionary: has table, column, description_en and description_zh columns", f"header {header}")
        else:
            ix = {h: header.index(h) for h in need}
            entries = {}
            for r in ws.iter_rows(min_row=2, values_only=True):
                if r[ix["column"]] is None:
                    continue
                entries[(r[ix["table"]], r[ix["column"]])] = (r[ix["description_en"]], r[ix["description_zh"]])
            missing, no_en, no_zh = [], [], []
            total = 0
            for t in tables:
                for c in t["columns"]:
                    total += 1
                    key = (t["name"], c["name"])
                    if key not in entries:
                        missing.append(".".join(key))
                        continue
                    en, zh = entries[key]
                    if not (isinstance(en, str) and en.strip()):
                        no_en.append(".".join(key))
                    if not (isinstance(zh, str) and CJK.search(zh)):
                        no_zh.append(".".join(key))
            report(not missing, f"dictionary: a row for every column of every table ({total})", f"missing {sample(missing)}")
            report(not no_en and not no_zh, "dictionary: every column has an English and a Chinese description",
                   "; ".join(x for x in (no_en and f"no English: {sample(no_en)}", no_zh and f"no Chinese: {sample(no_zh)}") if x))
        report(ws.freeze_panes == "A2" and bool(ws.auto_filter.ref) and all(c.font.b for c in ws[1] if c.value is not None),
               "dictionary: header bold, frozen at A2, filtered")

    return finish()


def finish():
    print(f"{CHECKS - FAILURES} passed, {FAILURES} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

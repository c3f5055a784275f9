#!/usr/bin/env bash
# check-outputs.sh: the independent check of a release, with a user's own tools.
#
#   scripts/check-outputs.sh              build a release into a temporary folder and check it
#   scripts/check-outputs.sh RELEASE_DIR  check an existing release (e.g. outputs/latest); builds nothing
#
# Installs what is missing (npm ci in scripts/ when node_modules is absent; the Debian packages
# python3-openpyxl and python3-yaml when /usr/bin/python3 cannot import them and apt-get exists),
# then runs scripts/check-release.mjs (DuckDB, Parquet, CSV, manifest, ground rules, facts),
# scripts/check-xlsx.py (the workbook) and scripts/check-datapackage.mjs when it exists.
# Never writes to the repository's outputs/ unless it is given as RELEASE_DIR (and then only reads).
# Exits non-zero if any step fails; every check runs even after a failure.
# scripts/test-output-checks.sh RELEASE_DIR shows that these checks fail on corrupted copies.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
status=0

say() { printf '== %s\n' "$*"; }

if [ "$#" -gt 1 ]; then
  echo "usage: scripts/check-outputs.sh [RELEASE_DIR]" >&2
  exit 2
fi

# --- tools -------------------------------------------------------------------------------------
# Every dependency of scripts/package.json must be in node_modules, else npm ci (from the lock file).
if ! (cd "$here" && node -e '
  const deps = Object.keys(require("./package.json").dependencies || {});
  const fs = require("fs");
  process.exit(deps.every((d) => fs.existsSync("node_modules/" + d + "/package.json")) ? 0 : 1);
' 2>/dev/null); then
  say "npm ci in scripts/"
  (cd "$here" && npm ci --no-audit --no-fund) || { echo "FAIL npm ci in scripts/" >&2; exit 1; }
fi

missing_debs=()
/usr/bin/python3 -c 'import openpyxl' 2>/dev/null || missing_debs+=(python3-openpyxl)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || missing_debs+=(python3-yaml)
if [ "${#missing_debs[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    say "apt-get install ${missing_debs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "${missing_debs[@]}" || { apt-get update && apt-get install -y "${missing_debs[@]}"; } \
      || { echo "FAIL apt-get install ${missing_debs[*]}" >&2; exit 1; }
  else
    echo "FAIL /usr/bin/python3 lacks ${missing_debs[*]} and there is no apt-get to install them" >&2
    exit 1
  fi
fi

# --- the release -------------------------------------------------------------------------------
if [ "$#" -eq 1 ]; then
  release="$1"
  if [ ! -d "$release" ]; then
    echo "FAIL release folder $release does not exist" >&2
    exit 2
  fi
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/plandata-check.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  bin="$work/plandata"
  say "go build -tags duckdb_arrow -o $bin ./cmd/plandata"
  (cd "$repo" && CGO_ENABLED=1 go build -tags duckdb_arrow -o "$bin" ./cmd/plandata) || { echo "FAIL go build" >&2; exit 1; }
  # What `make run` does, into the temporary folder instead of outputs/.
  say "plandata build --sources sources --out $work/out"
  (cd "$repo" && "$bin" build --sources sources --out "$work/out") || { echo "FAIL plandata build" >&2; exit 1; }
  say "plandata verify $work/out/latest"
  (cd "$repo" && "$bin" verify "$work/out/latest") || { echo "FAIL plandata verify" >&2; status=1; }
  release="$work/out/latest"
fi
release="$(cd "$release" && pwd -P)"

# --- the checks --------------------------------------------------------------------------------
say "node scripts/check-release.mjs $release"
node "$here/check-release.mjs" "$release" || status=1

say "/usr/bin/python3 scripts/check-xlsx.py $release"
/usr/bin/python3 "$here/check-xlsx.py" "$release" || status=1

if [ -f "$here/check-datapackage.mjs" ]; then
  say "node scripts/check-datapackage.mjs $release"
  node "$here/check-datapackage.mjs" "$release" || status=1
fi

if [ "$status" -eq 0 ]; then say "all output checks passed"; else say "some output checks FAILED"; fi
exit "$status"

#!/usr/bin/env bash
# Runs a scenario with the given medtwin binary and reads every Arrow file it
# wrote with Arrow JS, and their `medtwin export` Parquet files with hyparquet;
# check.mjs and check_parquet.mjs compare columns, row counts, first rows and
# metadata with what `medtwin inspect --json` reports.
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/apache-arrow" ] || [ ! -d "$here/node_modules/hyparquet" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" run scenarios/mmc.lua --replications 3 --set customers=2000 --trace --quiet --out "$out/mmc" >/dev/null
for f in "$out"/mmc/*.arrow; do
  "$bin" inspect --json --rows 3 "$f" > "$f.json"
done
node "$here/check.mjs" "$out/mmc"
"$bin" export --format parquet "$out/mmc" >/dev/null
node "$here/check_parquet.mjs" "$out/mmc"

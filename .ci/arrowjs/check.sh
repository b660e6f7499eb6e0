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
# a trial's directory too: subjects.arrow and its own timeseries.arrow (hours, arm column)
"$bin" trial scenarios/vancomycin_trial.lua --subjects 5 --out "$out/trial" >/dev/null
for d in mmc trial; do
  for f in "$out/$d"/*.arrow; do
    "$bin" inspect --json --rows 3 "$f" > "$f.json"
  done
  node "$here/check.mjs" "$out/$d"
  "$bin" export --format parquet "$out/$d" >/dev/null
  node "$here/check_parquet.mjs" "$out/$d"
done
# an ED run, so that flow.arrow has rows (mmc records no patient flow)
"$bin" run scenarios/ed_staffing.lua --replications 1 --quiet --out "$out/ed" >/dev/null
for f in "$out"/ed/*.arrow; do
  "$bin" inspect --json --rows 3 "$f" > "$f.json"
done
node "$here/check.mjs" "$out/ed"

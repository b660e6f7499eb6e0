#!/usr/bin/env bash
# Runs a scenario with the given medtwin binary and reads every Arrow file it
# wrote with Arrow JS; check.mjs compares columns and row counts with what
# `medtwin inspect --json` reports.
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/apache-arrow" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" run scenarios/mmc.lua --replications 3 --set customers=2000 --trace --quiet --out "$out/mmc" >/dev/null
for f in "$out"/mmc/*.arrow; do
  "$bin" inspect --json --rows 3 "$f" > "$f.json"
done
node "$here/check.mjs" "$out/mmc"
# an ED run, so that flow.arrow has rows (mmc records no patient flow)
"$bin" run scenarios/ed_staffing.lua --replications 1 --quiet --out "$out/ed" >/dev/null
for f in "$out"/ed/*.arrow; do
  "$bin" inspect --json --rows 3 "$f" > "$f.json"
done
node "$here/check.mjs" "$out/ed"

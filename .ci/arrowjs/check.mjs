// Reads each Arrow file in a run directory with Arrow JS and checks it against
// medtwin's own account of it (FILE.arrow.json from `medtwin inspect --json`):
// the same columns, the same row count, the same first rows and metadata.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";

const dir = process.argv[2];
let failures = 0, checked = 0, badFiles = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith(".arrow"))) {
  const table = tableFromIPC(readFileSync(join(dir, name)));
  const want = JSON.parse(readFileSync(join(dir, name + ".json"), "utf8"));
  const cols = table.schema.fields.map((f) => f.name);
  const before = failures;
  const fail = (msg) => { failures++; console.error(`${name}: ${msg}`); };
  if (JSON.stringify(cols) !== JSON.stringify(want.columns.map((c) => c.name))) fail(`columns ${cols} != ${want.columns.map((c) => c.name)}`);
  if (table.numRows !== want.num_rows) fail(`rows ${table.numRows} != ${want.num_rows}`);
  for (const [k, v] of Object.entries(want.metadata)) {
    if (table.schema.metadata.get(k) !== v) fail(`metadata ${k}: ${table.schema.metadata.get(k)} != ${v}`);
  }
  want.rows.forEach((row, i) => {
    cols.forEach((c, j) => {
      const got = table.getChild(c).get(i);
      const exp = row[j];
      const same = typeof got === "number" ? (Number.isNaN(got) ? exp === "NaN" : Math.abs(got - Number(exp)) <= 1e-9 * Math.max(1, Math.abs(got)))
        : String(got) === exp;
      if (!same) fail(`row ${i} column ${c}: Arrow JS ${got}, medtwin ${exp}`);
    });
  });
  checked++;
  if (failures > before) badFiles++;
}
if (checked === 0) { console.error("no Arrow files found"); process.exit(1); }
console.log(`arrowjs: ${checked} files read by Arrow JS, ${failures} mismatches`);
console.log(`${checked - badFiles} passed, ${badFiles} failed`);
process.exit(failures > 0 ? 1 : 0);

// Reads each Parquet file that `medtwin export` wrote in a run directory with
// hyparquet (a JavaScript Parquet reader independent of arrow-go) and checks it
// against medtwin's own account of the Arrow file it came from
// (NAME.arrow.json from `medtwin inspect --json`): the same columns, the same
// row count, the same first rows, and the provenance as key-value metadata.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";

const dir = process.argv[2];
let failures = 0, checked = 0, badFiles = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith(".parquet"))) {
  const buf = readFileSync(join(dir, name));
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const want = JSON.parse(readFileSync(join(dir, name.replace(/\.parquet$/, ".arrow.json")), "utf8"));
  const before = failures;
  const fail = (msg) => { failures++; console.error(`${name}: ${msg}`); };
  const meta = parquetMetadata(file);
  const cols = meta.schema.slice(1).map((s) => s.name);
  if (JSON.stringify(cols) !== JSON.stringify(want.columns.map((c) => c.name))) fail(`columns ${cols} != ${want.columns.map((c) => c.name)}`);
  if (Number(meta.num_rows) !== want.num_rows) fail(`rows ${meta.num_rows} != ${want.num_rows}`);
  const kv = new Map((meta.key_value_metadata || []).map((e) => [e.key, e.value]));
  for (const [k, v] of Object.entries(want.metadata)) {
    if (kv.get(k) !== v) fail(`key-value metadata ${k}: ${kv.get(k)} != ${v}`);
  }
  const rows = await parquetReadObjects({ file, rowEnd: want.rows.length });
  if (rows.length !== want.rows.length) fail(`read ${rows.length} of the first ${want.rows.length} rows`);
  want.rows.forEach((row, i) => {
    cols.forEach((c, j) => {
      const got = rows[i]?.[c];
      const exp = row[j];
      const same = typeof got === "number" ? (Number.isNaN(got) ? exp === "NaN" : Math.abs(got - Number(exp)) <= 1e-9 * Math.max(1, Math.abs(got)))
        : String(got) === exp; // int64 comes back as a BigInt
      if (!same) fail(`row ${i} column ${c}: hyparquet ${got}, medtwin ${exp}`);
    });
  });
  checked++;
  if (failures > before) badFiles++;
}
if (checked === 0) { console.error("no Parquet files found"); process.exit(1); }
console.log(`hyparquet: ${checked} Parquet files read, ${failures} mismatches`);
console.log(`${checked - badFiles} passed, ${badFiles} failed`);
process.exit(failures > 0 ? 1 : 0);

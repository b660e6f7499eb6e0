package results

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// exportFixture writes an Arrow file whose values are known here: every type
// medtwin writes, a null, NaN and both infinities, a string that needs CSV
// quoting, and two record batches.
func exportFixture(t *testing.T, dir string) string {
	t.Helper()
	cols := []Column{
		{"replication", i32, ""}, {"entity", i64, ""}, {"value", f64, ""},
		{"label", str, ""}, {"ok", arrow.FixedWidthTypes.Boolean, ""},
	}
	meta := map[string]string{"medtwin.seed": "7", "medtwin.params": `[["beds","24"]]`}
	path := filepath.Join(dir, "fixture.arrow")
	w, err := Create(path, cols, meta, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range fixtureRows {
		w.I32(0, r.rep)
		w.I64(1, r.entity)
		w.F64(2, r.value)
		if r.label == "<null>" {
			w.Null(3)
		} else {
			w.Str(3, r.label)
		}
		w.Bool(4, r.ok)
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

var fixtureRows = []struct {
	rep    int32
	entity int64
	value  float64
	label  string
	ok     bool
}{
	{0, 1 << 40, 0.1, "plain", true},
	{1, -3, math.NaN(), `a "quoted", comma`, false},
	{2, 0, math.Inf(1), "<null>", true},
	{3, 5, math.Inf(-1), "line\nbreak", false},
	{4, 6, 1e-300, "ünïcode", true},
}

func TestExportParquetReadsBackWithMetadata(t *testing.T) {
	dir := t.TempDir()
	src := exportFixture(t, dir)
	dst := ExportPath(src, dir, FormatParquet)
	if err := Export(src, dst, FormatParquet); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(dst)
	if err := Export(src, dst, FormatParquet); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(dst); !bytes.Equal(first, second) {
		t.Error("two exports of the same file differ")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*"+TempSuffix+"*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	rdr, err := file.OpenParquetFile(dst, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	// row groups are cut by rows (1 Mi), not at the Arrow file's batches of 2
	if n := rdr.NumRowGroups(); n != 1 {
		t.Errorf("%d row groups for %d rows, want 1", n, len(fixtureRows))
	}
	kv := rdr.MetaData().KeyValueMetadata()
	if v := kv.FindValue("medtwin.seed"); v == nil || *v != "7" {
		t.Errorf("medtwin.seed in Parquet key-value metadata: %v", v)
	}
	if v := kv.FindValue("medtwin.params"); v == nil || *v != `[["beds","24"]]` {
		t.Errorf("medtwin.params in Parquet key-value metadata: %v", v)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.NewGoAllocator())
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != int64(len(fixtureRows)) {
		t.Fatalf("%d rows read back, want %d", tbl.NumRows(), len(fixtureRows))
	}
	want := []string{"replication: int32", "entity: int64", "value: float64", "label: utf8", "ok: bool"}
	for i, f := range tbl.Schema().Fields() {
		if got := f.Name + ": " + f.Type.String(); got != want[i] {
			t.Errorf("column %d is %s, want %s", i, got, want[i])
		}
	}
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	row := 0
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			r := fixtureRows[row]
			v := rec.Column(2).(*array.Float64).Value(i)
			same := v == r.value || math.IsNaN(v) && math.IsNaN(r.value)
			label := rec.Column(3).(*array.String)
			gotLabel := "<null>"
			if !label.IsNull(i) {
				gotLabel = label.Value(i)
			}
			if rec.Column(0).(*array.Int32).Value(i) != r.rep || rec.Column(1).(*array.Int64).Value(i) != r.entity || !same ||
				gotLabel != r.label || rec.Column(4).(*array.Boolean).Value(i) != r.ok {
				t.Errorf("row %d read back differs from what was written: %v", row, []any{rec.Column(0).ValueStr(i), rec.Column(1).ValueStr(i), v, gotLabel, rec.Column(4).ValueStr(i)})
			}
			row++
		}
	}
}

// Python's csv module (an independent reader) reads the CSV export back to the
// values written, and the sidecar carries the provenance.
func TestExportCSVReadsBackWithPython(t *testing.T) {
	dir := t.TempDir()
	src := exportFixture(t, dir)
	dst := ExportPath(src, dir, FormatCSV)
	if err := Export(src, dst, FormatCSV); err != nil {
		t.Fatal(err)
	}
	var meta CSVMeta
	data, err := os.ReadFile(CSVMetaPath(dst))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &meta); err != nil || meta.Metadata["medtwin.seed"] != "7" || len(meta.Columns) != 5 || meta.Columns[2].Type != "float64" {
		t.Errorf("sidecar %s: %v %+v", CSVMetaPath(dst), err, meta)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 here")
	}
	script := `
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
out = [[int(r["replication"]), int(r["entity"]), repr(float(r["value"])), r["label"], r["ok"]] for r in rows]
print(json.dumps(out))
`
	out, err := exec.Command(py, "-c", script, dst).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	var got [][]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// Python's repr of the floats written, and a null as an empty field
	want := [][]any{
		{1.0, float64(1 << 40), "0.1", "plain", "true"},
		{2.0, -3.0, "nan", `a "quoted", comma`, "false"},
		{3.0, 0.0, "inf", "", "true"},
		{4.0, 5.0, "-inf", "line\nbreak", "false"},
		{5.0, 6.0, "1e-300", "ünïcode", "true"},
	}
	for i := range want {
		want[i][0] = want[i][0].(float64) - 1 // replication is 0-based
	}
	if len(got) != len(want) {
		t.Fatalf("python read %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("row %d column %d: python read %v, want %v", i, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestExportRefusesUnknownFormatAndNonArrow(t *testing.T) {
	dir := t.TempDir()
	src := exportFixture(t, dir)
	if err := Export(src, filepath.Join(dir, "x.xlsx"), "xlsx"); err == nil || !strings.Contains(err.Error(), "xlsx") {
		t.Errorf("unknown format: %v", err)
	}
	bad := filepath.Join(dir, "bad.arrow")
	os.WriteFile(bad, []byte("not arrow"), 0o644)
	if err := Export(bad, filepath.Join(dir, "bad.parquet"), FormatParquet); err == nil || !strings.Contains(err.Error(), "bad.arrow") {
		t.Errorf("non-Arrow input: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.parquet")); err == nil {
		t.Error("a failed export left a file under its final name")
	}
}

// A table without rows exports to a CSV header and an empty Parquet file.
func TestExportEmptyTable(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "empty.arrow")
	w, err := Create(src, KPIColumns, map[string]string{"medtwin.seed": "1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{FormatCSV, FormatParquet} {
		if err := Export(src, ExportPath(src, dir, f), f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "empty.csv")); string(b) != "replication,kpi,kind,value,n\n" {
		t.Errorf("empty CSV is %q", b)
	}
	rdr, err := file.OpenParquetFile(filepath.Join(dir, "empty.parquet"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	if rdr.NumRows() != 0 || rdr.MetaData().Schema.NumColumns() != len(KPIColumns) {
		t.Errorf("empty Parquet: %d rows, %d columns", rdr.NumRows(), rdr.MetaData().Schema.NumColumns())
	}
}

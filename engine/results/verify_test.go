package results

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// shardParts writes the 2 shards of a 4-replication run, each with its
// manifest, and returns their directories.
func shardParts(t *testing.T) []string {
	t.Helper()
	var parts []string
	for i, r := range [][2]int{{0, 2}, {2, 4}} {
		d := t.TempDir()
		writeRunTotal(t, d, r[0], r[1], 4, fmt.Sprintf("%d/2", i+1))
		var files []string
		for _, f := range []string{"kpis.arrow", "events.arrow", "timeseries.arrow", "summary.arrow"} {
			files = append(files, filepath.Join(d, f))
		}
		prov := Provenance{Version: "test", Scenario: "mmc", Seed: 3, From: r[0], To: r[1], Total: 4, Shard: fmt.Sprintf("%d/2", i+1)}
		if err := NewManifest(prov, time.Now()).Write(d, files); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, d)
	}
	return parts
}

// A part whose file no longer matches its manifest (one bit flipped in a
// value: the file is still valid Arrow) is refused (issue 18, Medium 4).
func TestMergeRefusesTamperedPart(t *testing.T) {
	parts := shardParts(t)
	if _, _, err := MergeRuns(t.TempDir(), parts); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(parts[1], "kpis.arrow")
	orig, _ := os.ReadFile(path)
	flipped := false
	for off := len(orig) / 2; off < len(orig) && !flipped; off++ {
		b := append([]byte(nil), orig...)
		b[off] ^= 1
		os.WriteFile(path, b, 0o644)
		if tb, err := Read(path); err == nil {
			tb.Release()
			flipped = true
		}
	}
	if !flipped {
		t.Fatal("no readable one-bit change found")
	}
	_, _, err := MergeRuns(t.TempDir(), parts)
	if err == nil || !strings.Contains(err.Error(), "kpis.arrow does not match manifest.json") {
		t.Fatalf("tampered part: %v", err)
	}
}

// A part with zero record batches (or fewer replications than its metadata
// names) is refused instead of merging into a file with rows missing.
func TestMergeRefusesEmptyPart(t *testing.T) {
	parts := shardParts(t)
	os.Remove(filepath.Join(parts[1], "manifest.json"))
	prov := Provenance{Version: "test", Scenario: "mmc", Seed: 3, From: 2, To: 4, Total: 4, Shard: "2/2", Params: map[string]string{"c": "2"}}
	w, err := Create(filepath.Join(parts[1], "kpis.arrow"), KPIColumns, prov.Metadata("kpis"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, err = MergeRuns(t.TempDir(), parts)
	if err == nil || !strings.Contains(err.Error(), "has KPIs of 0 replications") {
		t.Fatalf("empty part: %v", err)
	}
}

// Valid Arrow files with a column of another type or a column missing are
// errors naming the file and column, not a panic (issue 18, Medium 4).
func TestMergeRefusesOtherSchemas(t *testing.T) {
	prov := Provenance{Version: "test", Scenario: "mmc", Seed: 3, From: 2, To: 4, Total: 4, Shard: "2/2", Params: map[string]string{"c": "2"}}
	wrongType := append([]Column(nil), KPIColumns...)
	wrongType[0] = Column{Name: "replication", Type: arrow.PrimitiveTypes.Int64}
	for name, cols := range map[string][]Column{"type": wrongType, "missing": KPIColumns[1:]} {
		parts := shardParts(t)
		os.Remove(filepath.Join(parts[1], "manifest.json"))
		path := filepath.Join(parts[1], "kpis.arrow")
		w, err := Create(path, cols, prov.Metadata("kpis"), 0)
		if err != nil {
			t.Fatal(err)
		}
		for c, col := range cols {
			switch col.Type.ID() {
			case arrow.INT64:
				w.I64(c, 2)
			case arrow.INT32:
				w.I32(c, 2)
			case arrow.STRING:
				w.Str(c, "x")
			default:
				w.F64(c, 1)
			}
		}
		w.EndRow()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		_, _, err = MergeRuns(t.TempDir(), parts)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := ReadKPIs(path); err == nil {
			t.Errorf("%s: ReadKPIs read it", name)
		}
	}
}

// A trial shard whose subjects.arrow holds no rows (or not all its subjects)
// is refused by MergeRows.
func TestMergeRowsRefusesEmptyShard(t *testing.T) {
	cols := []Column{{Name: "subject", Type: arrow.PrimitiveTypes.Int64}, {Name: "auc", Type: arrow.PrimitiveTypes.Float64}}
	var parts []string
	for i, r := range [][2]int{{0, 3}, {3, 6}} {
		d := t.TempDir()
		prov := Provenance{Version: "test", Scenario: "t.lua", Seed: 1, From: r[0], To: r[1], Total: 6, Shard: fmt.Sprintf("%d/2", i+1), Params: map[string]string{}}
		w, err := Create(filepath.Join(d, "subjects.arrow"), cols, prov.Metadata("subjects"), 0)
		if err != nil {
			t.Fatal(err)
		}
		for s := r[0]; s < r[1] && i == 0; s++ { // the second shard stays empty
			w.I64(0, int64(s))
			w.F64(1, 1)
			w.EndRow()
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, d)
	}
	_, _, err := MergeRows(t.TempDir(), "subjects.arrow", parts)
	if err == nil || !strings.Contains(err.Error(), "rows of 0 subjects") {
		t.Fatalf("empty shard: %v", err)
	}
}

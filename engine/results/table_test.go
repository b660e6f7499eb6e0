package results

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/medtwin/medtwin/engine"
)

// BenchmarkRunWriterAdd is the cost per replication of writing the KPI rows of
// a small model (13, as the bank renege example reports) into kpis.arrow.
func BenchmarkRunWriterAdd(b *testing.B) {
	kpis := make([]engine.KPIValue, 13)
	for i := range kpis {
		kpis[i] = engine.KPIValue{Name: "counter.kpi_" + string(rune('a'+i)), Kind: engine.KindTally, Value: float64(i), N: 5}
	}
	rw, err := NewRunWriter(b.TempDir(), Provenance{Scenario: "bench.lua", To: b.N, Total: b.N}, false, false)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := rw.Add(engine.RepResult{Replication: i, KPIs: kpis}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	rw.Abort()
}

// A Writer stages values per column and hands them to the builders when the
// batch ends: a null between values of a column keeps its place, and a value
// of the wrong type for its column still panics.
func TestWriterStagingKeepsOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.arrow")
	cols := []Column{{Name: "i", Type: arrow.PrimitiveTypes.Int32}, {Name: "s", Type: arrow.BinaryTypes.String}}
	w, err := Create(path, cols, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.I32(0, 1)
	w.Str(1, "a")
	w.EndRow()
	w.Null(0)
	w.Str(1, "b")
	w.EndRow()
	w.I32(0, 3)
	w.Null(1)
	w.EndRow()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tb, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	got := fmt.Sprint(tb.Rows(3))
	if want := "[[1 a] [(null) b] [3 (null)]]"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
	w2, err := Create(filepath.Join(t.TempDir(), "u.arrow"), cols, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("a float in an int32 column did not panic")
		}
		w2.Abort()
	}()
	w2.F64(0, 1.5)
	w2.Str(1, "x")
	w2.EndRow()
	w2.EndBatch()
}

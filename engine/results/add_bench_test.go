package results

import (
	"testing"

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

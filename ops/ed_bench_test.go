package ops

import (
	"testing"

	"github.com/medtwin/medtwin/engine"
)

// BenchmarkED runs the default ED of 150 visits a day for 28 days (2 of
// warm-up), the workload of `medtwin bench ed` (scenarios/ed_staffing.lua is
// this ED built from Lua), and reports kernel events per second and per
// operation.
func BenchmarkED(b *testing.B) {
	b.ReportAllocs()
	var events uint64
	for i := 0; i < b.N; i++ {
		ed, err := DefaultED(150)
		if err != nil {
			b.Fatal(err)
		}
		s := engine.New(engine.Options{Seed: 1, Replication: 0}) // the same replication every op: callgrind differences of two b.N are per replication
		if err := s.Warmup(2 * 86400); err != nil {
			b.Fatal(err)
		}
		if err := ed.Build(s); err != nil {
			b.Fatal(err)
		}
		if err := s.Run(28 * 86400); err != nil {
			b.Fatal(err)
		}
		s.Results()
		events += s.Fired()
		s.Close()
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

package engine

import (
	"math"
	"testing"
)

func benchMMc(b *testing.B, proc bool) {
	const customers = 200_000
	b.ReportAllocs()
	total := 0
	for i := 0; i < b.N; i++ {
		s := New(Options{Seed: 1, Replication: i})
		if err := (MMc{C: 10, Lambda: 9, Mu: 1, Customers: customers, Process: proc}).Build(s); err != nil {
			b.Fatal(err)
		}
		if err := s.Run(math.Inf(1)); err != nil {
			b.Fatal(err)
		}
		s.Close()
		total += customers
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "customers/s")
}

func BenchmarkMMcCallback(b *testing.B) { benchMMc(b, false) }
func BenchmarkMMcProcess(b *testing.B)  { benchMMc(b, true) }

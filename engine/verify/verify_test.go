package verify

import (
	"context"
	"math"
	"testing"
)

// Erlang C for c=1 reduces to M/M/1: P(wait) = rho, Wq = rho/(mu-lambda).
func TestErlangCReducesToMM1(t *testing.T) {
	p, wq := ErlangC(1, 0.7, 1)
	if math.Abs(p-0.7) > 1e-12 || math.Abs(wq-0.7/0.3) > 1e-12 {
		t.Fatalf("P(wait) %v Wq %v", p, wq)
	}
	// Published value for c=10, rho=0.9, mu=1 (the reference figure).
	if _, wq := ErlangC(10, 9, 1); math.Abs(wq-0.668732) > 5e-7 {
		t.Fatalf("Wq %v", wq)
	}
}

func TestQueueingChecksPass(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	for _, r := range Run(context.Background(), []string{"queueing"}, false) {
		if !r.Pass || r.Err != "" {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
}

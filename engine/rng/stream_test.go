package rng

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestSameKeySameSequence(t *testing.T) {
	a, b := New(42, 3, "arrivals", 0), New(42, 3, "arrivals", 0)
	for i := 0; i < 1000; i++ {
		if x, y := a.Float64(), b.Float64(); x != y {
			t.Fatalf("draw %d differs: %v vs %v", i, x, y)
		}
	}
}

func TestKeysGiveDifferentStreams(t *testing.T) {
	base := New(42, 0, "arrivals", 0).Float64()
	for name, s := range map[string]*Stream{
		"seed":        New(43, 0, "arrivals", 0),
		"replication": New(42, 1, "arrivals", 0),
		"name":        New(42, 0, "service", 0),
		"id":          New(42, 0, "arrivals", 1),
	} {
		if s.Float64() == base {
			t.Errorf("changing the %s gave the same first draw", name)
		}
	}
}

// Streams for neighbouring ids must be uncorrelated: the sample correlation of
// 20000 paired uniforms has standard error 1/sqrt(n) ≈ 0.007 under independence.
func TestNeighbouringStreamsUncorrelated(t *testing.T) {
	const n = 20000
	var sx, sy, sxx, syy, sxy float64
	for i := 0; i < n; i++ {
		x := New(7, 0, "patient", uint64(i)).Float64()
		y := New(7, 0, "patient", uint64(i+1)).Float64()
		sx, sy, sxx, syy, sxy = sx+x, sy+y, sxx+x*x, syy+y*y, sxy+x*y
	}
	cov := sxy/n - sx/n*sy/n
	r := cov / math.Sqrt((sxx/n-sx/n*sx/n)*(syy/n-sy/n*sy/n))
	if math.Abs(r) > 5/math.Sqrt(n) {
		t.Fatalf("correlation %v between neighbouring streams exceeds 5 standard errors", r)
	}
}

// The sample mean of n exponential draws with rate λ has mean 1/λ and standard
// error 1/(λ√n); the check allows five standard errors.
func TestDistributionMeans(t *testing.T) {
	s := New(1, 0, "dist", 0)
	const n = 200000
	cases := []struct {
		name     string
		draw     func() float64
		mean, sd float64 // closed-form mean and standard deviation
	}{
		{"exp", func() float64 { return s.Exp(2) }, 0.5, 0.5},
		{"normal", func() float64 { return s.Normal(3, 2) }, 3, 2},
		{"lognormal", func() float64 { return s.LogNormal(0, 0.5) }, math.Exp(0.125), math.Sqrt((math.Exp(0.25) - 1) * math.Exp(0.25))},
		{"gamma", func() float64 { return s.Gamma(3, 2) }, 1.5, math.Sqrt(3) / 2},
		{"triangular", func() float64 { return s.Triangular(1, 4, 2) }, 7.0 / 3, math.Sqrt((1 + 16 + 4 - 4 - 2 - 8) / 18.0)},
		{"uniform", func() float64 { return s.Uniform(2, 6) }, 4, 4 / math.Sqrt(12)},
	}
	for _, c := range cases {
		sum := 0.0
		for i := 0; i < n; i++ {
			sum += c.draw()
		}
		got := sum / n
		if se := c.sd / math.Sqrt(n); math.Abs(got-c.mean) > 5*se {
			t.Errorf("%s: mean %v, want %v ± %v", c.name, got, c.mean, 5*se)
		}
	}
}

func TestEmpiricalFrequencies(t *testing.T) {
	e, err := NewEmpirical([]float64{1, 2, 3, 4, 5}, []float64{0.05, 0.3, 0.4, 0, 0.25})
	if err != nil {
		t.Fatal(err)
	}
	s := New(9, 0, "acuity", 0)
	const n = 100000
	counts := map[float64]int{}
	for i := 0; i < n; i++ {
		counts[s.Draw(e)]++
	}
	want := map[float64]float64{1: 0.05, 2: 0.3, 3: 0.4, 4: 0, 5: 0.25}
	for v, p := range want {
		got := float64(counts[v]) / n
		if se := math.Sqrt(p*(1-p)/n) + 1e-12; math.Abs(got-p) > 5*se {
			t.Errorf("value %v: frequency %v, want %v", v, got, p)
		}
	}
}

func TestEmpiricalBadInput(t *testing.T) {
	for name, w := range map[string][]float64{
		"negative": {1, -1}, "zero": {0, 0}, "nan": {math.NaN(), 1}, "length": {1},
	} {
		if _, err := NewEmpirical([]float64{1, 2}, w); err == nil {
			t.Errorf("%s weights: no error", name)
		}
	}
}

// Exp must draw exactly what gonum's distuv.Exponential draws from the same
// source (the numbers every output file holds came from it): two streams of
// one key, one through Exp, the other through gonum, agree bit for bit, over
// enough draws to take the ziggurat's rare paths (the tail, the wedges).
func TestExpIsGonums(t *testing.T) {
	a, b := New(5, 2, "service", 9), New(5, 2, "service", 9)
	for i := 0; i < 100000; i++ {
		rate := 0.25 + float64(i%7)
		x := a.Exp(rate)
		y := distuv.Exponential{Rate: rate, Src: b.Source()}.Rand()
		if math.Float64bits(x) != math.Float64bits(y) {
			t.Fatalf("draw %d: Exp(%g) = %v, gonum's distuv.Exponential = %v", i, rate, x, y)
		}
	}
}

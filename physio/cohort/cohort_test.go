package cohort

import (
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/pk"
	"gonum.org/v1/gonum/mat"
)

func referenceBatch(n int) *Batch { return ReferenceBatch(1, 0, n) }

// The batch exact path equals physio/pk's exact path (matrix exponential of
// gonum) subject by subject.
func TestBatchExactEqualsPK(t *testing.T) {
	b := referenceBatch(50)
	cpu, _ := Get("cpu")
	if err := cpu.Simulate(b); err != nil {
		t.Fatal(err)
	}
	var ref pk.ReferenceCohort
	for i := 0; i < 50; i++ {
		want, err := ref.Subject(1, i).Simulate(ref.Doses(), ref.Times(), pk.Exact)
		if err != nil {
			t.Fatal(err)
		}
		for k := range want {
			got := b.Conc[i*len(b.Times)+k]
			if math.Abs(got-want[k]) > 1e-10*math.Max(want[k], 1e-6) {
				t.Fatalf("subject %d at %d h: %v vs %v", i, k, got, want[k])
			}
		}
	}
}

// A subject's result does not depend on the batch it is in.
func TestSubjectIndependentOfBatch(t *testing.T) {
	whole := referenceBatch(40)
	cpu, _ := Get("cpu")
	cpu.Simulate(whole)
	part := referenceBatch(40)
	part.IDs, part.KA, part.CL, part.V1, part.Q2, part.V2, part.Q3, part.V3 =
		part.IDs[25:], part.KA[25:], part.CL[25:], part.V1[25:], part.Q2[25:], part.V2[25:], part.Q3[25:], part.V3[25:]
	cpu.Simulate(part)
	nt := len(whole.Times)
	for i := 0; i < 15; i++ {
		for k := 0; k < nt; k++ {
			if part.Conc[i*nt+k] != whole.Conc[(25+i)*nt+k] {
				t.Fatalf("subject %d differs between batches", 25+i)
			}
		}
	}
}

func TestPopulation(t *testing.T) {
	corr := mat.NewSymDense(3, []float64{1, 0.5, 0, 0.5, 1, 0, 0, 0, 1})
	p := &Population{Covariates: []Covariate{
		{Name: "weight_kg", Dist: "lognormal", Median: 75, Sigma: 0.2, Min: 40, Max: 150},
		{Name: "height_cm", Dist: "normal", Mean: 172, SD: 9, Min: 140, Max: 210},
		{Name: "female", Dist: "bernoulli", P: 0.5},
	}, Correlation: corr}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	x := make([]float64, 3)
	var sw, sh, swh, sww, shh, fem float64
	for i := 0; i < n; i++ {
		if err := p.Sample(7, uint64(i), x); err != nil {
			t.Fatal(err)
		}
		if x[0] < 40 || x[0] > 150 || x[1] < 140 || x[1] > 210 {
			t.Fatalf("subject %d outside the bounds: %v", i, x)
		}
		w := math.Log(x[0])
		sw, sh, swh, sww, shh, fem = sw+w, sh+x[1], swh+w*x[1], sww+w*w, shh+x[1]*x[1], fem+x[2]
	}
	cov := swh/n - sw/n*sh/n
	r := cov / math.Sqrt((sww/n-sw/n*sw/n)*(shh/n-sh/n*sh/n))
	if math.Abs(r-0.5) > 0.03 || math.Abs(fem/n-0.5) > 0.02 {
		t.Fatalf("correlation %v (want 0.5), share female %v", r, fem/n)
	}
	// the same subject twice gives the same covariates
	a, b := make([]float64, 3), make([]float64, 3)
	p.Sample(7, 123, a)
	p.Sample(7, 123, b)
	if a[0] != b[0] || a[1] != b[1] {
		t.Fatal("a subject's covariates are not reproducible")
	}
	for name, bad := range map[string]*Population{
		"weight <= 0": {Covariates: []Covariate{{Name: "weight_kg", Dist: "normal", Mean: 70, SD: 15}}},
		"not PD": {Covariates: []Covariate{{Name: "a", Dist: "normal", SD: 1}, {Name: "b", Dist: "normal", SD: 1}, {Name: "c", Dist: "normal", SD: 1}},
			Correlation: mat.NewSymDense(3, []float64{1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1})},
		"unknown distribution": {Covariates: []Covariate{{Name: "a", Dist: "weibull"}}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "weight <= 0" && !strings.Contains(err.Error(), "weight_kg must be > 0") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func BenchmarkReferenceCohortExact(b *testing.B) {
	batch := referenceBatch(100000)
	cpu, _ := Get("cpu")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cpu.Simulate(batch)
	}
	b.ReportMetric(float64(batch.Len()*b.N)/b.Elapsed().Seconds(), "subjects/s")
}

// Sample honours the correlation without Validate having been called first (it
// drew independent covariates then: a correlation of −0.002 for 0.9). The
// expected value is the specified one: for a Gaussian copula of two normal
// margins the Pearson correlation of the covariates is the copula's.
func TestPopulationCorrelatedWithoutValidate(t *testing.T) {
	p := &Population{Covariates: []Covariate{
		{Name: "a", Dist: "normal", Mean: 0, SD: 1, Min: -100},
		{Name: "b", Dist: "normal", Mean: 10, SD: 2, Min: -100},
	}, Correlation: mat.NewSymDense(2, []float64{1, 0.9, 0.9, 1})}
	const n = 20000
	x := make([]float64, 2)
	var sa, sb, sab, saa, sbb float64
	for i := 0; i < n; i++ {
		if err := p.Sample(3, uint64(i), x); err != nil {
			t.Fatal(err)
		}
		sa, sb, sab, saa, sbb = sa+x[0], sb+x[1], sab+x[0]*x[1], saa+x[0]*x[0], sbb+x[1]*x[1]
	}
	r := (sab/n - sa/n*sb/n) / math.Sqrt((saa/n-sa/n*sa/n)*(sbb/n-sb/n*sb/n))
	// the sample correlation's SD is about (1 − ρ²)/√n = 0.0013 here
	if math.Abs(r-0.9) > 0.01 {
		t.Fatalf("correlation %.4f without Validate, want 0.9", r)
	}
	// a matrix replaced after Validate is the one used, and a bad one is an error
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	p.Correlation = mat.NewSymDense(2, []float64{1, 1.5, 1.5, 1})
	if err := p.Sample(3, 0, x); err == nil || !strings.Contains(err.Error(), "not positive definite") {
		t.Fatalf("a correlation that is not positive definite: %v", err)
	}
}

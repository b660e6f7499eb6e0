package trial

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
)

// bolusSpec is a Go-written trial (no Lua): one-compartment IV bolus of
// doseMg at 0 h, V 50 L, typical CL 5 L/h with log-normal IIV (SD omega), the
// concentration at 24 h as the endpoint and its target [lo, hi] mg/L.
func bolusSpec(subjects int, omega float64, doseMg []float64, lo, hi float64) *Spec {
	s := &Spec{
		Name: "bolus", Subjects: subjects, Seed: 7, Grid: 1,
		Population: &cohort.Population{Covariates: []cohort.Covariate{{Name: "weight_kg", Dist: "normal", Mean: 70, SD: 10, Min: 40, Max: 120}}},
		Typical: func(Subject) (map[string]float64, error) {
			return map[string]float64{"ncmt": 1, "cl": 5, "v1": 50}, nil
		},
		IIV:       map[string]float64{"cl": omega},
		Endpoints: []Endpoint{{Endpoint: cohort.Endpoint{Name: "c24", Kind: "conc", At: 24}}},
		Target:    Target{Endpoint: "c24", Min: lo, Max: hi},
	}
	for _, d := range doseMg {
		d := d
		s.Arms = append(s.Arms, Arm{Name: "bolus", Doses: func(Subject) ([]pk.Dose, error) {
			return []pk.Dose{{Time: 0, Amt: d, Cmt: 1}}, nil
		}})
	}
	return s
}

// A trial written in Go, without Lua, against closed forms. A one-compartment
// IV bolus gives C(24 h) = D/V·exp(−CL/V·24), decreasing in CL, so C(24) in
// [lo, hi] ⇔ CL in [CL(hi), CL(lo)] with CL(c) = −V/24·ln(c·V/D); with
// ln CL ~ N(ln 5, ω²) the probability of target attainment is
// Φ((ln CL(lo) − ln 5)/ω) − Φ((ln CL(hi) − ln 5)/ω). The simulated
// attainment must be within 4 binomial standard errors of it, and each
// subject's endpoint equal to the closed form at its own CL.
func TestGoSpecAttainmentClosedForm(t *testing.T) {
	const n, omega, v, lo, hi = 4000, 0.3, 50.0, 0.4, 1.2
	doses := []float64{500, 1000}
	s := bolusSpec(n, omega, doses, lo, hi)
	res, err := s.Run(context.Background(), 0, n)
	if err != nil {
		t.Fatal(err)
	}
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	for _, r := range res {
		d, cl := doses[r.Arm], r.Params["cl"]
		if want := d / v * math.Exp(-cl/v*24); math.Abs(r.Endpoints[0]-want) > 1e-9*want {
			t.Fatalf("subject %d arm %d: C(24) %v, closed form %v", r.Subject, r.Arm, r.Endpoints[0], want)
		}
	}
	table := s.AttainmentTable(res)
	for a, d := range doses {
		clAt := func(c float64) float64 { return -v / 24 * math.Log(c*v/d) }
		p := phi((math.Log(clAt(lo))-math.Log(5))/omega) - phi((math.Log(clAt(hi))-math.Log(5))/omega)
		got := table[0].Rate(a)
		if se := math.Sqrt(p * (1 - p) / n); math.Abs(got-p) > 4*se {
			t.Errorf("dose %g mg: attainment %v, closed form %v (se %v)", d, got, p, se)
		}
	}
}

// Issue 19: a subject's η on one parameter must not depend on the others. Its
// pk-model η were drawn from one stream, in a fixed order, only for the
// parameters with a non-zero typical value, so whether ka was zero (IV or
// oral) changed the subject's clearance and broke pairing between variants.
func TestEtaPerParameterStream(t *testing.T) {
	cls := func(ka float64, iiv map[string]float64) []float64 {
		s := bolusSpec(50, 0.3, []float64{100}, 0, math.Inf(1))
		s.Typical = func(Subject) (map[string]float64, error) {
			return map[string]float64{"ncmt": 1, "ka": ka, "cl": 5, "v1": 50}, nil
		}
		s.IIV = iiv
		res, err := s.Run(context.Background(), 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, len(res))
		for i, r := range res {
			out[i] = r.Params["cl"]
		}
		return out
	}
	iv := cls(0, map[string]float64{"ka": 0.5, "cl": 0.3})
	oral := cls(1, map[string]float64{"ka": 0.5, "cl": 0.3})
	alone := cls(1, map[string]float64{"cl": 0.3})
	for i := range iv {
		if iv[i] != oral[i] || alone[i] != oral[i] {
			t.Fatalf("subject %d: CL %v (IV), %v (oral), %v (no IIV on ka)", i, iv[i], oral[i], alone[i])
		}
	}
}

// Every check of a spec is Validate's: a subject count below 1 (the spec's or
// a flag's) and variability on a parameter the model does not have are errors.
func TestValidate(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(*Spec)
		want string
	}{
		"no subjects":       {func(s *Spec) { s.Subjects = 0 }, "subjects must be at least 1"},
		"negative subjects": {func(s *Spec) { s.Subjects = -3 }, "subjects must be at least 1"},
		"too many subjects": {func(s *Spec) { s.Subjects = MaxSubjects + 1 }, "at most"},
		"upper-case iiv":    {func(s *Spec) { s.IIV = map[string]float64{"CL": 0.3} }, "iiv.CL: no such parameter"},
		"iiv on f":          {func(s *Spec) { s.IIV = map[string]float64{"f": 0.3} }, "iiv.f: no such parameter"},
		"negative iiv":      {func(s *Spec) { s.IIV = map[string]float64{"cl": -1} }, "iiv.cl must be a standard deviation"},
		"no arms":           {func(s *Spec) { s.Arms = nil }, "needs arms"},
		"no model":          {func(s *Spec) { s.Typical = nil }, "needs a model"},
		"unknown target":    {func(s *Spec) { s.Target.Endpoint = "c12" }, `target.endpoint "c12" is not an endpoint`},
		"endpoint of":       {func(s *Spec) { s.Endpoints[0].Of = "efect" }, `of = "efect"`},
		"adapt without fn":  {func(s *Spec) { s.Arms[0].Adapt = &Adapt{At: []float64{12}} }, "adapt needs fn"},
		"replicates alpha":  {func(s *Spec) { s.Replicates = Replicates{N: 10, Alpha: 1} }, "0 < alpha < 1"},
		"huge window":       {func(s *Spec) { s.Endpoints[0].At = 1e12 }, "raise grid"},
	} {
		s := bolusSpec(10, 0.3, []float64{100}, 0, 1)
		s.Where = "spec.go:1"
		c.edit(s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "spec.go:1: ") {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
		if _, rerr := s.Run(context.Background(), 0, 1); rerr == nil {
			t.Errorf("%s: Run ran a spec Validate refuses", name)
		}
	}
	if err := bolusSpec(10, 0.3, []float64{100}, 0, 1).Validate(); err != nil {
		t.Fatal(err)
	}
}

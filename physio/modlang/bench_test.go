package modlang

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/physio/pk"
)

// chainModel returns a model of n states, each with two equations (an
// assignment and a derivative): a chain of saturable transfers with a
// feedback term, 2n equations in all.
func chainModel(n int) Spec {
	var eq strings.Builder
	s := Spec{Name: fmt.Sprintf("chain%d", n)}
	for i := 0; i < n; i++ {
		s.Params = append(s.Params, Param{Name: fmt.Sprintf("k%d", i), Value: 0.1 + 0.01*float64(i)})
		s.States = append(s.States, State{Name: fmt.Sprintf("x%d", i), Init: "1"})
		prev := fmt.Sprintf("x%d", (i+n-1)%n)
		fmt.Fprintf(&eq, "r%d = k%d*x%d/(1 + x%d) + 0.01*exp(-%s)\n", i, i, i, i, prev)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&eq, "d/dt(x%d) = r%d - r%d\n", i, (i+n-1)%n, i)
	}
	s.Equations = eq.String()
	return s
}

// BenchmarkCompile50 compiles a model of 50 equations (25 states, each an
// assignment and a derivative) from its text: parse, graph, tapes.
func BenchmarkCompile50(b *testing.B) {
	s := chainModel(25)
	for i := 0; i < b.N; i++ {
		if _, err := Compile(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRHS evaluates the right-hand side of the 2-compartment oral model
// (the reference cohort's) and of the 25-state chain.
func BenchmarkRHS(b *testing.B) {
	for _, name := range []string{"pk2_oral", "chain25"} {
		var m *Model
		var err error
		if name == "chain25" {
			m, err = Compile(chainModel(25))
		} else {
			m, err = Library(name)
		}
		if err != nil {
			b.Fatal(err)
		}
		in := m.NewInstance()
		y := make([]float64, m.NumStates())
		for i := range y {
			y[i] = 1 + float64(i)
		}
		dy := make([]float64, len(y))
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				in.RHS(0.5, y, dy)
			}
		})
	}
}

// sideBySide runs n subjects through two simulation functions, alternating
// subject by subject so that the load of a shared machine falls on both
// alike, and returns the rates (subjects per second) of each and the median
// over subjects of the speed ratio b/a (time of a over time of b): a burst
// of load on the machine spoils a few subjects' ratios, not the median.
func sideBySide(n int, a, b func(i int)) (float64, float64, float64) {
	var ta, tb time.Duration
	ratios := make([]float64, n)
	for i := 0; i < n; i++ {
		t0 := time.Now()
		a(i)
		t1 := time.Now()
		b(i)
		da, db := t1.Sub(t0), time.Since(t1)
		ta += da
		tb += db
		ratios[i] = da.Seconds() / db.Seconds()
	}
	sort.Float64s(ratios)
	return float64(n) / ta.Seconds(), float64(n) / tb.Seconds(), ratios[n/2]
}

// BenchmarkReferenceCohortExact runs the reference PK cohort
// (pk.ReferenceCohort: 2-compartment oral, IIV on all five parameters, 28
// doses, 337 outputs) on one core through the hand-written exact path of
// physio/pk and through the library model pk2_oral in the language, which
// linear detection sends down its exact path, and reports both rates and
// their ratio (target >= 0.5), overall and the median over subjects.
func BenchmarkReferenceCohortExact(b *testing.B) {
	rc := pk.ReferenceCohort{}
	pdoses, times := rc.Doses(), rc.Times()
	m, err := Library("pk2_oral")
	if err != nil {
		b.Fatal(err)
	}
	doses := []Dose{{Time: 0, Amt: 100, II: 12, ADDL: 27, Cmt: "depot"}}
	in := m.NewInstance()
	p := m.Defaults()
	iKA, iCL, iV1, iQ2, iV2 := m.ParamIndex("KA"), m.ParamIndex("CL"), m.ParamIndex("V1"), m.ParamIndex("Q2"), m.ParamIndex("V2")
	const n = 2000
	var sumGo, sumLang float64
	conc := make([]float64, len(times))
	goRate, langRate, median := 0.0, 0.0, 0.0
	for k := 0; k < b.N; k++ {
		sumGo, sumLang = 0, 0
		g, l, r := sideBySide(n, func(i int) {
			c, err := rc.Subject(1, i).Simulate(pdoses, times, pk.Exact)
			if err != nil {
				b.Fatal(err)
			}
			sumGo += c[336]
		}, func(i int) {
			s := rc.Subject(1, i).P
			p[iKA], p[iCL], p[iV1], p[iQ2], p[iV2] = s.KA, s.CL, s.V1, s.Q2, s.V2
			in.SetParams(p)
			err := in.Simulate(doses, times, SimOptions{}, func(j int, t float64, y []float64) { conc[j] = y[1] / s.V1 })
			if err != nil {
				b.Fatal(err)
			}
			sumLang += conc[336]
		})
		goRate, langRate, median = math.Max(goRate, g), math.Max(langRate, l), math.Max(median, r)
	}
	if math.Abs(sumGo-sumLang) > 1e-9*sumGo {
		b.Fatalf("mean concentration at 336 h: Go %v, language %v", sumGo/n, sumLang/n)
	}
	b.ReportMetric(goRate, "go_subjects/s")
	b.ReportMetric(langRate, "lang_subjects/s")
	b.ReportMetric(langRate/goRate, "ratio")
	b.ReportMetric(median, "median_ratio")
}

// mmSubject is a subject of a Michaelis–Menten cohort: the reference
// cohort's regimen into a 1-compartment oral model with saturable
// elimination, IIV (ω = 0.3) on KA, V1, VMAX and KM.
func mmSubject(i int) pk.Model {
	r := rand.New(rand.NewPCG(7, uint64(i)))
	e := func() float64 { return math.Exp(0.3 * r.NormFloat64()) }
	return pk.Model{NCmt: 1, Absorption: true, RTol: 1e-8, ATol: 1e-10, Integrator: pk.Taylor,
		P: pk.Params{KA: 1 * e(), V1: 50 * e(), VMax: 30 * e(), KM: 2 * e()}}
}

// BenchmarkMichaelisMentenTaylor runs the Michaelis–Menten cohort through
// physio/pk's hand-written Taylor jet and through the library model
// mm1_oral's jet from Taylor-mode AD (both ode.Taylor, rtol 1e-8, atol
// 1e-10), and reports both rates and their ratio (target >= 0.5), overall
// and the median over subjects.
func BenchmarkMichaelisMentenTaylor(b *testing.B) {
	rc := pk.ReferenceCohort{}
	pdoses, times := rc.Doses(), rc.Times()
	m, err := Library("mm1_oral")
	if err != nil {
		b.Fatal(err)
	}
	doses := []Dose{{Time: 0, Amt: 100, II: 12, ADDL: 27, Cmt: "depot"}}
	in := m.NewInstance()
	p := m.Defaults()
	iKA, iCL, iV1, iVM, iKM := m.ParamIndex("KA"), m.ParamIndex("CL"), m.ParamIndex("V1"), m.ParamIndex("VMAX"), m.ParamIndex("KM")
	const n = 500
	var sumGo, sumLang float64
	goRate, langRate, median := 0.0, 0.0, 0.0
	for k := 0; k < b.N; k++ {
		sumGo, sumLang = 0, 0
		g, l, r := sideBySide(n, func(i int) {
			c, err := mmSubject(i).Simulate(pdoses, times, pk.ODE)
			if err != nil {
				b.Fatal(err)
			}
			sumGo += c[336]
		}, func(i int) {
			s := mmSubject(i).P
			p[iKA], p[iCL], p[iV1], p[iVM], p[iKM] = s.KA, 0, s.V1, s.VMax, s.KM
			in.SetParams(p)
			err := in.Simulate(doses, times, SimOptions{Path: TaylorPath, RTol: 1e-8, ATol: 1e-10}, func(j int, t float64, y []float64) {
				if j == 336 {
					sumLang += y[1] / s.V1
				}
			})
			if err != nil {
				b.Fatal(err)
			}
		})
		goRate, langRate, median = math.Max(goRate, g), math.Max(langRate, l), math.Max(median, r)
	}
	if math.Abs(sumGo-sumLang) > 1e-6*sumGo {
		b.Fatalf("mean concentration at 336 h: Go %v, language %v", sumGo/n, sumLang/n)
	}
	b.ReportMetric(goRate, "go_subjects/s")
	b.ReportMetric(langRate, "lang_subjects/s")
	b.ReportMetric(langRate/goRate, "ratio")
	b.ReportMetric(median, "median_ratio")
}

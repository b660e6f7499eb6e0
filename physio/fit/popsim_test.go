package fit

import (
	"flag"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/physio/pk"
	"gonum.org/v1/gonum/mat"
)

var popsimN = flag.Int("popsim", 0, "simulation–re-estimation: fit back this many simulated data sets (TestSimReestimation)")
var popsimMethod = flag.String("popsim-method", "foce-i", "simulation–re-estimation method: foce-i or saem")

// simulateDataSet draws n subjects from m (η ~ N(0, Ω), ε from the error
// model) with one dose of doseMg into cmt at 0 h (an infusion over infH h
// when infH > 0) and levels at times, from the named streams of seed.
func simulateDataSet(t testing.TB, m *Model, n int, seed uint64, doseMg float64, cmt int, infH float64, times []float64) *DataSet {
	if err := m.Check(nil); err != nil {
		t.Fatal(err)
	}
	k := len(m.Etas)
	var l mat.TriDense
	m.chol.LTo(&l)
	var b strings.Builder
	b.WriteString("ID,TIME,AMT,RATE,DV,EVID,MDV,CMT\n")
	params := make([]float64, len(m.Structure.ParamNames()))
	out := make([]float64, len(times))
	rate := 0.0
	if infH > 0 {
		rate = doseMg / infH
	}
	for id := 1; id <= n; id++ {
		s := rng.New(seed, 0, "fit-popsim-eta", uint64(id))
		z, eta := make([]float64, k), make([]float64, k)
		for i := range z {
			z[i] = s.Normal(0, 1)
		}
		for i := 0; i < k; i++ {
			for j := 0; j <= i; j++ {
				eta[i] += l.At(i, j) * z[j]
			}
		}
		m.Individual(nil, eta, params)
		if err := m.Structure.Predict(params, []pk.Dose{{Time: 0, Amt: doseMg, Rate: rate, Cmt: cmt}}, times, out); err != nil {
			t.Fatal(err)
		}
		eps := rng.New(seed, 0, "fit-popsim-eps", uint64(id))
		fmt.Fprintf(&b, "%d,0,%g,%g,.,1,1,%d\n", id, doseMg, rate, cmt)
		for j, tt := range times {
			f := out[j]
			e := eps.Normal(0, 1)
			var y float64
			switch m.Error.Kind {
			case ExponentialError:
				y = f * math.Exp(m.Error.Add*e)
			default:
				y = f + m.Error.sd(f)*e
			}
			fmt.Fprintf(&b, "%d,%g,0,0,%.6g,0,0,%d\n", id, tt, y, cmt)
		}
	}
	ds, err := ReadCSV(strings.NewReader(b.String()), "simulated.csv")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// twoCmtModel is a two-compartment model (1 h infusion) with η on CL, V1,
// Q2 and V2 (diagonal Ω) and proportional error: the SAEM benchmark's.
func twoCmtModel() *Model {
	st, _ := NewPK(2, false, false)
	return &Model{
		Structure: st,
		Params: []Param{
			{Name: "CL", Typical: 4, Eta: "eta_cl"},
			{Name: "V1", Typical: 20, Eta: "eta_v1"},
			{Name: "Q2", Typical: 6, Eta: "eta_q"},
			{Name: "V2", Typical: 40, Eta: "eta_v2"},
		},
		Etas:  []string{"eta_cl", "eta_v1", "eta_q", "eta_v2"},
		Omega: mat.NewSymDense(4, []float64{0.09, 0, 0, 0, 0, 0.04, 0, 0, 0, 0, 0.09, 0, 0, 0, 0, 0.04}),
		Error: ErrorModel{Kind: Proportional, Prop: 0.15},
	}
}

// twoCmtSparse are the SAEM benchmark's sparse levels: 4 per subject, h.
var twoCmtSparse = []float64{0.5, 2, 8, 24}

// perturbed returns m with θ × 1.3, Ω × 2 and σ × 1.5: initial values
// away from the truth.
func perturbed(m *Model) *Model {
	c := *m
	c.Params = append([]Param(nil), m.Params...)
	for i := range c.Params {
		c.Params[i].Typical *= 1.3
	}
	k := len(m.Etas)
	c.Omega = mat.NewSymDense(k, nil)
	c.Omega.ScaleSym(2, m.Omega)
	c.Error.Add *= 1.5
	c.Error.Prop *= 1.5
	return &c
}

// TestPopDeterministicAcrossWorkers: FOCE-I and SAEM give bit-identical
// estimates on 1 and 3 goroutines.
func TestPopDeterministicAcrossWorkers(t *testing.T) {
	truth := oralModel()
	ds := simulateDataSet(t, truth, 8, 7, 500, 1, 0, oralSampleTimes)
	run := func(w int, saem bool) *PopResult {
		opt := PopOptions{Workers: w, NoCovariance: true, MaxIterations: 4}
		var r *PopResult
		var err error
		if saem {
			r, err = perturbed(truth).FitSAEM(ds, SAEMOptions{PopOptions: opt, Seed: 3, Explore: 10, Smooth: 5})
		} else {
			r, err = perturbed(truth).FitFOCEI(ds, opt)
		}
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, saem := range []bool{false, true} {
		a, b := run(1, saem), run(3, saem)
		if a.OFV != b.OFV || a.Model.Params[0].Typical != b.Model.Params[0].Typical || a.Model.Omega.At(2, 2) != b.Model.Omega.At(2, 2) || a.Model.Error.Prop != b.Model.Error.Prop {
			t.Errorf("saem=%v: 1 worker OFV %.17g CL %.17g, 3 workers OFV %.17g CL %.17g", saem, a.OFV, a.Model.Params[0].Typical, b.OFV, b.Model.Params[0].Typical)
		}
	}
}

// TestSimReestimation (go test ./physio/fit -run TestSimReestimation
// -popsim 100 [-popsim-method saem]): data sets of 50 subjects of oralModel
// (one-compartment oral, full Ω, combined error) simulated from known
// values, fitted back from perturbed initial values; bias and RMSE per
// parameter, relative to the truth. Pass: |bias| ≤ 5% on θ, ≤ 20% on ω²
// (the criteria).
func TestSimReestimation(t *testing.T) {
	if *popsimN == 0 {
		t.Skip("set -popsim N to fit back N simulated data sets")
	}
	truth := oralModel()
	var names []string
	var want []float64
	for _, p := range truth.Params {
		names, want = append(names, "θ "+p.Name), append(want, p.Typical)
	}
	for a, e := range truth.Etas {
		names, want = append(names, "ω² "+e), append(want, truth.Omega.At(a, a))
	}
	names, want = append(names, "ω(cl,v)", "σ add", "σ prop"), append(want, truth.Omega.At(1, 0), truth.Error.Add, truth.Error.Prop)
	sum, sum2 := make([]float64, len(want)), make([]float64, len(want))
	fails := 0
	for r := 0; r < *popsimN; r++ {
		ds := simulateDataSet(t, truth, 50, uint64(1000+r), 500, 1, 0, oralSampleTimes)
		var res *PopResult
		var err error
		if *popsimMethod == "saem" {
			res, err = perturbed(truth).FitSAEM(ds, SAEMOptions{Seed: uint64(r), PopOptions: PopOptions{NoCovariance: true}})
		} else {
			res, err = perturbed(truth).FitFOCEI(ds, PopOptions{NoCovariance: true})
		}
		if err != nil || !res.Converged && *popsimMethod != "saem" {
			fails++
			t.Logf("data set %d: %v %v", r, err, res)
			continue
		}
		m := res.Model
		var got []float64
		for _, p := range m.Params {
			got = append(got, p.Typical)
		}
		for a := range m.Etas {
			got = append(got, m.Omega.At(a, a))
		}
		got = append(got, m.Omega.At(1, 0), m.Error.Add, m.Error.Prop)
		t.Logf("data set %d: %s %v", r, *popsimMethod, got) // streamed with -v: partial runs still count
		for i := range got {
			d := (got[i] - want[i]) / want[i]
			sum[i] += d
			sum2[i] += d * d
		}
	}
	n := float64(*popsimN - fails)
	t.Logf("%s: %d data sets fitted, %d failed", *popsimMethod, int(n), fails)
	for i, nm := range names {
		bias, rmse := sum[i]/n, math.Sqrt(sum2[i]/n)
		t.Logf("%-10s true %-7g bias %+6.1f%% RMSE %5.1f%%", nm, want[i], 100*bias, 100*rmse)
		lim := 0.05
		if strings.HasPrefix(nm, "ω") {
			lim = 0.20
		}
		if strings.HasPrefix(nm, "θ") || strings.HasPrefix(nm, "ω²") {
			if math.Abs(bias) > lim {
				t.Errorf("%s: bias %.1f%% beyond ±%.0f%%", nm, 100*bias, 100*lim)
			}
		}
	}
}

// BenchmarkSAEMTwoCmt500: SAEM (300 + 200 iterations) on 500 subjects of a
// two-compartment model with 4 levels each (issue 22's target: < 60 s).
func BenchmarkSAEMTwoCmt500(b *testing.B) {
	truth := twoCmtModel()
	ds := simulateDataSet(b, truth, 500, 11, 1000, 1, 1, twoCmtSparse)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := perturbed(truth).FitSAEM(ds, SAEMOptions{Seed: 1, PopOptions: PopOptions{NoCovariance: true}})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			m := res.Model
			b.Logf("CL %.3f V1 %.3f Q2 %.3f V2 %.3f ω² %.4f %.4f %.4f %.4f σprop %.4f OFV %.2f (truth 4 20 6 40; 0.09 0.04 0.09 0.04; 0.15)",
				m.Params[0].Typical, m.Params[1].Typical, m.Params[2].Typical, m.Params[3].Typical,
				m.Omega.At(0, 0), m.Omega.At(1, 1), m.Omega.At(2, 2), m.Omega.At(3, 3), m.Error.Prop, res.OFV)
		}
	}
}

// TestSAEMTwoCmt: SAEM recovers a two-compartment model from 200 sparsely
// sampled subjects (4 levels each) simulated from known values: θ within
// 10% and σ within 15% of the truth (one data set: the sampling error of
// 200 subjects, not a bias test; TestSimReestimation does that).
func TestSAEMTwoCmt(t *testing.T) {
	truth := twoCmtModel()
	ds := simulateDataSet(t, truth, 200, 5, 1000, 1, 1, twoCmtSparse)
	res, err := perturbed(truth).FitSAEM(ds, SAEMOptions{Seed: 2, Explore: 200, Smooth: 100, PopOptions: PopOptions{NoCovariance: true}})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range res.Model.Params {
		want := truth.Params[i].Typical
		t.Logf("%s %.4g (truth %g); ω² %.4f (truth %g)", p.Name, p.Typical, want, res.Model.Omega.At(i, i), truth.Omega.At(i, i))
		if math.Abs(p.Typical-want) > 0.1*want {
			t.Errorf("%s = %.4g, truth %g", p.Name, p.Typical, want)
		}
	}
	if got := res.Model.Error.Prop; math.Abs(got-0.15) > 0.15*0.15 {
		t.Errorf("σ prop = %.4f, truth 0.15", got)
	}
}

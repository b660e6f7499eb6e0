package trial

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/pk"
)

// langSSSpec is a model-language trial of the library model name (no IIV,
// one subject) with one arm per regimen, the concentration at each of
// times as endpoints, on a grid that holds every endpoint time (so the
// endpoints are grid values, not interpolations).
func langSSSpec(t *testing.T, name, output string, over map[string]float64, grid float64, times []float64, arms map[string][]pk.Dose) *Spec {
	t.Helper()
	m, err := modlang.Library(name)
	if err != nil {
		t.Fatal(err)
	}
	s := &Spec{Name: "ss", Path: "ss.go", Subjects: 1, Seed: 3, Grid: grid,
		Lang:    &LangModel{Model: m, Output: output},
		Typical: func(Subject) (map[string]float64, error) { return over, nil }}
	for k, h := range times {
		s.Endpoints = append(s.Endpoints, Endpoint{Endpoint: cohort.Endpoint{Name: fmt.Sprintf("c%d", k), Kind: "conc", At: h}})
	}
	for _, a := range slices.Sorted(maps.Keys(arms)) {
		doses := arms[a]
		for i := range doses {
			doses[i].Source = fmt.Sprintf("arm %q dosing record %d", a, i+1)
		}
		s.Arms = append(s.Arms, Arm{Name: a, Doses: func(Subject) ([]pk.Dose, error) { return doses, nil }})
	}
	return s
}

// Issue 24: SS records in a model-language trial. A linear model of the
// language (the library's pk2_oral: depot with F and ALAG, two
// compartments) with SS = 1 (a bolus regimen continued by ADDL, an
// infusion, an infusion into the depot shortened by F, and a reset that
// ends a running infusion) gives the
// concentrations of physio/pk's model with the same parameters on its
// exact path, whose steady state is the closed form (I − e^{Kτ})⁻¹ of the
// transition matrix; within 1e-9 relative. SS = 2 on top of a bolus is the
// sum of the bolus alone and the regimen's steady state alone (linear
// superposition, each term from pk).
func TestLangTrialSteadyStateMatchesPK(t *testing.T) {
	over := map[string]float64{"KA": 1.2, "CL": 5, "V1": 50, "Q2": 10, "V2": 100, "F1": 0.6, "ALAG1": 0.5}
	ref := pk.Model{NCmt: 2, Absorption: true, P: pk.Params{KA: 1.2, CL: 5, V1: 50, Q2: 10, V2: 100, F: 0.6, ALAG: 0.5}}
	times := []float64{0, 0.25, 1, 3, 4, 4.25, 5, 6.5, 9, 12, 13, 20, 23}
	arms := map[string][]pk.Dose{
		"oral":     {{Amt: 400, II: 6, SS: 1, Cmt: 1, ADDL: 2}},
		"infusion": {{Amt: 1000, Rate: 500, II: 12, SS: 1, Cmt: 2, ADDL: 1}},
		// into the depot: F1 = 0.6 makes it 10.8 h, plus the lag 11.3 h < II
		// (900/50 = 18 h without F: the records' own check refused it)
		"depot infusion": {{Amt: 900, Rate: 50, II: 12, SS: 1, Cmt: 1}},
		// the 10 h infusion from 0 h is ended by the reset at 4 h
		"reset": {{Amt: 1000, Rate: 100, Cmt: 2}, {Time: 4, Amt: 300, II: 8, SS: 1, Cmt: 1, ADDL: 1}},
		"added": {{Amt: 100, Cmt: 2}, {Time: 4, Amt: 500, II: 8, SS: 2, Cmt: 2, ADDL: 1}},
	}
	want := map[string][]float64{}
	for a, d := range arms {
		c, err := ref.Simulate(d, times, pk.Exact)
		if err != nil {
			t.Fatal(err)
		}
		want[a] = c
	}
	// the superposition of SS = 2: the bolus alone plus SS = 1 of the
	// regimen alone (from 4 h on; before, the bolus alone)
	bolus, err := ref.Simulate(arms["added"][:1], times, pk.Exact)
	if err != nil {
		t.Fatal(err)
	}
	alone := arms["added"][1]
	alone.SS = 1
	regimen, err := ref.Simulate([]pk.Dose{alone}, times, pk.Exact)
	if err != nil {
		t.Fatal(err)
	}
	sum := make([]float64, len(times))
	for k, h := range times {
		sum[k] = bolus[k]
		if h >= 4 {
			sum[k] += regimen[k]
		}
	}
	s := langSSSpec(t, "pk2_oral", "cp", over, 0.25, times, arms)
	res, err := s.Run(context.Background(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		arm := s.Arms[r.Arm].Name
		for k, h := range times {
			check := func(what string, w float64) {
				if math.Abs(r.Endpoints[k]-w) > 1e-9*math.Abs(w) {
					t.Errorf("arm %s: C(%g h) = %.15g, %s %.15g", arm, h, r.Endpoints[k], what, w)
				}
			}
			check("pk's exact path", want[arm][k])
			if arm == "added" {
				check("the sum of the bolus and the steady state", sum[k])
			}
		}
	}
}

// SS = 1 of a nonlinear model (the library's quasi-steady-state TMDD,
// Gibiansky et al. 2008) is the state that ordinary doses reach: 420
// daily doses (10,080 h) from the baseline against SS = 1 at 10,080 h. The
// slowest rate of the system is the linear elimination CL/V1 = 0.0033/h (the
// target saturated), so 420 intervals leave e^{−0.0033·10080} ≈ 3e-15 of
// the initial distance; what remains is the trial's integration at rtol
// 1e-8 through 420 intervals of a contracting map (errors do not grow):
// within 1e-7 relative, ten times that rtol (measured: 7.5e-11).
func TestLangTrialSteadyStateNonlinear(t *testing.T) {
	const t0 = 420 * 24.0
	times := []float64{t0, t0 + 1, t0 + 6, t0 + 12, t0 + 23, t0 + 30}
	arms := map[string][]pk.Dose{
		"doses": {{Amt: 100, II: 24, ADDL: 421, Cmt: 1}},
		"ss":    {{Time: t0, Amt: 100, II: 24, ADDL: 1, SS: 1, Cmt: 1}},
	}
	s := langSSSpec(t, "tmdd_qss", "c", nil, 1, times, arms)
	res, err := s.Run(context.Background(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	var doses, ss []float64
	for _, r := range res {
		if s.Arms[r.Arm].Name == "ss" {
			ss = r.Endpoints
		} else {
			doses = r.Endpoints
		}
	}
	worst := 0.0
	for k, h := range times {
		worst = math.Max(worst, math.Abs(ss[k]-doses[k])/doses[k])
		if math.Abs(ss[k]-doses[k]) > 1e-7*doses[k] || !(doses[k] > 0) {
			t.Errorf("free drug at %g h: SS = 1 %.12g, after 420 doses %.12g", h, ss[k], doses[k])
		}
	}
	t.Logf("worst relative difference %.2g", worst)
}

// SS records the language's steady state refuses are errors naming the
// record and why (modlang's messages), not NaN concentrations.
func TestLangTrialSteadyStateRefused(t *testing.T) {
	for _, c := range []struct {
		model, output string
		over          map[string]float64
		dose          pk.Dose
		msg           string
	}{
		{"pk1_oral", "cp", map[string]float64{"ALAG1": 7}, pk.Dose{Amt: 100, II: 6, SS: 1, Cmt: 1},
			"steady state with a lag time >= II is not supported (ALAG = 7, II = 6)"},
		// F1 = 2 doubles the infused amount, hence the duration, into the depot
		{"pk1_oral", "cp", map[string]float64{"F1": 2}, pk.Dose{Amt: 500, Rate: 50, II: 12, SS: 2, Cmt: 1},
			"a steady-state infusion of 20 h (plus lag 0) longer than II = 12 is not supported"},
		{"pk1_oral", "cp", nil, pk.Dose{Amt: 1000, Rate: 50, II: 12, SS: 1, Cmt: 2},
			"a steady-state infusion of 20 h (plus lag 0) longer than II = 12 is not supported"},
		{"pk1", "cp", map[string]float64{"CL": 0}, pk.Dose{Amt: 100, II: 12, SS: 1},
			"no steady state of 100 every 12 h into central"},
		{"windkessel", "p_mmhg", nil, pk.Dose{Amt: 1, II: 1, SS: 1},
			"its equations depend on the time t"},
	} {
		s := langSSSpec(t, c.model, c.output, c.over, 1, []float64{1}, map[string][]pk.Dose{"x": {c.dose}})
		_, err := s.Run(context.Background(), 0, 1)
		if err == nil || !strings.Contains(err.Error(), `arm "x" dosing record 1`) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s %+v: %v, want the record named and %q", c.model, c.dose, err, c.msg)
		}
	}
}

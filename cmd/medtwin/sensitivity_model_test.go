package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// Sensitivity on a model-language model: the AUC of a one-compartment bolus
// to 400 h (beyond 50 half-lives at the slowest CL/V1) is D/CL, which does
// not depend on V1: ST(V1) = 0 and S(CL) = ST(CL) = 1; with CL ~ U(2, 8) its
// mean is 100·ln 4/6 and its variance 100²/(2·8) − mean² (closed forms).
func TestSensitivityModel(t *testing.T) {
	out, errs, code := medtwin(t, "sensitivity", "--model", "pk1", "--dose", "amt=100", "--range", "CL=2..8", "--range", "V1=20..80",
		"--kpi", "auc:0..400", "--grid", "0.5", "-n", "512", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct { // --json keys are snake_case
		Mean, Var float64
		Indices   []struct {
			Name   string
			S      float64
			SLow   float64 `json:"s_low"`
			SHigh  float64 `json:"s_high"`
			ST     float64
			STLow  float64 `json:"st_low"`
			STHigh float64 `json:"st_high"`
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	mean := 100 * math.Log(4) / 6
	variance := 100*100/16.0 - mean*mean
	if math.Abs(res.Mean-mean) > 0.03*mean || math.Abs(res.Var-variance) > 0.15*variance {
		t.Errorf("mean %v var %v, closed forms %v %v", res.Mean, res.Var, mean, variance)
	}
	cl, v1 := res.Indices[0], res.Indices[1]
	if cl.Name != "CL" || !(cl.STLow <= 1 && 1 <= cl.STHigh) || !(cl.SLow <= 1 && 1 <= cl.SHigh) || v1.ST > 1e-3 {
		t.Errorf("indices %+v", res.Indices)
	}
	for _, c := range [][]string{
		{"--model", "pk1", "--dose", "amt=100", "--range", "CLL=2..8", "--kpi", "auc:0..10"},
		{"--model", "pk1", "--dose", "amt=100", "--range", "CL=2..8", "--kpi", "auc:0"},
		{"--model", "pk1", "--dose", "amount=100", "--range", "CL=2..8", "--kpi", "auc:0..10"},
	} {
		if _, errs, code := medtwin(t, append([]string{"sensitivity"}, c...)...); code != 2 || !strings.Contains(errs, "--") {
			t.Errorf("%v: exit %d, %s", c, code, errs)
		}
	}
}

// --dose takes NONMEM's ss: over one interval at steady state the AUC of a
// one-compartment bolus is D/CL (closed form), the same as a single dose's to
// infinity, so the mean over CL ~ U(2, 8) is again 100·ln 4/6 and V1 does not
// matter; without ss, the first interval's AUC at CL = 2, V1 = 80 is only
// 1 − e^(−0.3) = 26% of it. ss other than 0, 1, 2 is a usage error.
func TestSensitivityModelSteadyState(t *testing.T) {
	out, errs, code := medtwin(t, "sensitivity", "--model", "pk1", "--dose", "amt=100,ii=12,ss=1", "--range", "CL=2..8", "--range", "V1=20..80",
		"--kpi", "auc:0..12", "--grid", "0.05", "-n", "256", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Mean    float64
		Indices []struct {
			Name string
			ST   float64
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if mean := 100 * math.Log(4) / 6; math.Abs(res.Mean-mean) > 0.03*mean || res.Indices[1].ST > 1e-3 {
		t.Errorf("mean %v (closed form %v), indices %+v", res.Mean, mean, res.Indices)
	}
	_, errs, code = medtwin(t, "sensitivity", "--model", "pk1", "--dose", "amt=100,ii=12,ss=3", "--range", "CL=2..8", "--kpi", "auc:0..12")
	if code != 2 || !strings.Contains(errs, "ss = 3") {
		t.Errorf("ss=3: exit %d, %s", code, errs)
	}
}

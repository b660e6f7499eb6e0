package scripts

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const massBalanceTrial = `return trial {
  name = "mb", subjects = 30, seed = 3,
  population = { covariates = { { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150 } } },
  model = function(s) return { ncmt = 1, cl = 5 * s.weight_kg / 70, v1 = 50 } end,
  iiv = { cl = 0.3 },
  arms = { { name = "100 mg q24h", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } } } },
  endpoints = { auc_ss = { auc = { 432, 456 } } },
  target = { endpoint = "auc_ss", min = 0, max = 1e9 },
}`

// At steady state the AUC over a dosing interval equals dose/CL (mass balance);
// on a 0.05 h grid the trapezoidal rule is within 1e-3.
func TestTrialMassBalance(t *testing.T) {
	tr, err := LoadTrial(write(t, "mb.lua", massBalanceTrial))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		want := 100 / r.Params["cl"]
		if math.Abs(r.Endpoints[0]-want) > 1e-3*want {
			t.Fatalf("subject %d: AUC %v, dose/CL %v", r.Subject, r.Endpoints[0], want)
		}
		if !r.TargetMet {
			t.Fatal("target not met")
		}
	}
	// a subject's row does not depend on the range it is run in
	part, _ := tr.Run(context.Background(), 12, 20)
	if len(part) != 8 {
		t.Fatalf("%d rows for subjects 12-19", len(part))
	}
	for i, p := range part {
		w := res[12+i]
		// crcl is NaN here (no age/serum creatinine); NaN != NaN, so compare bits
		if p.Subject != w.Subject || p.Arm != w.Arm || !reflect.DeepEqual(p.Params, w.Params) ||
			!sameBits(p.Covariates, w.Covariates) || !sameBits(p.Endpoints, w.Endpoints) ||
			!sameBits(p.Samples, w.Samples) || p.TargetMet != w.TargetMet {
			t.Fatalf("subject %d differs when run on its own:\n%+v\n%+v", w.Subject, p, w)
		}
	}
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func TestTrialBadSpecs(t *testing.T) {
	cases := map[string]struct{ src, want string }{
		"weight <= 0":    {strings.Replace(massBalanceTrial, `dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150`, `dist = "normal", mean = 70, sd = 20`, 1), "weight_kg must be > 0"},
		"unknown target": {strings.Replace(massBalanceTrial, `endpoint = "auc_ss"`, `endpoint = "auc_s"`, 1), "target.endpoint \"auc_s\" is not an endpoint (endpoints: auc_ss)"},
		"unknown field":  {strings.Replace(massBalanceTrial, `subjects = 30`, `subjetcs = 30`, 1), "did you mean 'subjects'"},
		"bad endpoint":   {strings.Replace(massBalanceTrial, `auc = { 432, 456 }`, `auc = { 456, 432 }`, 1), "0 <= from < to"},
		"no model":       {strings.Replace(massBalanceTrial, `model = function(s)`, `modle = function(s)`, 1), "unknown trial field 'modle'"},
		// issue 19: IIV on a parameter the model does not have was silently ignored
		"iiv on CL": {strings.Replace(massBalanceTrial, `iiv = { cl = 0.3 }`, `iiv = { CL = 0.3 }`, 1), "bad.lua:1: iiv.CL: no such parameter"},
		// issue 19: the spec's subject count goes through the same check as --subjects
		"no subjects": {strings.Replace(massBalanceTrial, `subjects = 30`, `subjects = 0`, 1), "bad.lua:1: subjects must be at least 1"},
	}
	for name, c := range cases {
		_, err := LoadTrial(write(t, "bad.lua", c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// AUC-guided dosing closes the loop: with no residual error the level at 23 h
// after a 100 mg bolus gives CL exactly (C = D/V·e^(−CL/V·t), V known), the
// callback doses 20·CL mg every 24 h from 24 h on, and mass balance at steady
// state puts AUC over a dosing interval at exactly 20 mg·h/L for every subject,
// whatever its CL. The first, unadjusted interval keeps AUC = 100/CL·(1−e^(−24k)).
func TestTrialAdaptiveDosing(t *testing.T) {
	src := strings.Replace(massBalanceTrial, `arms = { { name = "100 mg q24h", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } } } },`, `arms = {
    { name = "fixed", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } } },
    { name = "AUC-guided", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } },
      adapt = { at = 24, fn = function(s, levels, t)
        assert(#levels == 1 and levels[1].time == 23 and t == 24)
        local cl = 50 * math.log(100 / 50 / levels[1].dv) / 23
        return { { time = 24, amt = 20 * cl, ii = 24, addl = 18, cmt = 1 } }
      end } },
  },
  sampling = { times = { 23 } },`, 1)
	src = strings.Replace(src, `auc_ss = { auc = { 432, 456 } } },`, `auc_ss = { auc = { 432, 456 } }, auc_first = { auc = { 0, 24 } } },`, 1)
	tr, err := LoadTrial(write(t, "adapt.lua", src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	// endpoints are sorted by name: auc_first, auc_ss
	for _, r := range res {
		cl := r.Params["cl"]
		k := cl / 50
		if want := 100 / 50.0 * math.Exp(-k*23); math.Abs(r.Samples[0]-want) > 1e-9*want {
			t.Fatalf("subject %d: level at 23 h %v, want %v", r.Subject, r.Samples[0], want)
		}
		if want := 100 / cl * (1 - math.Exp(-24*k)); math.Abs(r.Endpoints[0]-want) > 1e-3*want {
			t.Fatalf("subject %d arm %d: first-day AUC %v, want %v", r.Subject, r.Arm, r.Endpoints[0], want)
		}
		want, dose := 100/cl, 2000.0 // 20 doses of 100 mg at 0..456 h
		if r.Arm == 1 {
			want, dose = 20, 100+19*20*cl // then 19 doses of 20·CL at 24..456 h
		}
		if math.Abs(r.TotalDose-dose) > 1e-9*dose {
			t.Fatalf("subject %d arm %d: total dose %v, want %v", r.Subject, r.Arm, r.TotalDose, dose)
		}
		if math.Abs(r.Endpoints[1]-want) > 1e-3*want {
			t.Fatalf("subject %d arm %d: steady-state AUC %v, want %v", r.Subject, r.Arm, r.Endpoints[1], want)
		}
	}
}

func TestTrialBadDoses(t *testing.T) {
	cases := map[string]struct{ src, want string }{
		"bad covariate key": {strings.Replace(massBalanceTrial, `median = 70`, `medain = 70`, 1), "population covariate 1: unknown key 'medain'"},
		"bad dose key":      {strings.Replace(massBalanceTrial, `ii = 24, addl = 19`, `ii = 24, adl = 19`, 1), `arm "100 mg q24h", subject 0: dosing record 1: unknown key 'adl'`},
		"early adapt dose": {strings.Replace(massBalanceTrial, `cmt = 1 } } } },`, `cmt = 1 } },
      adapt = { at = 24, fn = function() return { { time = 12, amt = 5 } } end } } },`, 1), "new doses must be at or after 24 h"},
		"negative amount": {strings.Replace(massBalanceTrial, `amt = 100`, `amt = -100`, 1), "subject 0"},
	}
	for name, c := range cases {
		tr, err := LoadTrial(write(t, "bad.lua", c.src))
		if err == nil {
			_, err = tr.Run(context.Background(), 0, 2)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// The time series of the first subjects follows the superposition of 100 mg
// boluses every 24 h in a one-compartment model: C(t) = Σ 100/V·e^(−CL/V·(t−tᵢ)).
func TestTrialSeries(t *testing.T) {
	src := strings.Replace(massBalanceTrial, `target = {`, `timeseries = { every = 5, to = 47, subjects = 4 },
  target = {`, 1)
	tr, err := LoadTrial(write(t, "series.lua", src))
	if err != nil {
		t.Fatal(err)
	}
	ts := tr.SeriesTimes()
	if len(ts) != 10 || ts[9] != 45 {
		t.Fatalf("series times %v", ts)
	}
	res, err := tr.Run(context.Background(), 0, 6)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Subject >= 4 {
			if r.Series != nil {
				t.Fatalf("subject %d has a series", r.Subject)
			}
			continue
		}
		k := r.Params["cl"] / 50
		for i, tt := range ts[1:] {
			want := 0.0
			for td := 0.0; td < tt; td += 24 {
				want += 2 * math.Exp(-k*(tt-td))
			}
			if got := r.Series[i+1]; math.Abs(got-want) > 1e-9*want {
				t.Fatalf("subject %d at %g h: %v, want %v", r.Subject, tt, got, want)
			}
		}
	}
	bad := strings.Replace(massBalanceTrial, `target = {`, `timeseries = { every = 0 },
  target = {`, 1)
	if _, err := LoadTrial(write(t, "bad.lua", bad)); err == nil || !strings.Contains(err.Error(), "timeseries needs every > 0 h") {
		t.Fatalf("every = 0: %v", err)
	}
}

// An endpoint on the effect is the sigmoid Emax of the concentration:
// E(12 h) = e0 + emax·C²/(ec50² + C²) with C = 100/V·e^(−12·CL/V).
func TestTrialEffectEndpoint(t *testing.T) {
	src := strings.Replace(massBalanceTrial, `v1 = 50 } end`, `v1 = 50, e0 = 10, emax = 50, ec50 = 1, hill = 2 } end`, 1)
	src = strings.Replace(src, `auc_ss = { auc = { 432, 456 } } },`, `auc_ss = { auc = { 432, 456 } }, effect_12h = { conc = 12, of = "effect" } },`, 1)
	tr, err := LoadTrial(write(t, "pd.lua", src))
	if err != nil {
		t.Fatal(err)
	}
	if n := tr.ParamNames(); len(n) != 14 || n[10] != "emax" {
		t.Fatalf("parameters %v", n)
	}
	res, err := tr.Run(context.Background(), 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		c := 2 * math.Exp(-12*r.Params["cl"]/50)
		want := 10 + 50*c*c/(1+c*c)
		if got := r.Endpoints[1]; math.Abs(got-want) > 1e-9*want {
			t.Fatalf("subject %d: effect %v, want %v", r.Subject, got, want)
		}
	}
	bad := strings.Replace(src, `of = "effect"`, `of = "efect"`, 1)
	if _, err := LoadTrial(write(t, "bad.lua", bad)); err == nil || !strings.Contains(err.Error(), `of = "efect"`) {
		t.Fatalf("bad of: %v", err)
	}
	noPD := strings.Replace(src, `, e0 = 10, emax = 50, ec50 = 1, hill = 2`, ``, 1)
	tr, err = LoadTrial(write(t, "nopd.lua", noPD))
	if err == nil {
		_, err = tr.Run(context.Background(), 0, 1)
	}
	if err == nil || !strings.Contains(err.Error(), "must return ec50 > 0") {
		t.Fatalf("no PD parameters: %v", err)
	}
}

const patientsCSV = `id,age_y,weight_kg,scr_mg_dl,sex
p1,30,70,1.0,M
p2,80,55,1.4,F
p3,55,100,0.8,M
p4,66,82,2.0,F
`

// Imported patients are used as they are, with Cockcroft–Gault clearance
// (Cockcroft & Gault 1976: (140 − age)·weight/(72·SCr), × 0.85 for women)
// computed here by hand; with resample every subject is one of them.
func TestTrialImportedPatients(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pts.csv"), []byte(patientsCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(massBalanceTrial, `population = { covariates = { { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150 } } },`,
		`population = { patients = "pts.csv" },`, 1)
	src = strings.Replace(src, `subjects = 30`, `subjects = 4`, 1)
	spec := filepath.Join(dir, "imp.lua")
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := LoadTrial(spec)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tr.CovariateNames(), ","); got != "age_y,weight_kg,scr_mg_dl,female,crcl_ml_min" {
		t.Fatalf("covariates %s", got)
	}
	res, err := tr.Run(context.Background(), 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := [][5]float64{
		{30, 70, 1.0, 0, 110 * 70 / 72.0},
		{80, 55, 1.4, 1, 60 * 55 / (72 * 1.4) * 0.85},
		{55, 100, 0.8, 0, 85 * 100 / (72 * 0.8)},
		{66, 82, 2.0, 1, 74 * 82 / (72 * 2.0) * 0.85},
	}
	for i, r := range res {
		for k, w := range want[i] {
			if math.Abs(r.Covariates[k]-w) > 1e-9*math.Max(1, w) {
				t.Fatalf("subject %d: covariates %v, want %v", i, r.Covariates, want[i])
			}
		}
	}
	if _, err := tr.Run(context.Background(), 3, 5); err == nil || !strings.Contains(err.Error(), "resample = true") {
		t.Fatalf("subject past the file: %v", err)
	}
	// resampled: every subject is one of the four, and keeps its patient whatever the range
	os.WriteFile(spec, []byte(strings.Replace(src, `patients = "pts.csv"`, `patients = "pts.csv", resample = true`, 1)), 0o644)
	if tr, err = LoadTrial(spec); err != nil {
		t.Fatal(err)
	}
	all, _ := tr.Run(context.Background(), 0, 40)
	part, _ := tr.Run(context.Background(), 25, 30)
	used := map[float64]bool{}
	for _, r := range all {
		used[r.Covariates[0]] = true
	}
	if len(used) != 4 {
		t.Fatalf("ages drawn: %v", used)
	}
	for i, p := range part {
		if !sameBits(p.Covariates, all[25+i].Covariates) {
			t.Fatalf("subject %d drew another patient when run on its own", 25+i)
		}
	}
	// bad files
	for name, c := range map[string]struct{ csv, want string }{
		"zero weight": {"age_y,weight_kg\n40,0\n", "line 2: weight_kg must be > 0"},
		"bad sex":     {"sex,weight_kg\nX,70\n", `line 2: column 1 ("sex") is neither M nor F`},
		"not number":  {"age_y,weight_kg\n40,seventy\n", `line 2: column 2 ("weight_kg") is not a number`},
		"ragged":      {"age_y,weight_kg\n40\n", "wrong number of fields"},
		"empty":       {"age_y,weight_kg\n", "no patients"},
	} {
		os.WriteFile(filepath.Join(dir, "pts.csv"), []byte(c.csv), 0o644)
		os.WriteFile(spec, []byte(strings.Replace(src, `subjects = 4`, `subjects = 1`, 1)), 0o644)
		if _, err := LoadTrial(spec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

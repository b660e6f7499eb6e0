package modlang

import (
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/ode"
)

// trajectory integrates a models.Model from its initial state with Dopri5
// at tight tolerances and returns its outputs at times, output-major.
func trajectory(t *testing.T, m models.Model, y0 []float64, times []float64) [][]float64 {
	t.Helper()
	info := m.Info()
	if y0 == nil {
		y0 = models.Init(m)
	}
	s := ode.NewDopri5(m.Deriv, len(y0), ode.Options{RTol: 1e-12, ATol: 1e-14, MaxSteps: 10_000_000})
	s.Reset(0, y0)
	out := make([][]float64, len(info.Outputs))
	var oerr error
	_, err := s.Integrate(times[len(times)-1], times, func(_ int, tt float64, y []float64) {
		for k, o := range info.Outputs {
			v, e := m.Output(o, tt, y)
			if e != nil && oerr == nil {
				oerr = e
			}
			out[k] = append(out[k], v)
		}
	}, nil)
	if err != nil || oerr != nil {
		t.Fatal(err, oerr)
	}
	return out
}

// Every retired model is, through models.New, its model-language file, and
// its trajectory (outputs of the Go version, over a span of its dynamics)
// agrees with the Go version's within 1e-10 of each output's scale: the
// condition of its retirement (issue 20).
func TestRetiredModelsMatchGo(t *testing.T) {
	type span struct {
		over map[string]float64
		y0   []float64 // nil: the model's initial state
		end  float64
	}
	spans := map[string][]span{
		"bergman":      {{map[string]float64{"insulin": 40, "p1": 0.025}, nil, 180}},
		"inflammation": {{nil, nil, 72}},
		"vancomycin":   {{map[string]float64{"rate_mg_h": 1000, "crcl": 70}, nil, 24}},
		"windkessel":   {{nil, nil, 5}},
		// pk starts empty: the amounts of a dose just given (an oral dose
		// in the depot, an IV dose in central)
		"pk": {
			{map[string]float64{"q2": 3, "v2": 40, "ka": 0.8}, []float64{500, 0, 0, 0}, 48},
			{map[string]float64{"q2": 10, "v2": 100, "q3": 2, "v3": 200, "ka": 0}, []float64{0, 1000, 0, 0}, 72},
			{map[string]float64{"cl": 1, "vmax": 20, "km": 2, "q2": 4, "v2": 30, "ka": 1.2}, []float64{300, 200, 0, 0}, 72},
		},
	}
	for name := range models.Retired {
		sps, ok := spans[name]
		if !ok {
			t.Errorf("%s is retired but has no trajectory check here", name)
			continue
		}
		for _, sp := range sps {
			retiredMatchesGo(t, name, sp.over, sp.y0, sp.end)
		}
	}
}

// retiredMatchesGo compares a retired model's trajectory from y0 over
// [0, end] with its Go version's.
func retiredMatchesGo(t *testing.T, name string, over map[string]float64, y0 []float64, end float64) {
	t.Helper()
	lang, err := models.New(name, over)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := lang.(*Patient); !ok {
		t.Errorf("models.New(%q) is %T, not the model-language file", name, lang)
	}
	goM, err := models.NewGo(name, over)
	if err != nil {
		t.Fatal(err)
	}
	// what scripts name (sim:patient parameters, states, outputs) is all there
	li := lang.Info()
	for _, q := range goM.Info().Params {
		if indexOf(paramNames(li), q.Name) < 0 {
			t.Errorf("%s: the language model has no parameter %q", name, q.Name)
		}
	}
	for i, st := range goM.Info().States {
		if i >= len(li.States) || li.States[i].Name != st.Name {
			t.Errorf("%s: state %d is %q in Go, not in the language model (%v)", name, i, st.Name, li.States)
		}
	}
	times := make([]float64, 101)
	for k := range times {
		times[k] = end * float64(k) / 100
	}
	want := trajectory(t, goM, y0, times)
	got := trajectory(t, lang, y0, times)
	for k, o := range goM.Info().Outputs {
		v, err := lang.Output(o, 0, models.Init(lang))
		if err != nil {
			t.Fatalf("%s: output %s: %v (%v)", name, o, err, v)
		}
		scale := 0.0
		for _, w := range want[k] {
			scale = math.Max(scale, math.Abs(w))
		}
		li := indexOf(lang.Info().Outputs, o)
		for i, w := range want[k] {
			var g float64
			if li >= 0 {
				g = got[li][i]
			} else {
				g = langOutputAt(t, lang, y0, o, times[i])
			}
			if !(math.Abs(g-w) <= 1e-10*math.Max(scale, math.Abs(w))) {
				t.Errorf("%s: %s at t = %v: language %.17g, Go %.17g", name, o, times[i], g, w)
			}
		}
	}
}

func paramNames(info models.Info) []string {
	var out []string
	for _, q := range info.Params {
		out = append(out, q.Name)
	}
	return out
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

// langOutputAt is a named quantity the language model does not list as an
// output, at time tt of its trajectory.
func langOutputAt(t *testing.T, m models.Model, y0 []float64, name string, tt float64) float64 {
	t.Helper()
	if y0 == nil {
		y0 = models.Init(m)
	}
	s := ode.NewDopri5(m.Deriv, len(y0), ode.Options{RTol: 1e-12, ATol: 1e-14, MaxSteps: 10_000_000})
	s.Reset(0, y0)
	var v float64
	if _, err := s.Integrate(tt, []float64{tt}, func(_ int, t2 float64, y []float64) { v, _ = m.Output(name, t2, y) }, nil); err != nil {
		t.Fatal(err)
	}
	return v
}

// The retired pk model refuses the parameters its Go version refuses (a
// model file declares no bounds): through models.New, and through Set, which
// keeps the old value, with the Go version's messages.
func TestRetiredPKValidates(t *testing.T) {
	for msg, over := range map[string]map[string]float64{
		"models: pk: v1 = 0, want > 0":                     {"v1": 0},
		"models: pk: v2 = -1, want > 0":                    {"v2": -1},
		"models: pk: cl = -2, want >= 0":                   {"cl": -2},
		"models: pk: q3 = -0.5, want >= 0":                 {"q3": -0.5},
		"models: pk: f = -1, want >= 0":                    {"f": -1},
		"models: pk: vmax = 5 needs km > 0 (mg/L), got 0":  {"vmax": 5},
		"models: pk: vmax = 5 needs km > 0 (mg/L), got -1": {"vmax": 5, "km": -1},
	} {
		if _, err := models.New("pk", over); err == nil || err.Error() != msg {
			t.Errorf("%v: %v, want %q", over, err, msg)
		}
		if _, err := models.NewGo("pk", over); err == nil || err.Error() != msg {
			t.Errorf("Go %v: %v, want %q", over, err, msg)
		}
	}
	// a value that is no number: the language's own message
	if _, err := models.New("pk", map[string]float64{"alag": math.NaN()}); err == nil || !strings.Contains(err.Error(), "alag = NaN") {
		t.Errorf("alag = NaN: %v", err)
	}
	m, err := models.New("pk", map[string]float64{"v1": 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Set("v1", -1); err == nil || err.Error() != "models: pk: v1 = -1, want > 0" {
		t.Errorf("Set v1 = -1: %v", err)
	}
	if err := m.Set("vmax", 3); err == nil || err.Error() != "models: pk: vmax = 3 needs km > 0 (mg/L), got 0" {
		t.Errorf("Set vmax = 3: %v", err)
	}
	if c, _ := m.Output("conc_mg_l", 0, []float64{0, 100, 0, 0}); c != 5 {
		t.Errorf("after refused changes conc = %v, want 100/20 (v1 kept)", c)
	}
	if err := m.Set("km", 2); err != nil {
		t.Fatal(err)
	}
	if err := m.Set("vmax", 3); err != nil {
		t.Errorf("vmax = 3 with km = 2: %v", err)
	}
}

package modlang

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/ode"
)

// trajectory integrates a models.Model from its initial state with Dopri5
// at tight tolerances and returns its outputs at times, output-major.
func trajectory(t *testing.T, m models.Model, times []float64) [][]float64 {
	t.Helper()
	info := m.Info()
	y0 := models.Init(m)
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
	spans := map[string]struct {
		over map[string]float64
		end  float64
	}{
		"bergman":      {map[string]float64{"insulin": 40, "p1": 0.025}, 180},
		"inflammation": {nil, 72},
		"vancomycin":   {map[string]float64{"rate_mg_h": 1000, "crcl": 70}, 24},
		"windkessel":   {nil, 5},
	}
	for name := range models.Retired {
		sp, ok := spans[name]
		if !ok {
			t.Errorf("%s is retired but has no trajectory check here", name)
			continue
		}
		lang, err := models.New(name, sp.over)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := lang.(*Patient); !ok {
			t.Errorf("models.New(%q) is %T, not the model-language file", name, lang)
		}
		goM, err := models.NewGo(name, sp.over)
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
			times[k] = sp.end * float64(k) / 100
		}
		want := trajectory(t, goM, times)
		got := trajectory(t, lang, times)
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
					g = langOutputAt(t, lang, o, times[i])
				}
				if !(math.Abs(g-w) <= 1e-10*math.Max(scale, math.Abs(w))) {
					t.Errorf("%s: %s at t = %v: language %.17g, Go %.17g", name, o, times[i], g, w)
				}
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
func langOutputAt(t *testing.T, m models.Model, name string, tt float64) float64 {
	t.Helper()
	y0 := models.Init(m)
	s := ode.NewDopri5(m.Deriv, len(y0), ode.Options{RTol: 1e-12, ATol: 1e-14, MaxSteps: 10_000_000})
	s.Reset(0, y0)
	var v float64
	if _, err := s.Integrate(tt, []float64{tt}, func(_ int, t2 float64, y []float64) { v, _ = m.Output(name, t2, y) }, nil); err != nil {
		t.Fatal(err)
	}
	return v
}

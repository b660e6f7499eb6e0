package ops

import (
	"context"
	"math"
	"testing"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
)

func sepsisRun(t *testing.T, sensitivity float64, reps int) []engine.RepResult {
	t.Helper()
	var out []engine.RepResult
	e := engine.Experiment{Seed: 17, From: 0, To: reps, Horizon: 14 * 86400, Warmup: 86400, Build: func(s *engine.Sim) error {
		ed, err := DefaultED(150)
		if err != nil {
			return err
		}
		ed.Sepsis = DefaultSepsis()
		ed.Sepsis.Fraction = 0.05
		ed.Sepsis.ScreenSensitivity = sensitivity
		return ed.Build(s)
	}}
	if err := e.Run(context.Background(), func(r engine.RepResult) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// With common random numbers, screening every septic patient at triage (against
// none) must shorten the time to antibiotics and lower the model's mortality:
// paired differences with 95% CIs below zero.
func TestSepsisScreeningImprovesOutcomes(t *testing.T) {
	none, all := sepsisRun(t, 0, 8), sepsisRun(t, 1, 8)
	for _, name := range []string{"sepsis_hours_to_antibiotics", "sepsis_mortality"} {
		var d []float64
		for i := range none {
			a, _ := kpiValue(none[i], name)
			b, _ := kpiValue(all[i], name)
			d = append(d, b-a)
		}
		s := stats.Summarize(d, 0.95)
		t.Logf("%s: screening changes it by %.4f [%.4f, %.4f]", name, s.Mean, s.Low, s.High)
		if !(s.High < 0) {
			t.Errorf("%s did not fall with screening: %+v", name, s)
		}
	}
	// vitals of septic patients are sampled with their ids
	n := 0
	for _, r := range all[:1] {
		for _, row := range r.Series {
			if row.Series == "sepsis.damage" {
				if row.Entity <= 0 {
					t.Fatalf("vital without a patient id: %+v", row)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no vitals sampled")
	}
}

func kpiValue(r engine.RepResult, name string) (float64, bool) {
	for _, k := range r.KPIs {
		if k.Name == name {
			return k.Value, true
		}
	}
	return 0, false
}

// treat reports the error of the nurse's Use (here a NaN service time that
// bypassed validation) instead of giving the dose as if the nurse had come.
func TestSepsisTreatReportsUseError(t *testing.T) {
	s := engine.New(engine.Options{})
	nurses, _ := s.NewResource("nurses", 1)
	sp := DefaultSepsis()
	sp.AntibioticMinutes = math.NaN()
	c := &septic{}
	var err error
	s.Process("septic", func(p *engine.Proc) { err = sp.treat(p, c, nurses, 2, sp.kpis(s)) })
	s.Run(math.Inf(1))
	if err == nil || c.treated {
		t.Fatalf("treat returned %v, treated %v; want the Use error and no dose", err, c.treated)
	}
}

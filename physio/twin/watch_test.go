package twin

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/ode"
)

// The crossing time of a 1-compartment IV bolus is known in closed form:
// C = D/V·e^{−k(t−t_dose)} falls through c at t_dose + ln(D/(V c))/k. The watch
// is set before the dose (nothing to predict), so the dose must re-predict it.
func TestWatchFiresAtClosedFormTime(t *testing.T) {
	s := engine.New(engine.Options{})
	m, _ := models.New("pk", map[string]float64{"cl": 5, "v1": 50})
	p, _ := New(m, 0, 1e-10)
	var fired float64 = -1
	if err := p.Watch(s, Threshold{Output: "conc_mg_l", Level: 0.5, Direction: -1}, func(at float64) { fired = at }); err != nil {
		t.Fatal(err)
	}
	s.Schedule(3600, func() { p.Bolus("central", 100, s.Now()) })
	if err := s.Run(3 * 86400); err != nil {
		t.Fatal(err)
	}
	want := 3600 + math.Log(100/(50*0.5))/0.1*3600
	if math.Abs(fired-want) > 1e-6*want {
		t.Fatalf("fired at %v s, want %v s", fired, want)
	}
}

// A treatment given before the crossing (a discontinuity) moves it; the
// re-predicted time matches an independent fine-step RK4 search.
func TestWatchRepredictsAfterTreatment(t *testing.T) {
	for _, delayH := range []float64{1, 3} {
		s := engine.New(engine.Options{})
		m, _ := models.New("inflammation", nil)
		p, _ := New(m, 0, 1e-10)
		y0 := append([]float64(nil), p.State()...)
		y0[0] = 1.5
		p.s.Reset(0, y0)
		var fired float64 = -1
		p.Watch(s, Threshold{Output: "damage", Level: 2, Direction: +1}, func(at float64) { fired = at })
		s.Schedule(delayH*3600, func() { p.Set("antibiotic", 0.9, s.Now()) })
		s.Run(10 * 86400)
		// reference: RK4 with 0.001 h steps, antibiotic from delayH
		ref, _ := models.New("inflammation", nil)
		y := append([]float64(nil), y0...)
		tt, h, want := 0.0, 0.001, -1.0
		dmg := func(y []float64) float64 { return y[2] }
		for tt < 240 && want < 0 {
			if tt >= delayH-1e-12 {
				ref.Set("antibiotic", 0.9)
			}
			next, _, _ := ode.RK4(ref.Deriv, tt, y, tt+h, 1)
			if dmg(y) < 2 && dmg(next) >= 2 {
				want = (tt + h*(2-dmg(y))/(dmg(next)-dmg(y))) * 3600
			}
			y, tt = next, tt+h
		}
		t.Logf("antibiotic at %g h: crossing predicted at %.5f h, reference %.5f h", delayH, fired/3600, want/3600)
		if (want < 0) != (fired < 0) || want >= 0 && math.Abs(fired-want) > 2 {
			t.Errorf("antibiotic at %g h: fired at %v s, reference %v s", delayH, fired, want)
		}
	}
}

// The lazy, event-located path gives the same trajectories as advancing every
// patient in lock-step at every event of the simulation.
func TestLazyEqualsLockStep(t *testing.T) {
	const n = 40
	r := rand.New(rand.NewPCG(5, 6))
	type ev struct {
		at   float64
		who  int
		dose float64 // 0: an observation
	}
	var evs []ev
	for i := 0; i < n; i++ {
		for k := 0; k < 4; k++ {
			evs = append(evs, ev{at: r.Float64() * 72 * 3600, who: i, dose: 50 + 100*r.Float64()})
			evs = append(evs, ev{at: r.Float64() * 96 * 3600, who: i})
		}
	}
	mk := func() []*Patient {
		ps := make([]*Patient, n)
		for i := range ps {
			m, _ := models.New("pk", map[string]float64{"cl": 3 + float64(i%5), "v1": 40, "q2": 8, "v2": 80, "ka": 0.8})
			ps[i], _ = New(m, 0, 1e-10)
		}
		return ps
	}
	run := func(lockStep bool) map[int]float64 {
		s := engine.New(engine.Options{})
		ps := mk()
		obs := map[int]float64{}
		for k, e := range evs {
			k, e := k, e
			s.ScheduleAt(e.at, func() {
				if lockStep {
					for _, p := range ps {
						p.AdvanceTo(s.Now())
					}
				}
				if e.dose > 0 {
					ps[e.who].Bolus("depot", e.dose, s.Now())
				} else {
					obs[k], _ = ps[e.who].Output("conc_mg_l", s.Now())
				}
			})
		}
		s.Run(math.Inf(1))
		return obs
	}
	lazy, lock := run(false), run(true)
	for k, v := range lazy {
		if math.Abs(v-lock[k]) > 1e-7*math.Max(v, 1e-6) {
			t.Fatalf("observation %d: lazy %v, lock-step %v", k, v, lock[k])
		}
	}
}

// A crossing beyond the 14-day look-ahead, with nothing after the dose, is
// still found (it was never predicted again): a 1-compartment bolus with
// k = 0.1/50 per hour falls through 0.5 mg/L at ln(100/(50·0.5))/k = 693 h,
// 28.9 days after the dose. A level the state never reaches ends the search
// once the state is at rest, so a run without a horizon still ends.
func TestWatchBeyondLookahead(t *testing.T) {
	s := engine.New(engine.Options{})
	m, _ := models.New("pk", map[string]float64{"cl": 0.1, "v1": 50})
	p, _ := New(m, 0, 1e-10)
	var fired, never float64 = -1, -1
	if err := p.Watch(s, Threshold{Output: "conc_mg_l", Level: 0.5, Direction: -1}, func(at float64) { fired = at }); err != nil {
		t.Fatal(err)
	}
	if err := p.Watch(s, Threshold{Output: "conc_mg_l", Level: 5, Direction: +1}, func(at float64) { never = at }); err != nil {
		t.Fatal(err)
	}
	s.Schedule(3600, func() { p.Bolus("central", 100, s.Now()) })
	if err := s.Run(math.Inf(1)); err != nil {
		t.Fatal(err)
	}
	want := 3600 + math.Log(100/(50*0.5))/(0.1/50)*3600
	if math.Abs(fired-want) > 1e-6*want || never != -1 {
		t.Fatalf("fired at %v s (want %v s), the unreachable level at %v s", fired, want, never)
	}
	if s.Now() > 5*365*86400 {
		t.Fatalf("the search for the unreachable level went on to day %.0f", s.Now()/86400)
	}
	t.Logf("run ended on day %.0f", s.Now()/86400)
}

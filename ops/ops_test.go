package ops

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
)

// Thinning reproduces the hour-of-day rates: over 400 days the count in each
// hour is Poisson with mean 400·rate, so it lies within 5 standard deviations.
func TestNHPPHourlyCounts(t *testing.T) {
	a, err := ProfileNHPP(150, EDProfile, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := engine.New(engine.Options{Seed: 3})
	var counts [24]float64
	a.Start(s, "arrivals", func(int) { counts[int(math.Mod(s.Now(), 86400)/3600)]++ })
	s.Run(400 * 86400)
	for h, c := range counts {
		mean := 400 * a.PerHour[h]
		if math.Abs(c-mean) > 5*math.Sqrt(mean) {
			t.Errorf("hour %02d: %v arrivals, want %v ± %v", h, c, mean, 5*math.Sqrt(mean))
		}
	}
}

func TestNHPPBadTables(t *testing.T) {
	if _, err := NewNHPP(make([]float64, 23), nil); err == nil || !strings.Contains(err.Error(), "has 23 entries, want 24") {
		t.Errorf("%v", err)
	}
	bad := make([]float64, 24)
	bad[5] = -2
	if _, err := NewNHPP(bad, nil); err == nil || !strings.Contains(err.Error(), "entry 6 (hour 05) is -2") {
		t.Errorf("%v", err)
	}
	if _, err := NewNHPP(EDProfile, []float64{1, 1, 1}); err == nil || !strings.Contains(err.Error(), "want 7") {
		t.Errorf("%v", err)
	}
}

func TestRosterChanges(t *testing.T) {
	r := Roster{Name: "nurses", Shifts: []Shift{{From: 7, To: 19, Staff: 4, Breaks: []Break{{AfterHours: 5, Minutes: 30, Staff: 2}}}, {From: 19, To: 31, Staff: 2}}}
	ch, err := r.Changes()
	if err != nil {
		t.Fatal(err)
	}
	// 00:00 2 (night), 07:00 4, 12:00 2 (break), 12:30 4, 19:00 2
	want := []engine.CapacityChange{{At: 0, Capacity: 2}, {At: 7 * 3600, Capacity: 4}, {At: 12 * 3600, Capacity: 2},
		{At: 12*3600 + 1800, Capacity: 4}, {At: 19 * 3600, Capacity: 2}}
	if len(ch) != len(want) {
		t.Fatalf("%v", ch)
	}
	for i := range want {
		if ch[i] != want[i] {
			t.Fatalf("change %d: %v, want %v", i, ch[i], want[i])
		}
	}
	if h := r.StaffHoursPerDay(); h != 4*12+2*12 {
		t.Fatalf("staff hours %v", h)
	}
	over := Roster{Name: "docs", Shifts: []Shift{{From: 7, To: 19, Staff: 2}, {From: 18, To: 30, Staff: 1}}}
	if _, err := over.Changes(); err == nil || !strings.Contains(err.Error(), "shift 2 overlaps shift 1 at 18:00") {
		t.Fatalf("%v", err)
	}
}

// Long-run availability of a failing unit is MTBF/(MTBF + MTTR) (alternating
// renewal process; Barlow & Proschan 1975, Statistical Theory of Reliability).
func TestEquipmentAvailability(t *testing.T) {
	e := engine.Experiment{Seed: 4, From: 0, To: 30, Horizon: 5000 * 3600, Build: func(s *engine.Sim) error {
		_, err := Equipment{Name: "ct", Units: 1, MTBFHours: 20, MTTRHours: 5}.Apply(s)
		return err
	}}
	var av []float64
	e.Run(context.Background(), func(r engine.RepResult) error {
		for _, k := range r.KPIs {
			if k.Name == "ct.availability" {
				av = append(av, k.Value)
			}
		}
		return nil
	})
	sum := stats.Summarize(av, 0.95)
	if want := 20.0 / 25; !sum.Contains(want) {
		t.Fatalf("availability %v [%v, %v], want %v", sum.Mean, sum.Low, sum.High, want)
	}
}

// Every patient who arrives is either gone (LWBS, discharged, admitted and left
// the ED) or still in the ED at the end; the time-average number in the ED
// equals the arrival rate times the mean time in the ED (Little 1961) within
// the statistical error.
func TestEDConservationAndLittle(t *testing.T) {
	var diffs []float64
	e := engine.Experiment{Seed: 8, From: 0, To: 10, Horizon: 28 * 86400, Build: func(s *engine.Sim) error {
		ed, err := DefaultED(150)
		if err != nil {
			return err
		}
		ed.DiversionAt = 0
		if err := ed.Build(s); err != nil {
			return err
		}
		return nil
	}}
	err := e.Run(context.Background(), func(r engine.RepResult) error {
		get := func(n string) float64 {
			for _, k := range r.KPIs {
				if k.Name == n {
					return k.Value
				}
			}
			t.Fatalf("no KPI %s", n)
			return 0
		}
		arrivals := get("triage.arrivals")
		l := get("patients_in_ed")
		w := get("los_h") * 3600
		left := float64(0)
		for _, k := range r.KPIs {
			if k.Name == "los_h" {
				left = float64(k.N)
			}
		}
		inED := arrivals - left
		if inED < 0 || inED > 100 {
			t.Errorf("replication %d: %v arrivals, %v left, %v in the ED at the end", r.Replication, arrivals, left, inED)
		}
		lambda := left / (28 * 86400)
		diffs = append(diffs, (l-lambda*w)/l)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := stats.Summarize(diffs, 0.95)
	if !s.Contains(0) && math.Abs(s.Mean) > 0.01 {
		t.Fatalf("Little's law: relative difference %v [%v, %v]", s.Mean, s.Low, s.High)
	}
}

func TestEDBadConfig(t *testing.T) {
	ed, _ := DefaultED(100)
	ed.AdmitProb[2] = 1.5
	s := engine.New(engine.Options{})
	if err := ed.Build(s); err == nil || !strings.Contains(err.Error(), "admission probability entry 3 (ESI 3) is 1.5") {
		t.Fatalf("%v", err)
	}
	if _, err := ProfileNHPP(-5, EDProfile, nil); err == nil {
		t.Fatal("negative rate accepted")
	}
}

// Issue 17 item 14: a service time that is not a number used to make the ED's
// Use calls fail silently (the error was dropped and the patient skipped the
// step); it is now refused when the ED is built, naming the setting.
func TestEDRejectsNaNMinutes(t *testing.T) {
	ed, _ := DefaultED(100)
	ed.ScanMinutes = math.NaN()
	if err := ed.Build(engine.New(engine.Options{})); err == nil || !strings.Contains(err.Error(), "scan minutes must be >= 0") {
		t.Fatalf("got %v, want the scan minutes named", err)
	}
	ed, _ = DefaultED(100)
	ed.Sepsis = DefaultSepsis()
	ed.Sepsis.AntibioticMinutes = -15
	if err := ed.Build(engine.New(engine.Options{})); err == nil || !strings.Contains(err.Error(), "antibiotic minutes must be >= 0, got -15") {
		t.Fatalf("got %v, want the antibiotic minutes named", err)
	}
}

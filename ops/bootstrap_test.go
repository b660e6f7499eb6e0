package ops

import (
	"math"
	"slices"
	"testing"

	"github.com/medtwin/medtwin/engine/rng"
)

// A day-block replicate has as many day positions as the observed period, each
// filled with one whole observed day moved to it (times keep their offsets
// within the day and their intervals); the same stream key gives the same
// replicate, another key another.
func TestResampleDaysBlocks(t *testing.T) {
	var vs []Visit
	for d := 0; d < 10; d++ { // day d has d+1 visits at hours 1..d+1, LOS d+1 hours
		for k := 0; k <= d; k++ {
			a := float64(d)*86400 + float64(k+1)*3600
			vs = append(vs, Visit{Arrival: a, Seen: a + 60, Departure: a + float64(d+1)*3600, AdmitDecision: math.NaN()})
		}
	}
	r := ResampleDays(vs, rng.New(1, 0, "calibrate-bootstrap", 0))
	perDay := map[int][]Visit{}
	for _, v := range r {
		perDay[int(v.Arrival/86400)] = append(perDay[int(v.Arrival/86400)], v)
	}
	for d, day := range perDay {
		if d < 0 || d >= 10 {
			t.Fatalf("a visit moved to day %d, outside the period 0..9", d)
		}
		src := len(day) - 1 // the observed day copied here (it had len(day) visits)
		for k, v := range day {
			if got := v.Arrival - float64(d)*86400; got != float64(k+1)*3600 {
				t.Errorf("day %d visit %d: hour offset %v s", d, k, got)
			}
			if v.LOS() != float64(src+1)*3600 || v.DoorToDoctor() != 60 {
				t.Errorf("day %d: LOS %v, door-to-doctor %v: not the copied day's", d, v.LOS(), v.DoorToDoctor())
			}
		}
	}
	again := ResampleDays(vs, rng.New(1, 0, "calibrate-bootstrap", 0))
	other := ResampleDays(vs, rng.New(1, 0, "calibrate-bootstrap", 1))
	same := func(a, b []Visit) bool {
		return slices.EqualFunc(a, b, func(x, y Visit) bool { return x.Arrival == y.Arrival && x.Departure == y.Departure })
	}
	if !same(r, again) || same(r, other) {
		t.Error("replicates are not determined by their stream key")
	}
	if ResampleDays(nil, rng.New(1, 0, "x", 0)) != nil {
		t.Error("no visits gave a replicate")
	}
}

// The percentile interval is the type-7 quantile pair: for 1..101 at level
// 0.9, the 5% and 95% points are 6 and 96 (h = (n-1)p + 1, R's quantile type 7).
func TestPercentileCI(t *testing.T) {
	xs := make([]float64, 101)
	for i := range xs {
		xs[100-i] = float64(i + 1)
	}
	lo, hi, err := PercentileCI(xs, 0.9)
	if err != nil || math.Abs(lo-6) > 1e-9 || math.Abs(hi-96) > 1e-9 {
		t.Errorf("got [%v, %v] %v, want [6, 96]", lo, hi, err)
	}
	if _, _, err := PercentileCI([]float64{1, math.NaN(), 3}, 0.95); err == nil {
		t.Error("a NaN replicate was accepted")
	}
	if _, _, err := PercentileCI([]float64{1}, 0.95); err == nil {
		t.Error("one replicate was accepted")
	}
}

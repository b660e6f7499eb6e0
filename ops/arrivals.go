package ops

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
)

// NHPP is a non-homogeneous Poisson arrival process whose rate is piecewise
// constant by hour of day, times a day-of-week factor. Arrivals are generated
// by thinning (Lewis & Shedler 1979, Naval Res Logist Q 26:403): candidates at
// the peak rate, each kept with probability rate(t)/peak.
type NHPP struct {
	// PerHour are the arrival rates (per hour) for each hour of the day.
	PerHour [24]float64
	// DayOfWeek multiplies the rates of each day (all 1 if zero).
	DayOfWeek [7]float64
	peak      float64
}

// NewNHPP checks the tables: 24 non-negative hourly rates, not all zero, and 7
// non-negative day factors (nil: all 1). Errors name the table and entry.
func NewNHPP(perHour []float64, dayOfWeek []float64) (*NHPP, error) {
	if len(perHour) != 24 {
		return nil, fmt.Errorf("ops: the hour-of-day arrival table has %d entries, want 24 (hour 0 = midnight to 1 am)", len(perHour))
	}
	a := &NHPP{}
	for i, v := range perHour {
		if math.IsNaN(v) || v < 0 || math.IsInf(v, 0) {
			return nil, fmt.Errorf("ops: hour-of-day arrival table entry %d (hour %02d) is %v, want a rate >= 0 per hour", i+1, i, v)
		}
		a.PerHour[i] = v
	}
	for i := range a.DayOfWeek {
		a.DayOfWeek[i] = 1
	}
	if dayOfWeek != nil {
		if len(dayOfWeek) != 7 {
			return nil, fmt.Errorf("ops: the day-of-week factor table has %d entries, want 7", len(dayOfWeek))
		}
		for i, v := range dayOfWeek {
			if math.IsNaN(v) || v < 0 || math.IsInf(v, 0) {
				return nil, fmt.Errorf("ops: day-of-week factor entry %d is %v, want >= 0", i+1, v)
			}
			a.DayOfWeek[i] = v
		}
	}
	for h := 0; h < 24; h++ {
		for d := 0; d < 7; d++ {
			a.peak = math.Max(a.peak, a.PerHour[h]*a.DayOfWeek[d])
		}
	}
	if a.peak == 0 {
		return nil, fmt.Errorf("ops: every arrival rate is zero")
	}
	return a, nil
}

// ProfileNHPP scales a relative hour-of-day profile (any positive numbers) so
// that the mean is perDay arrivals per day.
func ProfileNHPP(perDay float64, profile []float64, dayOfWeek []float64) (*NHPP, error) {
	if len(profile) != 24 {
		return nil, fmt.Errorf("ops: the hour-of-day profile has %d entries, want 24", len(profile))
	}
	if math.IsNaN(perDay) || perDay <= 0 {
		return nil, fmt.Errorf("ops: arrivals per day must be positive, got %v", perDay)
	}
	sum := 0.0
	for i, v := range profile {
		if math.IsNaN(v) || v < 0 {
			return nil, fmt.Errorf("ops: hour-of-day profile entry %d (hour %02d) is %v, want >= 0", i+1, i, v)
		}
		sum += v
	}
	if sum == 0 {
		return nil, fmt.Errorf("ops: the hour-of-day profile is all zero")
	}
	rates := make([]float64, 24)
	for i, v := range profile {
		rates[i] = perDay * v / sum
	}
	return NewNHPP(rates, dayOfWeek)
}

// Rate returns the arrival rate (per second) at time t (seconds).
func (a *NHPP) Rate(t float64) float64 {
	h := int(modPeriod(t, 86400) / 3600)
	d := int(modPeriod(t, 7*86400) / 86400)
	return a.PerHour[h] * a.DayOfWeek[d] / 3600
}

// Next returns the time from now to the next arrival.
func (a *NHPP) Next(now float64, s *rng.Stream) float64 {
	peak := a.peak / 3600
	t := now
	for {
		t += s.Exp(peak)
		if s.Float64()*peak <= a.Rate(t) {
			return t - now
		}
	}
}

// Start generates arrivals from now until the horizon, calling arrive(n) for
// the n-th (1-based), with draws from the stream named stream.
func (a *NHPP) Start(s *engine.Sim, stream string, arrive func(n int)) {
	st := s.RNG(stream)
	n := 0
	var next func()
	next = func() {
		n++
		arrive(n)
		s.Schedule(a.Next(s.Now(), st), next)
	}
	s.Schedule(a.Next(s.Now(), st), next)
}

// Batch is a mass-casualty surge: Count arrivals at time At (seconds).
type Batch struct {
	At    float64
	Count int
}

// StartBatches schedules surges; arrive(n) is called Count times at each.
func StartBatches(s *engine.Sim, batches []Batch, arrive func(n int)) error {
	for i, b := range batches {
		if b.Count < 0 || math.IsNaN(b.At) || b.At < s.Now() {
			return fmt.Errorf("ops: surge %d: want a time not in the past and a count >= 0, got %v s and %d", i+1, b.At, b.Count)
		}
		b := b
		s.ScheduleAt(b.At, func() {
			for k := 1; k <= b.Count; k++ {
				arrive(k)
			}
		})
	}
	return nil
}

// StartScheduled makes arrivals at the given times (seconds, e.g. booked
// admissions or elective surgery).
func StartScheduled(s *engine.Sim, times []float64, arrive func(n int)) error {
	for i, t := range times {
		if math.IsNaN(t) || t < s.Now() || i > 0 && t < times[i-1] {
			return fmt.Errorf("ops: scheduled arrival %d at %v s is in the past or out of order", i+1, t)
		}
		n := i + 1
		s.ScheduleAt(t, func() { arrive(n) })
	}
	return nil
}

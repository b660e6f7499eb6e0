package engine

import (
	"fmt"
	"math"
)

// EventRow is one entry of the event log (events.arrow): what happened, to which
// entity, at which resource, with a value whose meaning depends on the kind (the
// wait so far for renege and grant, the service time for release, the capacity
// for a capacity change).
type EventRow struct {
	Time     float64
	Kind     string
	Entity   int64
	Resource string
	Value    float64
}

// SeriesRow is one sample of a time series (timeseries.arrow). Entity is 0 for
// a model-wide series and the entity's id for a per-entity one (a patient's
// vitals).
type SeriesRow struct {
	Time   float64
	Series string
	Entity int64
	Value  float64
}

// Log appends a model event to the event log (always, whatever Options.Trace).
func (s *Sim) Log(kind string, entity int64, resource string, value float64) {
	s.log = append(s.log, EventRow{Time: s.now, Kind: kind, Entity: entity, Resource: resource, Value: value})
}

// Observe appends a sample to the time series named series.
func (s *Sim) Observe(series string, value float64) {
	s.series = append(s.series, SeriesRow{Time: s.now, Series: series, Value: value})
}

// ObserveEntity appends a sample of an entity's own series (a patient's vitals).
func (s *Sim) ObserveEntity(series string, entity int64, value float64) {
	s.series = append(s.series, SeriesRow{Time: s.now, Series: series, Entity: entity, Value: value})
}

// EventLog returns the event log of the replication so far.
func (s *Sim) EventLog() []EventRow { return s.log }

// Series returns the time-series samples of the replication so far.
func (s *Sim) Series() []SeriesRow { return s.series }

type sampler struct {
	s     *Sim
	every float64
	until float64
}

func (sm *sampler) Fire() {
	s := sm.s
	for _, r := range s.resources {
		s.series = append(s.series,
			SeriesRow{Time: s.now, Series: r.Name + ".in_use", Value: float64(r.inUse)},
			SeriesRow{Time: s.now, Series: r.Name + ".queue", Value: float64(r.queued())},
			SeriesRow{Time: s.now, Series: r.Name + ".capacity", Value: float64(r.capacity)})
	}
	for _, k := range s.kpis {
		if k.Kind == KindGauge {
			s.series = append(s.series, SeriesRow{Time: s.now, Series: k.Name, Value: k.gauge.Value()})
		}
	}
	if next := s.now + sm.every; next < sm.until {
		s.push(next, PriorityNormal+1, sm)
	}
}

// SampleEvery records, every dt seconds from now until before the given time
// (events at the horizon do not run, so neither does a sample there), the units
// in use, queue length and capacity of every resource and the value of every
// gauge KPI, as time series. Samples are taken after the other events of their
// instant.
func (s *Sim) SampleEvery(dt, until float64) error {
	if math.IsNaN(dt) || dt <= 0 || math.IsInf(dt, 0) {
		return fmt.Errorf("engine: SampleEvery: interval must be positive and finite, got %g", dt)
	}
	if math.IsInf(until, 1) || math.IsNaN(until) {
		return fmt.Errorf("engine: SampleEvery: needs a finite end time")
	}
	s.push(s.now, PriorityNormal+1, &sampler{s: s, every: dt, until: until})
	return nil
}

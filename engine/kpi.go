package engine

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/stats"
)

// KPIKind says how a KPI turns into one number per replication.
type KPIKind uint8

const (
	// KindTally: the mean of the observations recorded after warm-up (Record).
	KindTally KPIKind = iota
	// KindCounter: the number of occurrences after warm-up (Count).
	KindCounter
	// KindGauge: the time average of a piecewise-constant value after warm-up.
	KindGauge
	// KindValue: a value the model sets directly, e.g. at the end of the run.
	KindValue
)

func (k KPIKind) String() string {
	return [...]string{"tally", "counter", "gauge", "value"}[k]
}

// KPI is a named output of a replication. Get one with Sim.KPI and keep the
// handle in hot code; Sim.Record and friends look it up by name.
type KPI struct {
	Name  string
	Kind  KPIKind
	sim   *Sim
	tally stats.Tally
	count float64
	gauge stats.TimeWeighted
	value float64
}

// KPIValue is one KPI's value in one replication; N is the number of observations
// behind a tally (for other kinds, 1).
type KPIValue struct {
	Name  string
	Kind  KPIKind
	Value float64
	N     int64
}

// KPI returns the KPI with this name, creating it with the given kind. Asking for
// an existing name with another kind is a model error, returned as such.
func (s *Sim) KPI(name string, kind KPIKind) (*KPI, error) {
	if k := s.kpiNamed(name); k != nil {
		if k.Kind != kind {
			return nil, fmt.Errorf("engine: KPI %q is a %s, not a %s", name, k.Kind, kind)
		}
		return k, nil
	}
	if name == "" {
		return nil, fmt.Errorf("engine: KPI: empty name")
	}
	k := s.newKPI()
	*k = KPI{Name: name, Kind: kind, sim: s, value: math.NaN()}
	if kind == KindGauge {
		// a gauge is 0 until first set: its average runs from the start of the
		// statistics (0, or the end of warm-up), not from its first use
		k.gauge = stats.NewTimeWeighted(s.statsFrom, 0)
		k.gauge.Set(s.now, 0)
	}
	if s.kpis == nil {
		s.kpis = make([]*KPI, 0, kpiLinear)
	}
	s.kpis = append(s.kpis, k)
	switch {
	case s.kpiByName != nil:
		s.kpiByName[name] = k
	case len(s.kpis) > kpiLinear:
		s.kpiByName = make(map[string]*KPI, 2*len(s.kpis))
		for _, k := range s.kpis {
			s.kpiByName[k.Name] = k
		}
	}
	return k, nil
}

// kpiLinear is how many KPIs a Sim finds by name with a walk along its list;
// one with more makes a map. Most replications have a few KPIs, and making a
// map (and growing it) cost more than the walks.
const kpiLinear = 8

// kpiNamed returns the KPI named name, or nil.
func (s *Sim) kpiNamed(name string) *KPI {
	if s.kpiByName != nil {
		return s.kpiByName[name]
	}
	for _, k := range s.kpis {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// newKPI returns memory for a new KPI, from a block of KPIs allocated
// together (blocks of 4, 8, ... up to 64: one allocation for a few KPIs
// instead of one each). A KPI never moves: a full block is left as it is.
func (s *Sim) newKPI() *KPI {
	if len(s.kpiMem) == cap(s.kpiMem) {
		n := min(max(2*cap(s.kpiMem), 4), 64)
		s.kpiMem = make([]KPI, 0, n)
	}
	s.kpiMem = s.kpiMem[:len(s.kpiMem)+1]
	return &s.kpiMem[len(s.kpiMem)-1]
}

func (s *Sim) mustKPI(name string, kind KPIKind) *KPI {
	k, err := s.KPI(name, kind)
	if err != nil {
		s.Fail(err)
		return &KPI{Name: name, Kind: kind, sim: s}
	}
	return k
}

// Record adds an observation to the tally KPI name.
func (s *Sim) Record(name string, v float64) { s.mustKPI(name, KindTally).Add(v) }

// Count adds d to the counter KPI name.
func (s *Sim) Count(name string, d float64) { s.mustKPI(name, KindCounter).Add(d) }

// SetGauge sets the time-weighted KPI name to v from now on.
func (s *Sim) SetGauge(name string, v float64) { s.mustKPI(name, KindGauge).Set(v) }

// SetValue sets the value KPI name.
func (s *Sim) SetValue(name string, v float64) { s.mustKPI(name, KindValue).Set(v) }

// Add records an observation (tally) or adds to a counter or gauge.
func (k *KPI) Add(v float64) {
	switch k.Kind {
	case KindTally:
		k.tally.Add(v)
	case KindCounter:
		k.count += v
	case KindGauge:
		k.gauge.Add(k.sim.now, v)
	case KindValue:
		k.value = v
	}
}

// Set sets a gauge (from now on) or a value KPI.
func (k *KPI) Set(v float64) {
	switch k.Kind {
	case KindGauge:
		k.gauge.Set(k.sim.now, v)
	case KindValue:
		k.value = v
	default:
		k.Add(v)
	}
}

// Current returns the gauge's current value (or the running mean of a tally).
func (k *KPI) Current() float64 {
	switch k.Kind {
	case KindGauge:
		return k.gauge.Value()
	case KindTally:
		return k.tally.Mean()
	case KindCounter:
		return k.count
	}
	return k.value
}

// TimeAverage returns a gauge's time average from the start of the statistics
// (0 or the end of warm-up) to now.
func (k *KPI) TimeAverage() float64 { return k.gauge.Mean(k.sim.now) }

func (k *KPI) reset(now float64) {
	switch k.Kind {
	case KindTally:
		k.tally.Reset()
	case KindCounter:
		k.count = 0
	case KindGauge:
		k.gauge.Reset(now)
	}
}

func (k *KPI) result(now float64) KPIValue {
	v := KPIValue{Name: k.Name, Kind: k.Kind, N: 1}
	switch k.Kind {
	case KindTally:
		v.Value, v.N = k.tally.Mean(), k.tally.N()
	case KindCounter:
		v.Value = k.count
	case KindGauge:
		v.Value = k.gauge.Mean(now)
	case KindValue:
		v.Value = k.value
	}
	return v
}

// Results collects the replication's KPIs (in the order they were created, then
// the resources' statistics) after running the finalizers.
func (s *Sim) Results() []KPIValue {
	for _, f := range s.onFinalize {
		f()
	}
	s.onFinalize = nil
	out := make([]KPIValue, 0, len(s.kpis)+len(resourceKPISuffixes)*len(s.resources)+1)
	for _, k := range s.kpis {
		out = append(out, k.result(s.now))
	}
	for _, r := range s.resources {
		out = r.appendResults(out)
	}
	out = append(out, KPIValue{Name: "in_system_end", Kind: KindValue, Value: float64(s.live), N: 1})
	return out
}

// CompleteCounters returns reps with every counter KPI that appears in any of
// them present in each: a counter never incremented in a replication has no
// value there (Lua's sim:count creates it on first use), and its count is 0,
// not missing. The filled values are appended after the replication's own
// KPIs, in order of first appearance; reps itself is not modified. Summaries
// and the planning verbs use it, so that a counter's mean is not biased
// towards the replications where it happened. Tallies, gauges and values are
// left as they are: a mean of no observations is undefined.
func CompleteCounters(reps []RepResult) []RepResult {
	var names []string
	seen := map[string]bool{}
	for _, r := range reps {
		for _, k := range r.KPIs {
			if k.Kind == KindCounter && !seen[k.Name] {
				seen[k.Name] = true
				names = append(names, k.Name)
			}
		}
	}
	if len(names) == 0 {
		return reps
	}
	out := make([]RepResult, len(reps))
	for i, r := range reps {
		out[i] = r
		// a replication usually reports every counter: only one that does
		// not gets a copy of its KPIs
		present := 0 // every counter's name is in seen: count them, without looking up
		for _, k := range r.KPIs {
			if k.Kind == KindCounter {
				present++
			}
		}
		if present == len(names) {
			continue
		}
		has := make(map[string]bool, len(r.KPIs))
		for _, k := range r.KPIs {
			has[k.Name] = true
		}
		var add []KPIValue
		for _, n := range names {
			if !has[n] {
				add = append(add, KPIValue{Name: n, Kind: KindCounter, N: 1})
			}
		}
		if len(add) > 0 {
			out[i].KPIs = append(append(make([]KPIValue, 0, len(r.KPIs)+len(add)), r.KPIs...), add...)
		}
	}
	return out
}

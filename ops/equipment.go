package ops

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
)

// Equipment is a set of identical machines (CT scanners, X-ray rooms, lab
// analysers) that fail and get repaired and maintained. Each unit fails after an
// exponential time with mean MTBF from the end of its last repair, and is
// repaired in a log-normal time with median MTTR (spread RepairSigma on the log
// scale): an alternating renewal process whose long-run availability is
// MTBF/(MTBF + mean repair time). A failure takes the unit at once, preempting
// the patient on it (who resumes or restarts per Mode). Preventive maintenance
// takes one unit at the given times of day for Minutes, either at once
// (Preempt) or after the current scan.
type Equipment struct {
	Name        string
	Units       int
	MTBFHours   float64
	MTTRHours   float64
	RepairSigma float64
	Mode        engine.PreemptMode
	Maintenance []Maintenance
}

// Maintenance is a daily preventive maintenance window.
type Maintenance struct {
	AtHour  float64
	Minutes float64
	Preempt bool
}

// EquipmentPriority is the priority of failures and maintenance on the
// equipment's queue: ahead of every patient.
const EquipmentPriority = -1000

// Apply creates the equipment's resource and starts its failure, repair and
// maintenance processes. Downtime is reported as <name>.downtime_h and
// <name>.availability.
func (e Equipment) Apply(s *engine.Sim) (*engine.Resource, error) {
	if e.Units < 1 {
		return nil, fmt.Errorf("ops: equipment %s: units must be >= 1, got %d", e.Name, e.Units)
	}
	if e.MTBFHours < 0 || e.MTTRHours < 0 || math.IsNaN(e.MTBFHours+e.MTTRHours) {
		return nil, fmt.Errorf("ops: equipment %s: MTBF and MTTR must be >= 0 hours (0: never fails)", e.Name)
	}
	r, err := s.NewResource(e.Name, e.Units)
	if err != nil {
		return nil, err
	}
	r.Mode = e.Mode
	down, _ := s.KPI(e.Name+".down_units", engine.KindGauge)
	failures, _ := s.KPI(e.Name+".failures", engine.KindCounter)
	if e.MTBFHours > 0 {
		for u := 0; u < e.Units; u++ {
			st := s.EntityRNG(e.Name+".failures", uint64(u))
			e.unitLife(s, r, st, down, failures)
		}
	}
	for i, m := range e.Maintenance {
		if m.AtHour < 0 || m.AtHour >= 24 || !(m.Minutes > 0) {
			return nil, fmt.Errorf("ops: equipment %s, maintenance %d: want 0 <= at < 24 h and minutes > 0", e.Name, i+1)
		}
		m := m
		var window func()
		window = func() {
			s.Process(e.Name+".maintenance", func(p *engine.Proc) {
				q, err := p.RequestWith(r, engine.RequestOpts{Priority: EquipmentPriority, Preempt: m.Preempt})
				if err != nil {
					return
				}
				down.Add(1)
				p.Timeout(m.Minutes * 60)
				down.Add(-1)
				p.Release(q)
			})
			s.Schedule(86400, window)
		}
		s.ScheduleAt(m.AtHour*3600, window)
	}
	s.OnFinalize(func() {
		k, _ := s.KPI(e.Name+".availability", engine.KindValue)
		k.Set(1 - down.TimeAverage()/float64(e.Units))
		h, _ := s.KPI(e.Name+".downtime_h", engine.KindValue)
		h.Set(down.TimeAverage() * (s.Now() - s.StatsFrom()) / 3600)
	})
	return r, nil
}

// unitLife runs one unit's cycle: up for Exp(MTBF), then down for the repair.
func (e Equipment) unitLife(s *engine.Sim, r *engine.Resource, st *rng.Stream, down, failures *engine.KPI) {
	s.Process(e.Name+".unit", func(p *engine.Proc) {
		for {
			if p.Timeout(st.Exp(1/(e.MTBFHours*3600))) != nil {
				return
			}
			failures.Add(1)
			q, err := p.RequestWith(r, engine.RequestOpts{Priority: EquipmentPriority, Preempt: true})
			if err != nil {
				return
			}
			down.Add(1)
			repair := e.MTTRHours * 3600
			if e.RepairSigma > 0 {
				repair = st.LogNormal(math.Log(repair), e.RepairSigma)
			}
			p.Timeout(repair)
			down.Add(-1)
			p.Release(q)
		}
	})
}

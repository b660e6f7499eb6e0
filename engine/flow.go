package engine

import "math"

// FlowRow is one entity's passage through the model (one row of flow.arrow),
// in the manner of simmer's get_mon_arrivals: when it arrived and left, and, for
// a hospital patient, its acuity, the intervals a department is judged by and
// how it left. Times are seconds; an interval that does not apply is NaN.
type FlowRow struct {
	Entity      int64
	Source      string  // the process or arrival stream that made the entity ("patient")
	Arrival     float64 // simulation time of arrival
	End         float64 // simulation time of departure
	Acuity      int32   // triage level (ESI 1–5); 0 if none
	DoorTriage  float64 // arrival to end of triage
	DoorDoctor  float64 // arrival to the start of the physician's assessment
	Disposition string  // discharged, admitted_ward, admitted_icu, left_unseen, diverted, left, in_system (End NaN), or a model's own
	Boarding    float64 // admitted patients: decision to admit until the inpatient bed
	Wait        float64 // total time spent waiting in resource queues (NaN if not tracked)
}

// NoTime marks an interval of a FlowRow that does not apply (NaN).
var NoTime = math.NaN()

// Flow records an entity's passage. Entities that arrived before the end of
// warm-up are not recorded, as KPIs are not; End is set to now when zero.
func (s *Sim) Flow(r FlowRow) {
	if r.Arrival < s.warmup {
		return
	}
	if r.End == 0 {
		r.End = s.now
	}
	s.flow = append(s.flow, r)
}

// FlowLog returns the flow rows of the replication so far, in the order the
// entities left.
func (s *Sim) FlowLog() []FlowRow { return s.flow }

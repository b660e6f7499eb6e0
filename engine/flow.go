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

// WaitRow is one request an entity made of a resource (one row of
// waits.arrow), in the manner of simmer's get_mon_arrivals(per_resource =
// TRUE): when it asked, when it was granted and gave the unit back, how long
// it waited and how the request ended. Times are seconds; one that did not
// happen is NaN.
type WaitRow struct {
	Entity   int64
	Source   string  // as the entity's FlowRow
	Resource string  // the resource's name
	Request  float64 // when the request joined the resource
	Grant    float64 // when it was first granted; NaN if never
	Release  float64 // when it gave the unit back (released, cancelled or preempted); NaN if it never did
	// Wait is Grant - Request; for a request never granted, the time from the
	// request until it left the queue (reneged, cancelled) or, still queued,
	// until the row was written (the horizon for an entity still in the
	// system: a censored wait)
	Wait    float64
	Outcome string // released, held, preempted, cancelled, reneged, balked, blocked, queued
}

// Waits records the per-resource waits of an entity that arrived at arrival,
// in the order it made its requests. Like Flow, it records nothing for an
// entity that arrived before the end of warm-up.
func (s *Sim) Waits(arrival float64, rows []WaitRow) {
	if arrival < s.warmup {
		return
	}
	s.waits = append(s.waits, rows...)
}

// FlowLog returns the flow rows of the replication so far, in the order the
// entities left.
func (s *Sim) FlowLog() []FlowRow { return s.flow }

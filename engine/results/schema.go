package results

import "github.com/apache/arrow-go/v18/arrow"

var (
	i32 = arrow.PrimitiveTypes.Int32
	i64 = arrow.PrimitiveTypes.Int64
	f64 = arrow.PrimitiveTypes.Float64
	str = arrow.BinaryTypes.String
)

// Tables lists the tables of a run's directory, by file name, with their
// columns (catalog.go documents them for `medtwin doc schemas`).
var Tables = map[string][]Column{
	"events.arrow":     EventColumns,
	"timeseries.arrow": SeriesColumns,
	"kpis.arrow":       KPIColumns,
	"summary.arrow":    SummaryColumns,
	"flow.arrow":       FlowColumns,
	"waits.arrow":      WaitColumns,
}

// EventColumns is the schema of events.arrow: one row per logged event.
var EventColumns = []Column{
	{"replication", i32, "replication index (0-based)"},
	{"time_s", f64, "simulation time of the event, seconds from the start"},
	{"kind", str, "arrive, grant, release, renege, balk, block, preempt, cancel, capacity, or a model's own kind"},
	{"entity", i64, "entity (process or request) id; 0 for a resource-level event"},
	{"resource", str, "resource name, empty if none"},
	{"value", f64, "wait so far (grant, renege), service time (release), new capacity (capacity), or the model's value"},
}

// SeriesColumns is the schema of timeseries.arrow: sampled values over time.
var SeriesColumns = []Column{
	{"replication", i32, "replication index"},
	{"time_s", f64, "sample time, seconds"},
	{"series", str, "series name, e.g. beds.in_use, beds.queue, beds.capacity, a gauge, or a patient's vital"},
	{"entity", i64, "the patient (entity) of a per-entity series; 0 otherwise"},
	{"value", f64, "sampled value"},
}

// KPIColumns is the schema of kpis.arrow: one row per replication and KPI.
var KPIColumns = []Column{
	{"replication", i32, "replication index"},
	{"kpi", str, "KPI name; units in the name where not a count (wait_mean_s)"},
	{"kind", str, "tally (mean of observations), counter, gauge (time average) or value"},
	{"value", f64, "the KPI's value in this replication (NaN if it had no observation)"},
	{"n", i64, "observations behind a tally; 1 otherwise"},
}

// SummaryColumns is the schema of summary.arrow: one row per KPI across
// replications.
var SummaryColumns = []Column{
	{"kpi", str, "KPI name"},
	{"kind", str, "as in kpis.arrow"},
	{"replications", i32, "replications with a value"},
	{"mean", f64, "mean across replications"},
	{"sd", f64, "sample standard deviation across replications"},
	{"ci_low", f64, "lower end of the confidence interval (Student t)"},
	{"ci_high", f64, "upper end of the confidence interval"},
	{"half_width", f64, "half-width of the interval"},
	{"level", f64, "confidence level, 0.95"},
}

// FlowColumns is the schema of flow.arrow: one row per entity (patient) that
// left the model before the horizon, in the order they left (simmer's
// get_mon_arrivals), then those still in the system at the horizon
// (disposition in_system, end_s NaN). Intervals that do not apply are NaN.
var FlowColumns = []Column{
	{"replication", i32, "replication index"},
	{"entity", i64, "entity (patient) id"},
	{"source", str, "what made the entity, e.g. patient"},
	{"arrival_s", f64, "arrival time, seconds from the start"},
	{"end_s", f64, "departure time, seconds from the start (NaN: still in the system at the horizon)"},
	{"acuity", i32, "triage level (ESI 1-5); 0 if none"},
	{"door_to_triage_s", f64, "arrival to the end of triage, seconds"},
	{"door_to_doctor_s", f64, "arrival to the start of the physician's assessment, seconds"},
	{"disposition", str, "discharged, admitted_ward, admitted_icu, left_unseen, diverted, left; done or reneged (auto_flow); in_system (still there at the horizon); or a model's own"},
	{"los_s", f64, "length of stay (end_s - arrival_s), seconds"},
	{"boarding_s", f64, "admitted: decision to admit until the inpatient bed, seconds"},
	{"wait_s", f64, "total time waiting in resource queues, seconds (NaN if not tracked); with auto_flow the sum of the entity's wait_s in waits.arrow"},
}

// WaitColumns is the schema of waits.arrow: one row per request that an
// entity tracked by auto_flow made of a resource (simmer's
// get_mon_arrivals(per_resource = TRUE)), entity by entity in the order of
// flow.arrow, each entity's requests in the order it made them. Times that
// did not happen are NaN.
var WaitColumns = []Column{
	{"replication", i32, "replication index"},
	{"entity", i64, "entity id, as in flow.arrow"},
	{"source", str, "what made the entity, as in flow.arrow"},
	{"resource", str, "the resource requested"},
	{"request_s", f64, "when the request joined the resource, seconds from the start"},
	{"grant_s", f64, "when it was first granted a unit, seconds (NaN if never)"},
	{"release_s", f64, "when it gave the unit back (released, cancelled or preempted), seconds (NaN if it never did)"},
	{"wait_s", f64, "grant_s - request_s; never granted: until it left the queue (reneged, cancelled) or, still queued, the horizon (censored), seconds"},
	{"outcome", str, "released, held (still held when the entity ended or at the horizon), preempted, cancelled, reneged, balked (balk_at: chose not to queue), blocked (wait = false on a busy resource) or queued (still waiting at the horizon); balked and blocked wait 0"},
}

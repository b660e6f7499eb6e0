// Package trial runs in-silico trials: a virtual population, a model giving
// each subject's typical parameters from its covariates, inter-individual
// variability, arms (dosing records fixed or a function of the subject,
// optionally adapted to measured levels), a sampling schedule with residual
// error, endpoints and a target. Every subject is simulated in every arm (a
// paired virtual design); replicate parallel-group trials cut from the cohort
// give the power of each arm against the first.
//
// A trial is a Go value (Spec) whose behaviour is in function fields; the Lua
// host (scripts.LoadTrial) translates a Lua spec into one and the CLI
// (`medtwin trial`) only parses flags and prints. Spec.Validate holds every
// check of a spec. Randomness comes from named engine/rng streams: covariates
// per subject, one η stream per subject and parameter ("eta:<param>"),
// residual error per subject and arm, so that results do not depend on the
// number of workers, on the range a subject is run in, or on which other
// parameters have variability.
//
// The per-subject results are written to subjects.arrow (Columns) and
// timeseries.arrow (SeriesColumns); per-arm KPIs to kpis.arrow (WriteKPIs).
package trial

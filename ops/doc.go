// Package ops is medtwin's hospital operations library: the pieces every
// emergency-department and ICU study builds by hand in SimPy or simmer —
// non-homogeneous arrivals, acuity-driven pathways, triage, treatment spaces,
// staff rosters with breaks, equipment that fails and is maintained, leaving
// without being seen, diversion, boarding and inpatient stays — built on the
// engine and collecting the usual KPIs without extra code.
//
// Time is in seconds, as in the engine; tables by hour of day have 24 entries
// (hour 0 is midnight to 1 am) and by day of week 7 (day 0 is the first day of
// the simulation).
package ops

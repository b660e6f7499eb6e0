// Package fit makes a patient's model learn from that patient's data: NONMEM
// (NM-TRAN) style data sets, a statistical model on top of a structural model
// (typical values, covariate relations, η with a full Ω, residual error, BLQ
// by Beal's M3 method), maximum a posteriori (MAP) individual estimates with
// their posterior covariance (NONMEM's POSTHOC step, mapbayr's MAP), η-shrinkage,
// and dose recommendation with the posterior probability of attaining a target.
//
// The structural model is an interface (Structure: parameters by name, dose
// records and times in, predictions out), so that any model can be fitted: the
// linear and Michaelis–Menten compartmental models of physio/pk today (PK), a
// model written in a model language later.
//
// Units follow physio/pk: hours, mg, L, mg/L.
package fit

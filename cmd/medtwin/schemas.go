package main

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/trial"
)

// The tables the verbs of this package write, documented for `medtwin doc
// schemas`; TestDocSchemasMatchWrittenFiles compares each with a file the verb
// wrote. Tables whose columns depend on the input (a trial's covariates, a
// fit's η) name those columns with a placeholder.
func init() {
	f64, i32, i64 := arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64
	str, b := arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean
	for _, t := range []results.TableDoc{
		{File: "timeseries.arrow", Writers: "trial (with timeseries)", Doc: "one row per subject, arm and time, in that order", Columns: trial.SeriesColumns},
		{File: "subjects.arrow", Writers: "trial", Doc: "one row per subject and arm, in subject then arm order", Columns: []results.Column{
			{Name: "subject", Type: i64, Doc: "subject index (0-based; with the seed, it fixes the subject's streams)"},
			{Name: "arm", Type: str, Doc: "arm name"},
			{Name: "<covariate>", Type: f64, Doc: "one per covariate in the spec's order, then crcl_ml_min (Cockcroft-Gault; NaN without age, weight, creatinine and sex)"},
			{Name: "<parameter>", Type: f64, Doc: "the subject's parameters after IIV: ka, cl, v1, q2, v2, q3, v3, vmax, km (h⁻¹, L/h, L, mg/h, mg/L); e0, emax, ec50, hill, ke0 with an endpoint on the effect; irm, kin, kout, rmax, r50 with one on the response; a model-language model's own"},
			{Name: "<endpoint>", Type: f64, Doc: "one per endpoint in name order: mg·h/L for auc, mg/L for cmax/cmin/conc, h for time_above"},
			{Name: "obs_<t>h_mg_l", Type: f64, Doc: "the level measured at each sampling time, with residual error (may be negative without sampling.lloq); below sampling.lloq as its blq rule reports it: the LLOQ (flag), LLOQ/2 (lloq/2) or null (drop)"},
			{Name: "blq_<t>h", Type: b, Doc: "with sampling.lloq only: the level at each sampling time was below the LLOQ (Beal 2001, M3/M5/M1)"},
			{Name: "total_dose_mg", Type: f64, Doc: "mg given up to the last endpoint or sampling time, after any adaptation"},
			{Name: "target_met", Type: b, Doc: "the target endpoint within [min, max]"},
		}},
		{File: "individual.arrow", Writers: "fit", Doc: "one row per subject; metadata adds medtwin.shrinkage.<eta> and medtwin.ofv", Columns: []results.Column{
			{Name: "id", Type: str, Doc: "the data set's ID"},
			{Name: "<eta>", Type: f64, Doc: "the MAP η̂ of each η, named as in the spec (eta_cl)"},
			{Name: "sd_<eta>", Type: f64, Doc: "posterior SD of each η (Laplace); null when the Hessian is not positive definite"},
			{Name: "<parameter>", Type: f64, Doc: "each model parameter at η̂ (cl, v1, ka, f, alag, ...; L/h, L, 1/h)"},
			{Name: "objective", Type: f64, Doc: "the MAP objective at η̂ (−2 log posterior, no constants)"},
			{Name: "ofv", Type: f64, Doc: "objective + log det Ω + log det(H/2): −2 log of the Laplace marginal likelihood"},
			{Name: "grad_norm", Type: f64, Doc: "gradient norm at η̂"},
			{Name: "converged", Type: b, Doc: "gradient norm below 1e-5"},
			{Name: "warning", Type: str, Doc: "a non-convergence or singular Hessian, in words"},
		}},
		{File: "records.arrow", Writers: "fit", Doc: "one row per data-set record", Columns: []results.Column{
			{Name: "id", Type: str, Doc: "the data set's ID"},
			{Name: "row", Type: i32, Doc: "the record's line in the CSV"},
			{Name: "time_h", Type: f64, Doc: "TIME"},
			{Name: "evid", Type: i32, Doc: "EVID"},
			{Name: "mdv", Type: b, Doc: "MDV (true for every non-observation)"},
			{Name: "dv", Type: f64, Doc: "the observation; null where none or BLQ"},
			{Name: "blq", Type: b, Doc: "below the LLOQ (M3)"},
			{Name: "pred", Type: f64, Doc: "population prediction (η = 0), mg/L"},
			{Name: "ipred", Type: f64, Doc: "individual prediction (η̂), mg/L"},
			{Name: "iwres", Type: f64, Doc: "(DV − IPRED)/SD (log scale under exponential error); null where none"},
			{Name: "cpred?", Type: f64, Doc: "--method foce-i|saem only: the FOCE population prediction f(η̂) − G·η̂"},
			{Name: "cwres?", Type: f64, Doc: "--method foce-i|saem only: conditional weighted residual (Hooker et al. 2007)"},
			{Name: "npde?", Type: f64, Doc: "--method foce-i|saem only: normalised prediction distribution error (Brendel et al. 2006)"},
		}},
		{File: "patients.arrow", Writers: "fhir import", Doc: "one row per imported patient, de-identified by HIPAA Safe Harbor (metadata medtwin.deidentification); a trial reads the float64 columns as covariates", Columns: []results.Column{
			{Name: "pseudonym", Type: str, Doc: "HMAC-SHA256 of the Patient id under your key, 32 hex digits"},
			{Name: "zip3", Type: str, Doc: "first three digits of the ZIP code; 000 for the restricted areas of the HHS guidance or none"},
			{Name: "conditions_snomed", Type: str, Doc: "active conditions, SNOMED CT codes separated by ;"},
			{Name: "medications_rxnorm", Type: str, Doc: "active medication requests, RxNorm codes separated by ;"},
			{Name: "age_y", Type: f64, Doc: "whole years at the latest clinical date; 90 for 90 and over"},
			{Name: "female", Type: f64, Doc: "1 female, 0 male"},
			{Name: "weight_kg", Type: f64, Doc: "latest value (LOINC 29463-7); missing: the same-sex median (reported)"},
			{Name: "height_cm", Type: f64, Doc: "latest value (LOINC 8302-2); missing: the same-sex median"},
			{Name: "scr_mg_dl", Type: f64, Doc: "latest serum creatinine (LOINC 2160-0 or 38483-4); missing: the same-sex median"},
			{Name: "crcl_ml_min", Type: f64, Doc: "Cockcroft-Gault"},
			{Name: "active_conditions", Type: f64, Doc: "count"},
			{Name: "ed_visits", Type: f64, Doc: "count of emergency encounters"},
		}},
		{File: "encounters.arrow", Writers: "fhir import --encounters", Doc: "one row per encounter of an imported patient", Columns: []results.Column{
			{Name: "pseudonym", Type: str, Doc: "as in patients.arrow"},
			{Name: "class", Type: str, Doc: "FHIR v3 ActCode of Encounter.class: AMB, EMER, IMP, ..."},
			{Name: "start_shifted", Type: str, Doc: "RFC 3339, UTC, moved by the patient's keyed offset of whole days"},
			{Name: "end_shifted", Type: str, Doc: "likewise; empty when open"},
			{Name: "los_h", Type: f64, Doc: "length of stay in hours (NaN when open)"},
		}},
		{File: "validation.arrow", Writers: "validate", Doc: "one row per KPI compared with the observed visits", Columns: validationColumns},
		{File: "drift.arrow", Writers: "validate", Doc: "one row per --window and KPI", Columns: driftColumns},
	} {
		results.Document(t)
	}
}

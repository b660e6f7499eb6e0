package trial

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/pk"
)

// Bounds on a spec (Validate): a typo like auc = {0, 1e9} or a billion
// subjects is an error, not an exhausted machine.
const (
	MaxGridPoints = 10_000_000  // grid points per subject (horizon / Grid)
	MaxSubjects   = 100_000_000 // subjects per run; more with sharding
)

// Spec is an in-silico trial. The zero values of the optional fields mean
// "none". A Spec is read, never changed, by Run; its functions are called
// from one goroutine, one subject after another in subject order, then arm
// order. One Spec's Runs must not overlap when its functions share state (a
// Lua spec's do: one sandbox per Run, see Open).
type Spec struct {
	Name, Description string
	// Path names the spec's file in run-time errors and in the provenance of
	// the outputs (its base name); SHA256 is the file's hash (provenance).
	Path, SHA256 string
	// Where prefixes errors about the spec itself (e.g. "trial.lua:12").
	Where string

	Subjects int    // 1..MaxSubjects
	Seed     uint64 // of every random stream

	// The population: covariate distributions, or Patients (imported rows);
	// neither: no covariates, subjects differ by their IIV alone.
	// Exactly one of them is set.
	Population *cohort.Population
	Patients   *Patients

	// Typical returns the subject's typical parameters. With a pk model
	// (Lang == nil) it is required and returns the pk.Model parameters by
	// lower-case name: ncmt (1..3), ka, cl, v1, q2, v2, q3, v3, f, alag,
	// vmax, km, and, when an endpoint is on the effect or the response, the
	// effect (e0, emax, ec50, hill, ke0) and indirect-response ones (irm,
	// kin, kout, rmax, r50). With a model-language model it is optional and
	// overrides the model's default parameter values.
	Typical func(s Subject) (map[string]float64, error)
	// IIV is the standard deviation of η (log scale) by parameter of a pk
	// model: the subject's value is typical·exp(η). (A model-language model
	// has its own, in Lang.)
	IIV map[string]float64
	// Lang, when set, is the model in the model language.
	Lang *LangModel

	Arms []Arm

	SampleTimes []float64   // h; each subject's levels, with Residual error
	Residual    pk.Residual // on the samples and the levels adapt sees
	// Quantification, when LLOQ > 0, censors the samples and the levels
	// adapt sees below the limit (subjects.arrow then has blq_<t>h columns).
	Quantification Quantification
	Endpoints      []Endpoint
	Target         Target // Endpoint == "": no target
	// Grid is the step (h) of the concentration grid endpoints are computed
	// on: each subject's curve at 0, Grid, 2·Grid, ... up to the last
	// endpoint or sampling time (horizon), plus a point just before each
	// dose so that no trapezoid spans a bolus. AUC is the trapezoidal rule
	// on it (error about Grid²/12·|C''| per hour), Cmax/Cmin its extreme
	// points in the window, conc, time above and the samples are
	// interpolated linearly (cohort.Endpoint.Eval). At most MaxGridPoints
	// per subject; the Lua default is 0.05 h.
	Grid float64
	// Replicates, when N > 0, cuts the virtual cohort into replicate
	// parallel-group trials of N subjects per arm for power (see Power).
	Replicates Replicates
	// Series, when Every > 0, keeps each of the first Subjects subjects'
	// concentration every Every hours up to Until (timeseries.arrow).
	Series Series
	// Runner simulates the subjects' PK (nil: the CPU backend). A GPU
	// backend registers itself in physio/cohort (plugins/cuda).
	Runner cohort.JobRunner
	// Sources, when set, are extra provenance entries of the outputs (the
	// medtwin.params of subjects.arrow, timeseries.arrow and kpis.arrow; see
	// Provenance and WriteKPIs): where the spec's inputs came from, e.g. the
	// fits a Lua spec's fit("DIR") read (fit_1_dir, fit_1_method, ...). The
	// keys "subjects" and "replicate_n" are the trial's own.
	Sources map[string]string
	// Open, when set, is called at the start of each Run with the number of
	// subject-arms it will simulate, before any function of the spec; the
	// functions may rely on what it prepares until the returned close is
	// called at the end of the Run. The Lua host evaluates the spec in a
	// fresh, time-bounded sandbox there.
	Open func(ctx context.Context, subjectArms int) (close func(), err error)
}

// Subject is what a spec's functions see of one subject.
type Subject struct {
	ID int
	// Names are the covariate names (Spec.CovariateNames), Values their
	// values; the derived crcl_ml_min is NaN when the population lacks
	// age_y, weight_kg or scr_mg_dl.
	Names  []string
	Values []float64
}

// Covariate returns the subject's covariate name and whether it has it.
func (s Subject) Covariate(name string) (float64, bool) {
	for i, n := range s.Names {
		if n == name {
			return s.Values[i], !math.IsNaN(s.Values[i])
		}
	}
	return 0, false
}

// Arm is one dosing strategy.
type Arm struct {
	Name string
	// Doses returns the subject's dosing records (NONMEM style, times in h).
	Doses func(s Subject) ([]pk.Dose, error)
	// Adapt, when set, adjusts the regimen to measured levels (therapeutic
	// drug monitoring). Not with a model-language model.
	Adapt *Adapt
}

// Adapt is an arm's dose adjustment. At each time in At (h, ascending,
// >= 0), Fn sees the subject, the levels measured up to t (the sampling
// times <= t, with residual error: the same draws reported in the subject's
// samples), t and what else it may need (AdaptInfo: the arm, the doses given
// before t), and returns nil to keep the regimen, or dosing records, all at
// or after t, that replace every dose from t on (an empty, non-nil slice
// stops dosing). Any adjustment rule fits this signature: a table lookup, a
// proportional rule, a Bayesian (MAP) fit of the doses given and the levels.
type Adapt struct {
	At []float64
	Fn func(s Subject, levels []Level, t float64, info AdaptInfo) ([]pk.Dose, error)
}

// AdaptInfo is what an adjustment at time t knows besides the subject and
// the levels.
type AdaptInfo struct {
	// Arm is the arm's index in Spec.Arms.
	Arm int
	// Given are the administrations of the current regimen before t, ADDL
	// expanded (one record per administration, Addl and II zero, except that
	// a steady-state record's first keeps its SS and II), in time order;
	// Source names the arm.
	Given []pk.Dose
}

// Level is a measured concentration (mg/L) at Time (h), as the assay
// reports it (Spec.Quantification): BLQ when it was below the limit.
type Level struct {
	Time, DV float64
	BLQ      bool
}

// Endpoint is a cohort endpoint on a quantity: Of is "" or "conc" (the
// concentration), "effect" (the Emax effect of a pk model's e0, emax, ec50,
// hill; through an effect compartment when ke0 > 0), "response" (its
// indirect response: irm, kin, kout, rmax, r50), or, for a model-language
// model, any state, output or assigned quantity of the model.
type Endpoint struct {
	cohort.Endpoint
	Of string
}

// of is the quantity the endpoint is on ("conc" for "").
func (e Endpoint) of() string {
	if e.Of == "" {
		return "conc"
	}
	return e.Of
}

// Target is the range of one endpoint a subject should reach.
type Target struct {
	Endpoint string
	Min, Max float64
}

// Replicates asks for power: replicate parallel-group trials of N subjects
// per arm, each arm's attainment compared with the first arm's at Alpha.
type Replicates struct {
	N     int
	Alpha float64
}

// Series asks for concentration curves: every Every hours from 0 to Until
// (0: the last endpoint or sampling time) for the first Subjects subjects.
type Series struct {
	Every, Until float64
	Subjects     int
}

// Patients is an imported cohort: one row of covariates (Names) per patient.
// Subject i is row i, or with Resample a row drawn from the subject's own
// stream, so that a cohort larger than the file can be built.
type Patients struct {
	Names    []string
	Rows     [][]float64
	Resample bool
}

// The parameters a pk model's Typical may return: PK ones always, effect ones
// when an endpoint is on the effect (ke0 > 0 puts an effect compartment in
// front of the Emax model, 0 is a direct effect), indirect-response ones when
// one is on the response (irm: Dayneka's type 1–4; rmax: Imax or Emax; r50:
// IC50 or EC50). Only these may have IIV.
var (
	pkParams       = []string{"ka", "cl", "v1", "q2", "v2", "q3", "v3", "vmax", "km"}
	effectParams   = []string{"e0", "emax", "ec50", "hill", "ke0"}
	responseParams = []string{"irm", "kin", "kout", "rmax", "r50"}
)

// Validate checks the spec: every check of a trial is here, whether the spec
// comes from Lua, from Go or from flags that override its subjects and seed.
// Errors start with Where.
func (s *Spec) Validate() error {
	fail := func(format string, a ...any) error {
		if s.Where == "" {
			return fmt.Errorf("trial: "+format, a...)
		}
		return fmt.Errorf("%s: %s", s.Where, fmt.Sprintf(format, a...))
	}
	if s.Name == "" {
		return fail("the trial needs a name")
	}
	if s.Subjects < 1 || s.Subjects > MaxSubjects {
		return fail("subjects must be at least 1 and at most %d per run (use --shard for more), got %d", MaxSubjects, s.Subjects)
	}
	if !(s.Grid > 0) || math.IsInf(s.Grid, 0) {
		return fail("grid must be > 0 h, got %v", s.Grid)
	}
	switch {
	case s.Population != nil && s.Patients != nil:
		return fail("population: give either covariate distributions or imported patients, not both")
	case s.Population == nil && s.Patients == nil:
		// no covariates: subjects differ by their IIV alone
	case s.Patients != nil:
		if len(s.Patients.Rows) == 0 {
			return fail("population.patients has no patients")
		}
		if !s.Patients.Resample && s.Subjects > len(s.Patients.Rows) {
			return fail("population.patients has %d patients and the trial asks for %d subjects; set resample = true to draw patients with replacement", len(s.Patients.Rows), s.Subjects)
		}
	default:
		if err := s.Population.Validate(); err != nil {
			return fail("%v", err)
		}
	}
	if s.Lang == nil && s.Typical == nil {
		return fail("the trial needs a model: typical pk parameters of the subject, or a model-language model")
	}
	if err := s.validateIIV(fail); err != nil {
		return err
	}
	for _, k := range []string{"subjects", "replicate_n"} {
		if _, ok := s.Sources[k]; ok {
			return fail("Sources has %q, a provenance entry of the trial's own", k)
		}
	}
	if len(s.Arms) == 0 {
		return fail("the trial needs arms")
	}
	for i, a := range s.Arms {
		if a.Name == "" || a.Doses == nil {
			return fail("arm %d needs a name and doses (records or a function of the subject)", i+1)
		}
		if a.Adapt == nil {
			continue
		}
		if s.Lang != nil {
			return fail("arm %d: adapt is not supported with a model-language model yet", i+1)
		}
		if a.Adapt.Fn == nil {
			return fail("arm %d adapt needs fn = function(s, levels, t, ctx) ... end", i+1)
		}
		if at := a.Adapt.At; len(at) == 0 || !sort.Float64sAreSorted(at) || at[0] < 0 {
			return fail("arm %d adapt.at must list the adjustment times (h, ascending, >= 0)", i+1)
		}
	}
	if err := s.Quantification.validate(); err != nil {
		return fail("%v", err)
	}
	names := make([]string, len(s.Endpoints))
	for k, e := range s.Endpoints {
		names[k] = e.Name
		if err := s.checkOf(e); err != nil {
			return fail("endpoint %s: %v", e.Name, err)
		}
		if err := e.Endpoint.Validate(); err != nil {
			return fail("%v", err)
		}
	}
	end := s.horizon()
	if pts := end / s.Grid; pts > MaxGridPoints || math.IsNaN(pts) {
		return fail("endpoints and sampling reach %g h: on the %g h grid that is %.3g points per subject, more than %d; raise grid", end, s.Grid, pts, MaxGridPoints)
	}
	if s.Target.Endpoint != "" {
		found := false
		for _, n := range names {
			found = found || n == s.Target.Endpoint
		}
		if !found {
			return fail("target.endpoint %q is not an endpoint (endpoints: %s)", s.Target.Endpoint, strings.Join(names, ", "))
		}
	}
	if sr := s.Series; sr != (Series{}) {
		if !(sr.Every > 0) || sr.Until < 0 || sr.Subjects < 0 || math.Max(sr.Until, end)/sr.Every > MaxGridPoints {
			return fail("timeseries needs every > 0 h (the grid step, %g h, for the full curve), to >= 0 h, subjects >= 0 and at most %d points", s.Grid, MaxGridPoints)
		}
	}
	if r := s.Replicates; r != (Replicates{}) {
		if r.N < 1 || !(r.Alpha > 0 && r.Alpha < 1) {
			return fail("replicates needs n >= 1 subjects per arm and 0 < alpha < 1")
		}
		if s.Target.Endpoint == "" {
			return fail("replicates compare target attainment: give target = { endpoint = ..., min = ..., max = ... }")
		}
	}
	return nil
}

// validateIIV checks that every parameter with variability exists and its SD
// is a finite number >= 0: an unknown name is an error, never ignored.
func (s *Spec) validateIIV(fail func(string, ...any) error) error {
	if s.Lang != nil {
		if len(s.IIV) > 0 {
			return fail("iiv: a model-language model takes its variability in Lang.SD and Lang.Block")
		}
		if err := s.Lang.validate(); err != nil {
			return fail("%v", err)
		}
		return nil
	}
	known := append(append(append([]string(nil), pkParams...), effectParams...), responseParams...)
	for _, p := range slices.Sorted(maps.Keys(s.IIV)) {
		if !slices.Contains(known, p) {
			hint := ""
			for _, k := range known {
				if strings.EqualFold(k, p) {
					hint = fmt.Sprintf("; did you mean '%s'? (pk parameter names are lower case)", k)
				}
			}
			return fail("iiv.%s: no such parameter; variability applies to %s%s", p, strings.Join(known, ", "), hint)
		}
		if sd := s.IIV[p]; !(sd >= 0) || math.IsInf(sd, 0) {
			return fail("iiv.%s must be a standard deviation >= 0 (log scale)", p)
		}
	}
	return nil
}

// checkOf checks the quantity an endpoint is on.
func (s *Spec) checkOf(e Endpoint) error {
	if s.Lang != nil {
		return s.Lang.checkOf(e.of())
	}
	switch e.of() {
	case "conc", "effect", "response":
		return nil
	}
	return fmt.Errorf("of = %q; want \"conc\" (the default), \"effect\" (the Emax effect of the model's e0, emax, ec50, hill; through an effect compartment if it returns ke0) or \"response\" (the indirect response of its irm, kin, kout, rmax, r50)", e.Of)
}

// horizon is the last time (h) an endpoint or a sample needs.
func (s *Spec) horizon() float64 {
	end := 0.0
	for _, e := range s.Endpoints {
		end = math.Max(end, math.Max(e.To, e.At))
	}
	for _, t := range s.SampleTimes {
		end = math.Max(end, t)
	}
	return end
}

// SeriesTimes returns the times (h) of the concentration time series: every
// Series.Every hours from 0 to Series.Until (default: the last endpoint or
// sampling time); nil when the spec asks for none.
func (s *Spec) SeriesTimes() []float64 {
	if s.Series.Every <= 0 {
		return nil
	}
	until := s.Series.Until
	if until == 0 {
		until = s.horizon()
	}
	n := int(math.Floor(until/s.Series.Every+1e-9)) + 1
	out := make([]float64, n)
	for k := range out {
		out[k] = float64(k) * s.Series.Every
	}
	return out
}

// CovariateNames returns the covariate columns (the population's, then the
// derived Cockcroft–Gault clearance crcl_ml_min).
func (s *Spec) CovariateNames() []string {
	var out []string
	if s.Patients != nil {
		out = append(out, s.Patients.Names...)
	} else if s.Population != nil {
		for _, c := range s.Population.Covariates {
			out = append(out, c.Name)
		}
	}
	return append(out, "crcl_ml_min")
}

// uses reports whether a pk model's endpoint is on of ("effect" or "response").
func (s *Spec) uses(of string) bool {
	if s.Lang != nil {
		return false // the model's own quantities, not pk's effect models
	}
	for _, e := range s.Endpoints {
		if e.of() == of {
			return true
		}
	}
	return false
}

// ParamNames lists the parameters reported per subject: the model
// language's in declaration order, or the PK ones, then the effect and
// indirect-response ones when endpoints use them.
func (s *Spec) ParamNames() []string {
	if s.Lang != nil {
		return s.Lang.ParamNames()
	}
	out := append([]string(nil), pkParams...)
	if s.uses("effect") {
		out = append(out, effectParams...)
	}
	if s.uses("response") {
		out = append(out, responseParams...)
	}
	return out
}

// exactOnNonlinear is the error for solver exact on a nonlinear model.
func (lm *LangModel) exactOnNonlinear() error {
	if lm.Path == modlang.Exact && !lm.Model.Linear() {
		return fmt.Errorf("solver = \"exact\": model %s is not linear in its states", lm.Model.Spec.Name)
	}
	return nil
}

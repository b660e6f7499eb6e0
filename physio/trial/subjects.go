package trial

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
)

// Columns is the schema of the trial's subjects.arrow: one row per subject
// and arm with subject, arm, the covariates (CovariateNames), the parameters
// (ParamNames), the endpoints, the observations obs_<t>h_mg_l at the
// sampling times, with a limit of quantification blq_<t>h (Quantification),
// total_dose_mg and target_met.
func (s *Spec) Columns() []results.Column {
	f64, i64, str, b := arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean
	cols := []results.Column{{Name: "subject", Type: i64}, {Name: "arm", Type: str}}
	for _, n := range s.CovariateNames() {
		cols = append(cols, results.Column{Name: n, Type: f64})
	}
	for _, n := range s.ParamNames() {
		cols = append(cols, results.Column{Name: n, Type: f64})
	}
	for _, e := range s.Endpoints {
		cols = append(cols, results.Column{Name: e.Name, Type: f64})
	}
	for _, t := range s.SampleTimes {
		cols = append(cols, results.Column{Name: fmt.Sprintf("obs_%gh_mg_l", t), Type: f64})
	}
	if s.Quantification.LLOQ > 0 {
		for _, t := range s.SampleTimes {
			cols = append(cols, results.Column{Name: fmt.Sprintf("blq_%gh", t), Type: b})
		}
	}
	cols = append(cols, results.Column{Name: "total_dose_mg", Type: f64}, results.Column{Name: "target_met", Type: b})
	return cols
}

// SeriesColumns is the schema of a trial's timeseries.arrow: one row per
// subject, arm and time, in hours as the spec is, with the arm and the variable
// in columns of their own (the variable names its unit). Rows are in subject,
// then arm, then time order.
var SeriesColumns = []results.Column{
	{Name: "subject", Type: arrow.PrimitiveTypes.Int64, Doc: "subject index, as in subjects.arrow"},
	{Name: "arm", Type: arrow.BinaryTypes.String, Doc: "arm name"},
	{Name: "variable", Type: arrow.BinaryTypes.String, Doc: "what is measured, unit in the name: conc_mg_l (central concentration)"},
	{Name: "time_h", Type: arrow.PrimitiveTypes.Float64, Doc: "hours from time 0 of the spec, the clock of its doses and sampling times"},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64, Doc: "the variable's value (no residual error)"},
}

// SeriesVariable is the variable of a trial's time series: the model's
// central concentration.
const SeriesVariable = "conc_mg_l"

// Provenance is the provenance of the trial's per-subject files for subjects
// [from, to) of a run by medtwin version, shard "i/n"; its parameters are
// the number of subjects and the spec's Sources.
func (s *Spec) Provenance(version string, from, to int, shard string) results.Provenance {
	return results.Provenance{Version: version, Scenario: filepath.Base(s.Path), ScenarioSHA256: s.SHA256, Seed: s.Seed,
		From: from, To: to, Total: s.Subjects, Shard: shard, Params: s.provenanceParams(map[string]string{"subjects": fmt.Sprint(s.Subjects)})}
}

// provenanceParams returns own, the trial's own provenance entries, with the
// spec's Sources added.
func (s *Spec) provenanceParams(own map[string]string) map[string]string {
	for k, v := range s.Sources {
		if _, ok := own[k]; !ok {
			own[k] = v
		}
	}
	return own
}

// Files are a trial's per-subject outputs in a directory, written chunk by
// chunk: subjects.arrow (Columns, one row per subject and arm) and, when the
// spec asks for curves, timeseries.arrow (SeriesColumns). Nothing appears
// under a final name until Close.
type Files struct {
	s        *Spec
	subjects *results.Writer
	series   *results.Writer // nil without a time series
}

// Create opens the trial's files in directory out with provenance prov.
func (s *Spec) Create(out string, prov results.Provenance) (*Files, error) {
	w, err := results.Create(filepath.Join(out, "subjects.arrow"), s.Columns(), prov.Metadata("subjects"), 0)
	if err != nil {
		return nil, err
	}
	f := &Files{s: s, subjects: w}
	if len(s.SeriesTimes()) > 0 {
		if f.series, err = results.Create(filepath.Join(out, "timeseries.arrow"), SeriesColumns, prov.Metadata("timeseries"), 0); err != nil {
			w.Abort()
			return nil, err
		}
	}
	return f, nil
}

// Add appends the rows of res (in order, as Run returns them).
func (f *Files) Add(res []Result) error {
	s, w := f.s, f.subjects
	params := s.ParamNames()
	for _, r := range res {
		w.I64(0, int64(r.Subject))
		w.Str(1, s.Arms[r.Arm].Name)
		k := 2
		for _, v := range r.Covariates {
			w.F64(k, v)
			k++
		}
		for _, n := range params {
			w.F64(k, r.Params[n])
			k++
		}
		for _, v := range r.Endpoints {
			w.F64(k, v)
			k++
		}
		for _, v := range r.Samples {
			if math.IsNaN(v) && len(r.BLQ) > 0 {
				w.Null(k) // a BLQ level dropped: missing, as pandas and R read it
			} else {
				w.F64(k, v)
			}
			k++
		}
		for _, v := range r.BLQ {
			w.Bool(k, v)
			k++
		}
		w.F64(k, r.TotalDose)
		w.Bool(k+1, r.TargetMet)
		if err := w.EndRow(); err != nil {
			return err
		}
	}
	if f.series == nil {
		return nil
	}
	ts := s.SeriesTimes()
	for _, r := range res {
		for k, v := range r.Series {
			f.series.I64(0, int64(r.Subject))
			f.series.Str(1, s.Arms[r.Arm].Name)
			f.series.Str(2, SeriesVariable)
			f.series.F64(3, ts[k])
			f.series.F64(4, v)
			if err := f.series.EndRow(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close finishes the files under their final names.
func (f *Files) Close() error {
	if err := f.subjects.Close(); err != nil {
		if f.series != nil {
			f.series.Abort()
		}
		return err
	}
	if f.series != nil {
		return f.series.Close()
	}
	return nil
}

// Abort removes the temporary files.
func (f *Files) Abort() {
	f.subjects.Abort()
	if f.series != nil {
		f.series.Abort()
	}
}

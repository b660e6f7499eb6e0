package trial

import (
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/engine/results"
)

// ReadSubjects rebuilds a trial's per-subject results from a complete
// subjects.arrow (one run, or shards joined by `medtwin merge`), so that the
// summary of a sharded trial is the one a single machine prints. The file must
// have been written by this very spec (same SHA-256) and hold every subject;
// the spec takes its subject count and seed from it.
func (s *Spec) ReadSubjects(path string) ([]Result, error) {
	tb, err := results.Read(path)
	if err != nil {
		return nil, err
	}
	defer tb.Release()
	prov, err := results.ProvenanceFromMeta(tb.Meta())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if tb.Meta()["medtwin.table"] != "subjects" {
		return nil, fmt.Errorf("%s: not a trial's subjects.arrow (table %q)", path, tb.Meta()["medtwin.table"])
	}
	if prov.ScenarioSHA256 != s.SHA256 {
		return nil, fmt.Errorf("%s was written by another version of the spec (%s, SHA-256 %.12s…; %s is %.12s…)", path, prov.Scenario, prov.ScenarioSHA256, s.Path, s.SHA256)
	}
	if prov.From != 0 || prov.To != prov.Total {
		return nil, fmt.Errorf("%s holds subjects %d-%d of %d (shard %s): join all shards with `medtwin merge` first", path, prov.From, prov.To-1, prov.Total, prov.Shard)
	}
	s.Subjects, s.Seed = prov.Total, prov.Seed
	cols := s.Columns()
	if len(tb.Schema.Fields()) != len(cols) {
		return nil, fmt.Errorf("%s: %d columns, the spec gives %d", path, len(tb.Schema.Fields()), len(cols))
	}
	for i, f := range tb.Schema.Fields() {
		if f.Name != cols[i].Name || !arrow.TypeEqual(f.Type, cols[i].Type) {
			return nil, fmt.Errorf("%s: column %d is %s (%s), the spec gives %s (%s)", path, i+1, f.Name, f.Type, cols[i].Name, cols[i].Type)
		}
	}
	armIndex := map[string]int{}
	armNames := make([]string, len(s.Arms))
	for i, a := range s.Arms {
		armIndex[a.Name], armNames[i] = i, a.Name
	}
	nCov, params := len(s.CovariateNames()), s.ParamNames()
	nEnd, nObs := len(s.Endpoints), len(s.SampleTimes)
	res := make([]Result, 0, tb.NumRows())
	for _, b := range tb.Batches {
		f := func(c, i int) float64 { return b.Column(c).(*array.Float64).Value(i) }
		for i := 0; i < int(b.NumRows()); i++ {
			arm, ok := armIndex[b.Column(1).(*array.String).Value(i)]
			if !ok {
				return nil, fmt.Errorf("%s: row %d: arm %q is not in the spec (arms: %s)", path, len(res)+1, b.Column(1).(*array.String).Value(i), strings.Join(armNames, ", "))
			}
			r := Result{Subject: int(b.Column(0).(*array.Int64).Value(i)), Arm: arm, Params: map[string]float64{}}
			k := 2
			for j := 0; j < nCov; j++ {
				r.Covariates = append(r.Covariates, f(k, i))
				k++
			}
			for _, p := range params {
				r.Params[p] = f(k, i)
				k++
			}
			for j := 0; j < nEnd; j++ {
				r.Endpoints = append(r.Endpoints, f(k, i))
				k++
			}
			for j := 0; j < nObs; j++ {
				v := f(k, i)
				if b.Column(k).IsNull(i) {
					v = math.NaN() // a dropped BLQ level
				}
				r.Samples = append(r.Samples, v)
				k++
			}
			for j := 0; j < nObs && s.Quantification.LLOQ > 0; j++ {
				r.BLQ = append(r.BLQ, b.Column(k).(*array.Boolean).Value(i))
				k++
			}
			r.TotalDose = f(k, i)
			r.TargetMet = b.Column(k + 1).(*array.Boolean).Value(i)
			res = append(res, r)
		}
	}
	if want := s.Subjects * len(s.Arms); len(res) != want {
		return nil, fmt.Errorf("%s: %d rows, want %d subjects × %d arms = %d", path, len(res), s.Subjects, len(s.Arms), want)
	}
	return res, nil
}

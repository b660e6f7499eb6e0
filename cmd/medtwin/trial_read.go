package main

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts"
)

// readSubjects rebuilds a trial's per-subject results from a complete
// subjects.arrow (one run, or shards joined by `medtwin merge`), so that the
// summary of a sharded trial is the one a single machine prints. The file must
// have been written by this very spec (same SHA-256) and hold every subject;
// the trial takes its subject count and seed from it.
func readSubjects(path string, tr *scripts.Trial) ([]scripts.SubjectResult, error) {
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
	if prov.ScenarioSHA256 != tr.SHA256 {
		return nil, fmt.Errorf("%s was written by another version of the spec (%s, SHA-256 %.12s…; %s is %.12s…)", path, prov.Scenario, prov.ScenarioSHA256, tr.Path, tr.SHA256)
	}
	if prov.From != 0 || prov.To != prov.Total {
		return nil, fmt.Errorf("%s holds subjects %d-%d of %d (shard %s): join all shards with `medtwin merge` first", path, prov.From, prov.To-1, prov.Total, prov.Shard)
	}
	tr.Subjects, tr.Seed = prov.Total, prov.Seed
	cols := subjectColumns(tr)
	if len(tb.Schema.Fields()) != len(cols) {
		return nil, fmt.Errorf("%s: %d columns, the spec gives %d", path, len(tb.Schema.Fields()), len(cols))
	}
	for i, f := range tb.Schema.Fields() {
		if f.Name != cols[i].Name || !arrow.TypeEqual(f.Type, cols[i].Type) {
			return nil, fmt.Errorf("%s: column %d is %s (%s), the spec gives %s (%s)", path, i+1, f.Name, f.Type, cols[i].Name, cols[i].Type)
		}
	}
	armIndex := map[string]int{}
	for i, a := range tr.Arms {
		armIndex[a] = i
	}
	nCov, params := len(tr.CovariateNames()), tr.ParamNames()
	nEnd, nObs := len(tr.Endpoints), len(tr.SampleTimes)
	res := make([]scripts.SubjectResult, 0, tb.NumRows())
	for _, b := range tb.Batches {
		f := func(c, i int) float64 { return b.Column(c).(*array.Float64).Value(i) }
		for i := 0; i < int(b.NumRows()); i++ {
			arm, ok := armIndex[b.Column(1).(*array.String).Value(i)]
			if !ok {
				return nil, fmt.Errorf("%s: row %d: arm %q is not in the spec (arms: %s)", path, len(res)+1, b.Column(1).(*array.String).Value(i), strings.Join(tr.Arms, ", "))
			}
			r := scripts.SubjectResult{Subject: int(b.Column(0).(*array.Int64).Value(i)), Arm: arm, Params: map[string]float64{}}
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
				r.Samples = append(r.Samples, f(k, i))
				k++
			}
			r.TotalDose = f(k, i)
			r.TargetMet = b.Column(k + 1).(*array.Boolean).Value(i)
			res = append(res, r)
		}
	}
	if want := tr.Subjects * len(tr.Arms); len(res) != want {
		return nil, fmt.Errorf("%s: %d rows, want %d subjects × %d arms = %d", path, len(res), tr.Subjects, len(tr.Arms), want)
	}
	return res, nil
}

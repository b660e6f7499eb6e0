package trial

import (
	"fmt"
	"path/filepath"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/stats"
)

// Units returns the replications of kpis.arrow, each as its rows per arm:
// the replicate trials of ReplicateArms, or, without replicates (or too few
// subjects for one), the whole paired cohort.
func (s *Spec) Units(res []Result) [][][]Result {
	if units, err := s.ReplicateArms(res); err == nil {
		return units
	}
	unit := make([][]Result, len(s.Arms))
	for _, r := range res {
		unit[r.Arm] = append(unit[r.Arm], r)
	}
	return [][][]Result{unit}
}

// WriteKPIs writes kpis.arrow in the schema `medtwin run` uses (results.KPIColumns):
// per replication (Units), the mean of each endpoint in each arm
// ("auc24_day4/AUC-guided") and the attainment ("target_met/AUC-guided"), as
// tallies with their n. version is medtwin's, for the provenance (with the
// replicate size and the spec's Sources).
func (s *Spec) WriteKPIs(path, version string, res []Result) error {
	prov := results.Provenance{Version: version, Scenario: filepath.Base(s.Path), ScenarioSHA256: s.SHA256, Seed: s.Seed,
		To: s.Subjects, Total: s.Subjects, Params: s.provenanceParams(map[string]string{"subjects": fmt.Sprint(s.Subjects), "replicate_n": fmt.Sprint(s.Replicates.N)})}
	w, err := results.Create(path, results.KPIColumns, prov.Metadata("kpis"), 0)
	if err != nil {
		return err
	}
	row := func(rep int, name string, v float64, n int) error {
		w.I32(0, int32(rep))
		w.Str(1, name)
		w.Str(2, "tally")
		w.F64(3, v)
		w.I64(4, int64(n))
		return w.EndRow()
	}
	for rep, unit := range s.Units(res) {
		for a, rs := range unit {
			for k, e := range s.Endpoints {
				var t stats.Tally
				for _, r := range rs {
					t.Add(r.Endpoints[k])
				}
				if err := row(rep, e.Name+"/"+s.Arms[a].Name, t.Mean(), len(rs)); err != nil {
					w.Abort()
					return err
				}
			}
			if s.Target.Endpoint != "" {
				met := 0
				for _, r := range rs {
					if r.TargetMet {
						met++
					}
				}
				if err := row(rep, "target_met/"+s.Arms[a].Name, float64(met)/float64(len(rs)), len(rs)); err != nil {
					w.Abort()
					return err
				}
			}
		}
	}
	return w.Close()
}

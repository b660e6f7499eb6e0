package trial

import (
	"fmt"
	"math"
	"sort"

	"github.com/medtwin/medtwin/engine/stats"
)

// EndpointSummary is one endpoint in one arm over the subjects: the mean with
// its 95% confidence interval and the 5th, 50th and 95th percentiles
// (stats.Quantile).
type EndpointSummary struct {
	Arm, Endpoint   int
	Mean            stats.Summary
	P5, Median, P95 float64
}

// Summaries returns every endpoint's summary per arm, arm by arm.
func (s *Spec) Summaries(res []Result) []EndpointSummary {
	var out []EndpointSummary
	for a, rs := range s.byArm(res) {
		for k := range s.Endpoints {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = r.Endpoints[k]
			}
			sm := stats.Summarize(v, 0.95)
			sort.Float64s(v)
			out = append(out, EndpointSummary{Arm: a, Endpoint: k, Mean: sm,
				P5: stats.Quantile(0.05, v), Median: stats.Quantile(0.5, v), P95: stats.Quantile(0.95, v)})
		}
	}
	return out
}

func (s *Spec) byArm(res []Result) [][]Result {
	byArm := make([][]Result, len(s.Arms))
	for _, r := range res {
		byArm[r.Arm] = append(byArm[r.Arm], r)
	}
	return byArm
}

// Subgroup is a set of subjects by their covariates.
type Subgroup struct {
	Name string
	In   func(cov map[string]float64) bool
}

// Subgroups returns the subgroups the covariates allow: women and men
// (female), age bands < 40, 40–65, >= 65 y (age_y), Cockcroft–Gault
// clearance bands < 30, 30–60, 60–90, >= 90 mL/min (crcl_ml_min) and weight
// bands < 60, 60–100, >= 100 kg (weight_kg).
func Subgroups(names []string) []Subgroup {
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	var out []Subgroup
	band := func(cov, label string, edges []float64) {
		if !has[cov] {
			return
		}
		for i := 0; i <= len(edges); i++ {
			lo, hi := math.Inf(-1), math.Inf(1)
			if i > 0 {
				lo = edges[i-1]
			}
			if i < len(edges) {
				hi = edges[i]
			}
			var name string
			switch {
			case i == 0:
				name = fmt.Sprintf("%s < %g", label, hi)
			case i == len(edges):
				name = fmt.Sprintf("%s >= %g", label, lo)
			default:
				name = fmt.Sprintf("%s %g–%g", label, lo, hi)
			}
			out = append(out, Subgroup{name, func(c map[string]float64) bool { v := c[cov]; return v >= lo && v < hi }})
		}
	}
	if has["female"] {
		out = append(out, Subgroup{"women", func(c map[string]float64) bool { return c["female"] == 1 }},
			Subgroup{"men", func(c map[string]float64) bool { return c["female"] == 0 }})
	}
	band("age_y", "age (y)", []float64{40, 65})
	band("crcl_ml_min", "CrCl (mL/min)", []float64{30, 60, 90})
	band("weight_kg", "weight (kg)", []float64{60, 100})
	return out
}

// Attainment is the target attainment of one subgroup: N subjects (in the
// first arm) and, per arm, Met of its subjects N[a] who met the target.
type Attainment struct {
	Subgroup string
	N        int
	Met, Of  []int // per arm
}

// Rate returns arm a's attainment (Met/Of).
func (at Attainment) Rate(a int) float64 { return float64(at.Met[a]) / float64(at.Of[a]) }

// AttainmentTable returns the target attainment of all subjects (first row,
// "all subjects") and of each non-empty subgroup (Subgroups). Nil without a
// target.
func (s *Spec) AttainmentTable(res []Result) []Attainment {
	if s.Target.Endpoint == "" {
		return nil
	}
	names := s.CovariateNames()
	byArm := s.byArm(res)
	// covariates by name, once per subject (every arm and subgroup reads them)
	covs := map[int]map[string]float64{}
	for _, r := range res {
		if _, ok := covs[r.Subject]; !ok {
			cov := make(map[string]float64, len(names))
			for i, name := range names {
				cov[name] = r.Covariates[i]
			}
			covs[r.Subject] = cov
		}
	}
	pta := func(rs []Result, in func(map[string]float64) bool) (int, int) {
		k, n := 0, 0
		for _, r := range rs {
			if in != nil && !in(covs[r.Subject]) {
				continue
			}
			n++
			if r.TargetMet {
				k++
			}
		}
		return k, n
	}
	row := func(name string, in func(map[string]float64) bool) Attainment {
		at := Attainment{Subgroup: name, Met: make([]int, len(byArm)), Of: make([]int, len(byArm))}
		_, at.N = pta(byArm[0], in)
		for a, rs := range byArm {
			at.Met[a], at.Of[a] = pta(rs, in)
		}
		return at
	}
	out := []Attainment{row("all subjects", nil)}
	out[0].N = len(byArm[0])
	for _, sg := range Subgroups(names) {
		if at := row(sg.Name, sg.In); at.N > 0 {
			out = append(out, at)
		}
	}
	return out
}

package trial

import (
	"fmt"

	"github.com/medtwin/medtwin/engine/stats"
)

// ArmPower is the power of one arm against the first (reference) arm.
type ArmPower struct {
	Arm        int
	Replicates int     // replicate trials
	Higher     int     // trials where the arm's attainment was significantly higher
	Lower      int     // trials where it was significantly lower
	MeanDiff   float64 // mean difference in attainment (arm − reference)
}

// ReplicateArms cuts results into replicate parallel-group trials: replicate r
// takes the next Replicates.N×arms subjects and gives subject i to arm i mod
// arms (each subject is used once, in one arm, as in a real trial). It returns,
// per replicate and arm, that arm's rows. res must hold every subject from 0 in
// every arm, as Run returns them; subjects left over after the last whole
// replicate are not used.
func (s *Spec) ReplicateArms(res []Result) ([][][]Result, error) {
	A, n := len(s.Arms), s.Replicates.N
	if n < 1 {
		return nil, fmt.Errorf("%s: no replicates in the spec", s.Where)
	}
	per := n * A
	count := len(res) / A / per
	if count == 0 {
		return nil, fmt.Errorf("%s: replicates of %d subjects per arm need at least %d subjects, have %d", s.Where, n, per, len(res)/A)
	}
	out := make([][][]Result, count)
	for r := range out {
		out[r] = make([][]Result, A)
		for i := r * per; i < (r+1)*per; i++ {
			a := i % A
			row := res[i*A+a]
			if row.Subject != i || row.Arm != a {
				return nil, fmt.Errorf("power: results are not in subject, arm order at subject %d", i)
			}
			out[r][a] = append(out[r][a], row)
		}
	}
	return out, nil
}

// Power compares each arm's target attainment with the first arm's in every
// replicate trial (see ReplicateArms) by the two-sided pooled z test at Alpha.
func (s *Spec) Power(res []Result) ([]ArmPower, error) {
	reps, err := s.ReplicateArms(res)
	if err != nil {
		return nil, err
	}
	A, n, count := len(s.Arms), s.Replicates.N, len(reps)
	out := make([]ArmPower, A)
	for a := range out {
		out[a] = ArmPower{Arm: a, Replicates: count}
	}
	met := make([]int, A)
	for _, rep := range reps {
		for a, rows := range rep {
			met[a] = 0
			for _, row := range rows {
				if row.TargetMet {
					met[a]++
				}
			}
		}
		for a := 1; a < A; a++ {
			z, p := stats.TwoProportionZ(met[0], n, met[a], n)
			out[a].MeanDiff += float64(met[a]-met[0]) / float64(n) / float64(count)
			if p < s.Replicates.Alpha {
				if z > 0 {
					out[a].Higher++
				} else {
					out[a].Lower++
				}
			}
		}
	}
	return out[1:], nil
}

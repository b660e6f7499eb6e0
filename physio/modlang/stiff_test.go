package modlang

import "testing"

// The Test Set's stiff problems written in the language and solved by
// Radau5 with the graph's Jacobian (forward-mode AD), against their
// published reference solutions (Mazzia & Magherini, Test Set for IVP
// Solvers, release 2.4, 2008: problems VDPOL, ROBER, HIRES).
func TestStiffProblemsInTheLanguage(t *testing.T) {
	for _, p := range StiffProblems() {
		y, worst, st, err := p.Solve()
		if err != nil {
			t.Fatal(err)
		}
		if worst > 1e-5 {
			t.Errorf("%s: %v, reference %v (worst relative error %.2g)", p.Name, y, p.Ref, worst)
		}
		t.Logf("%s: worst relative error %.2g, %+v", p.Name, worst, st)
	}
}

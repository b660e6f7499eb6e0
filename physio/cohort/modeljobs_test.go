package cohort

import (
	"math"
	"runtime"
	"testing"

	"github.com/medtwin/medtwin/physio/modlang"
)

// modelCohort returns n subjects of a library model, each with its own
// parameters (the defaults scaled by subject) and its own oral or IV doses.
func modelCohort(t testing.TB, name string, n int) []ModelJob {
	t.Helper()
	m, err := modlang.Library(name)
	if err != nil {
		t.Fatal(err)
	}
	times := make([]float64, 49)
	for k := range times {
		times[k] = float64(k)
	}
	jobs := make([]ModelJob, n)
	for i := range jobs {
		p := m.Defaults()
		for k := range p {
			p[k] *= 1 + 0.3*math.Sin(float64(i*7+k))
		}
		jobs[i] = ModelJob{Model: m, Params: p, Times: times,
			Doses: []modlang.Dose{{Time: 0, Amt: 100 + float64(i), II: 12, ADDL: 3}}}
	}
	return jobs
}

// A language-model cohort on the CPU backend agrees with each subject
// simulated alone through modlang, on the exact path (pk1_oral) and the
// Taylor path (TMDD, nonlinear), whatever the number of cores.
func TestModelCohortMatchesPerSubject(t *testing.T) {
	for _, name := range []string{"pk1_oral", "tmdd_qss"} {
		jobs := modelCohort(t, name, 40)
		old := runtime.GOMAXPROCS(3)
		err := cpu{}.SimulateModels(jobs)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		for i, jb := range jobs {
			in := jb.Model.NewInstance()
			if err := in.SetParams(jb.Params); err != nil {
				t.Fatal(err)
			}
			out := jb.Model.Spec.Outputs[0]
			err := in.Simulate(jb.Doses, jb.Times, modlang.SimOptions{}, func(k int, tt float64, y []float64) {
				want, _ := in.Value(out, tt, y)
				if got := jb.Values[0][k]; math.Abs(got-want) > 1e-10*math.Max(1, math.Abs(want)) {
					t.Errorf("%s subject %d, t = %v: cohort %v, alone %v", name, i, tt, got, want)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// The exact path of a one-compartment oral cohort against the Bateman
// function (Gibaldi & Perrier 1982, eq. 1.54) summed over doses: an
// independent reference, not modlang's own output.
func TestModelCohortBateman(t *testing.T) {
	jobs := modelCohort(t, "pk1_oral", 8)
	if err := (cpu{}).SimulateModels(jobs); err != nil {
		t.Fatal(err)
	}
	m := jobs[0].Model
	for i, jb := range jobs {
		ka, cl, v, f, lag := jb.Params[m.ParamIndex("KA")], jb.Params[m.ParamIndex("CL")], jb.Params[m.ParamIndex("V1")], jb.Params[m.ParamIndex("F1")], jb.Params[m.ParamIndex("ALAG1")]
		k := cl / v
		for n, tt := range jb.Times {
			want := 0.0
			for d := 0; d <= jb.Doses[0].ADDL; d++ {
				s := tt - float64(d)*jb.Doses[0].II - lag
				if s > 0 {
					want += f * jb.Doses[0].Amt * ka / (v * (ka - k)) * (math.Exp(-k*s) - math.Exp(-ka*s))
				}
			}
			if got := jb.Values[0][n]; math.Abs(got-want) > 1e-10*math.Max(1, want) {
				t.Errorf("subject %d, t = %v: %v, Bateman %v", i, tt, got, want)
			}
		}
	}
}

// A job asking for an unknown quantity is an error naming the job.
func TestModelCohortUnknownName(t *testing.T) {
	jobs := modelCohort(t, "pk1", 3)
	jobs[2].Names = []string{"cpp"}
	err := cpu{}.SimulateModels(jobs)
	if err == nil {
		t.Fatal("no error")
	}
	if want := "job 2: model pk1: no quantity \"cpp\""; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Errorf("error %q, want it to start %q", err, want)
	}
}

// BenchmarkModelCohort times the CPU backend on language-model cohorts of
// 1000 subjects (4 doses, 49 outputs each): pk1_oral on the exact path and
// TMDD (QSS) on the Taylor path; b.N counts cohorts.
func BenchmarkModelCohort(b *testing.B) {
	for _, name := range []string{"pk1_oral", "tmdd_qss"} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				jobs := modelCohort(b, name, 1000)
				if err := (cpu{}).SimulateModels(jobs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "subjects/s")
		})
	}
}

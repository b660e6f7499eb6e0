package scripts

import (
	"context"
	"errors"
	"github.com/medtwin/medtwin/physio/trial"
	"reflect"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
)

// countingRunner is the CPU backend, counting the jobs it is given, or
// failing one of them.
type countingRunner struct {
	cohort.JobRunner
	jobs, calls int
	fail        int // 1-based index of a job to fail (0: none)
}

func (r *countingRunner) SimulateJobs(jobs []cohort.Job) error {
	r.calls++
	r.jobs += len(jobs)
	if r.fail > 0 && r.fail <= len(jobs) {
		return &cohort.JobError{Job: r.fail - 1, Err: errors.New("device lost")}
	}
	return r.JobRunner.SimulateJobs(jobs)
}

// A trial's PK goes through its Runner (the seam a GPU backend plugs into):
// the same rows as the default, every subject-arm once; a failing job is
// reported with its subject and arm.
func TestTrialRunsThroughRunner(t *testing.T) {
	tr, err := LoadTrial(write(t, "mb.lua", massBalanceTrial))
	if err != nil {
		t.Fatal(err)
	}
	want, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	cpu, _ := cohort.Runner("cpu")
	r := &countingRunner{JobRunner: cpu}
	tr.Runner = r
	got, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	if r.jobs != tr.Subjects*len(tr.Arms) || r.calls < 1 {
		t.Fatalf("%d jobs in %d calls for %d subjects × %d arms", r.jobs, r.calls, tr.Subjects, len(tr.Arms))
	}
	if !reflect.DeepEqual(sameNaN(got), sameNaN(want)) {
		t.Fatal("rows differ through the runner")
	}
	tr.Runner = &countingRunner{JobRunner: cpu, fail: 4}
	if _, err := tr.Run(context.Background(), 0, tr.Subjects); err == nil || !strings.Contains(err.Error(), "subject 3, arm \"100 mg q24h\": device lost") {
		t.Fatalf("failed job: %v", err)
	}
}

// sameNaN replaces NaN covariates (no Cockcroft–Gault here) so that rows compare.
func sameNaN(rs []trial.Result) []trial.Result {
	out := append([]trial.Result(nil), rs...)
	for i := range out {
		out[i].Covariates = append([]float64(nil), out[i].Covariates...)
		for k, v := range out[i].Covariates {
			if v != v {
				out[i].Covariates[k] = -1
			}
		}
	}
	return out
}

// modelCounter is the CPU backend as a ModelRunner, counting the
// model-language jobs it is given, or failing one of them.
type modelCounter struct {
	cohort.JobRunner
	cpu         cohort.ModelRunner
	jobs, calls int
	fail        int // 1-based index of a job to fail (0: none)
}

func (r *modelCounter) SimulateModels(jobs []cohort.ModelJob) error {
	r.calls++
	r.jobs += len(jobs)
	if r.fail > 0 && r.fail <= len(jobs) {
		return &cohort.JobError{Job: r.fail - 1, Err: errors.New("device lost")}
	}
	return r.cpu.SimulateModels(jobs)
}

// A trial whose model is written in the language goes through its Runner
// when the runner runs such models: the same rows as the default, every
// subject-arm once; a failing job names its subject and arm.
func TestTrialLangRunsThroughRunner(t *testing.T) {
	tr, err := LoadTrial(write(t, "tmdd.lua", `return trial {
  name = "tmdd", subjects = 6, seed = 1,
  `+langPopulation+`
  model = model.library("tmdd_qss"),
  iiv = { CL = 0.2 },
  arms = { { name = "10 nmol", doses = { { amt = 10 } } }, { name = "100 nmol", doses = { { amt = 100 } } } },
  grid = 4,
  endpoints = { auc = { auc = { 0, 336 } }, rmax = { cmax = { 0, 336 }, of = "rtot" } },
}`))
	if err != nil {
		t.Fatal(err)
	}
	want, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	cpu, _ := cohort.Runner("cpu")
	mcpu, _ := cohort.ModelRunnerFor("cpu")
	r := &modelCounter{JobRunner: cpu, cpu: mcpu}
	tr.Runner = r
	got, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	if r.jobs != tr.Subjects*len(tr.Arms) || r.calls < 1 {
		t.Fatalf("%d jobs in %d calls for %d subjects × %d arms", r.jobs, r.calls, tr.Subjects, len(tr.Arms))
	}
	if !reflect.DeepEqual(sameNaN(got), sameNaN(want)) {
		t.Fatal("rows differ through the runner")
	}
	tr.Runner = &modelCounter{JobRunner: cpu, cpu: mcpu, fail: 4}
	if _, err := tr.Run(context.Background(), 0, tr.Subjects); err == nil || !strings.Contains(err.Error(), "subject 1, arm \"100 nmol\": device lost") {
		t.Fatalf("failed job: %v", err)
	}
}

package cuda

import (
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"unsafe"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
)

// SimulateModels runs model-language jobs (what `medtwin trial` sends for a
// model{}) on the worker's device: the kernel that physio/modlang generates
// for the model, compiled by the worker with NVRTC once per model. The kernel
// takes one model, one grid of output times and one tolerance per launch and
// reports the model's outputs, so the jobs are grouped by model, grid and
// tolerance (a trial sends one grid per arm and regimen, and one for its
// series); a job that asks for a quantity the model does not declare as an
// output gets a copy of the model that does. Each group goes in launches that
// fit the device's memory. A job's values do not depend on its group or
// launch.
//
// The CPU backend runs the jobs the kernel cannot take, saying so on Log:
// the stiff path (radau5; the kernel integrates with explicit Dormand–Prince
// steps), steady-state dosing records (SS), quantities no kernel can report, and any job whose kernel run
// failed (NaN: more than MaxSteps steps or a step that underflowed), which
// the CPU then runs or names in its error. The first error is a
// *cohort.JobError naming the job.
func (w *Worker) SimulateModels(jobs []cohort.ModelJob) error {
	groups, cpu := groupModels(jobs)
	if len(groups) > 0 {
		err := w.call(func(budget int64) error {
			for _, g := range groups {
				maxN := w.maxNFor(len(jobs[g.idx[0]].Times) * len(g.model.Spec.Outputs))
				failed, err := runModelGroup(jobs, g, budget, maxN, w.launchModel)
				if err != nil {
					return err
				}
				for _, j := range failed {
					cpu.add(j, "the kernel failed (NaN: a step count beyond its bound or a step size that underflowed)")
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if len(cpu.jobs) == 0 {
		return nil
	}
	cpu.tell(w.log(), len(jobs))
	return simulateModelsOnCPU(jobs, cpu.jobs)
}

// launchModel sends one launch of a model and reads its outputs into pm.Out
// (or points pm.Out at the shared output).
func (w *Worker) launchModel(pm *PackedModel) error {
	return w.request(opModel, pm.OutLen(), func() { w.c.putModel(pm) }, &pm.Out)
}

// log is where SimulateModels says which jobs ran on the CPU.
func (w *Worker) log() io.Writer {
	if w.Log != nil {
		return w.Log
	}
	return os.Stderr
}

// modelGroup is jobs that one kernel takes together: model (the jobs' own,
// or a copy reporting the quantities they ask for), output times and
// tolerance shared; names is what each job reports.
type modelGroup struct {
	model *modlang.Model
	idx   []int // the jobs, ascending
	names [][]string
}

// cpuJobs are the jobs the CPU backend runs, with why.
type cpuJobs struct {
	jobs  []int
	why   []string // the reasons, in order of first appearance
	first map[string]int
	count map[string]int
}

func (c *cpuJobs) add(j int, why string) {
	if c.first == nil {
		c.first, c.count = map[string]int{}, map[string]int{}
	}
	c.jobs = append(c.jobs, j)
	if _, ok := c.first[why]; !ok {
		c.first[why] = j
		c.why = append(c.why, why)
	}
	c.count[why]++
}

// tell says, one line per reason, how many of the n jobs run on the CPU.
func (c *cpuJobs) tell(w io.Writer, n int) {
	for _, why := range c.why {
		fmt.Fprintf(w, "medtwin: cuda: %d of %d model jobs run on the CPU (job %d first): %s\n", c.count[why], n, c.first[why], why)
	}
}

// groupModels sorts the jobs into kernel launches and the CPU's share.
func groupModels(jobs []cohort.ModelJob) ([]*modelGroup, *cpuJobs) {
	type key struct {
		m          *modlang.Model
		rtol, atol float64
		times      uint64
	}
	seed := maphash.MakeSeed()
	byKey := map[key][]*modelGroup{}
	variants := map[string]*modlang.Model{}
	var groups []*modelGroup
	cpu := &cpuJobs{}
	for j := range jobs {
		jb := &jobs[j]
		m, names, why := kernelModel(jb, variants)
		if why == "" {
			why = kernelPath(jb)
		}
		if why != "" {
			cpu.add(j, why)
			continue
		}
		k := key{m, jb.Options.RTol, jb.Options.ATol, maphash.Bytes(seed, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(jb.Times))), 8*len(jb.Times)))}
		var g *modelGroup
		for _, h := range byKey[k] {
			if slices.Equal(jobs[h.idx[0]].Times, jb.Times) {
				g = h
				break
			}
		}
		if g == nil {
			g = &modelGroup{model: m}
			byKey[k] = append(byKey[k], g)
			groups = append(groups, g)
		}
		g.idx, g.names = append(g.idx, j), append(g.names, names)
	}
	return groups, cpu
}

// kernelPath says why the kernel does not take a job's path or times ("":
// it does). The CPU backend then runs the job, or gives the error.
func kernelPath(jb *cohort.ModelJob) string {
	switch {
	case jb.Options.Path == modlang.Radau5Path:
		return "the stiff path (radau5) is not on the GPU, whose kernel integrates with explicit Dormand–Prince steps"
	case jb.Options.Path == modlang.Exact && !jb.Model.Linear():
		return "the exact path asked of a nonlinear model"
	case slices.ContainsFunc(jb.Doses, func(d modlang.Dose) bool { return d.SS != 0 }):
		return "steady-state dosing records (SS = 1 or 2): the CPU solves for the steady state (modlang.Dose)"
	}
	for k := 1; k < len(jb.Times); k++ {
		if !(jb.Times[k] >= jb.Times[k-1]) {
			return "output times not ascending"
		}
	}
	return ""
}

// kernelModel returns the model whose kernel reports what the job asks for
// (the job's own when it declares all as outputs; else a copy that adds
// them, compiled once per call in variants) and those names; or why no
// kernel can.
func kernelModel(jb *cohort.ModelJob, variants map[string]*modlang.Model) (*modlang.Model, []string, string) {
	m := jb.Model
	if m == nil {
		return nil, nil, "a job without a model"
	}
	names := jb.Names
	if names == nil {
		if len(m.Spec.Outputs) > 0 {
			return m, m.Spec.Outputs[:1], ""
		}
		names = []string{m.Spec.States[0].Name}
	}
	var missing []string
	for _, n := range names {
		if !slices.Contains(m.Spec.Outputs, n) && !slices.Contains(missing, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return m, names, ""
	}
	key := fmt.Sprintf("%p\x00%s", m, strings.Join(missing, "\x00"))
	v, ok := variants[key]
	if !ok {
		s := m.Spec
		s.Outputs = append(slices.Clip(s.Outputs), missing...)
		var err error
		if v, err = modlang.Compile(s); err != nil {
			v = nil
		}
		variants[key] = v
	}
	if v == nil {
		return nil, nil, fmt.Sprintf("model %s cannot report %s from its kernel", m.Spec.Name, strings.Join(missing, ", "))
	}
	return v, names, ""
}

// modelJobBytes bounds the device memory of one job of model m: parameters,
// initial state, an event offset, its events (at most two per
// administration: an infusion's start and end; 24 bytes each) and its
// outputs.
func modelJobBytes(m *modlang.Model, jb *cohort.ModelJob) int64 {
	events := int64(0)
	for _, d := range jb.Doses {
		events += 2 * int64(max(d.ADDL, 0)+1)
	}
	return 8*int64(len(m.Spec.Params)+m.NumStates()) + 4 + 24*events + 8*int64(len(jb.Times)*len(m.Spec.Outputs))
}

// runModelGroup runs a group's jobs in launches that fit the memory budget
// (at most maxN jobs each) with run, and fills their Values; it returns the
// jobs whose kernel run failed (NaN), for the CPU to run.
func runModelGroup(jobs []cohort.ModelJob, g *modelGroup, budget int64, maxN int, run func(*PackedModel) error) ([]int, error) {
	var failed []int
	shared := 8*int64(len(jobs[g.idx[0]].Times)) + 4 // output times, the last offset
	for lo := 0; lo < len(g.idx); {
		hi, used := lo, shared
		for hi < len(g.idx) && hi-lo < maxN {
			b := modelJobBytes(g.model, &jobs[g.idx[hi]])
			if hi > lo && used+b > budget {
				break
			}
			if shared+b > budget {
				return nil, &cohort.JobError{Job: g.idx[hi], Err: fmt.Errorf("cuda: the job needs %d bytes of device memory, more than the %d available", shared+b, budget)}
			}
			used += b
			hi++
		}
		sub := make([]cohort.ModelJob, hi-lo)
		for k := range sub {
			sub[k] = jobs[g.idx[lo+k]]
			sub[k].Model, sub[k].Names = g.model, g.names[lo+k]
		}
		pm, err := PackModels(sub)
		if err != nil {
			var je *cohort.JobError
			if errors.As(err, &je) {
				je.Job = g.idx[lo+je.Job]
			}
			return nil, err
		}
		if err := run(pm); err != nil {
			return nil, err
		}
		pm.Unpack(sub)
		for k := range sub {
			j := g.idx[lo+k]
			if slices.ContainsFunc(sub[k].Values, func(v []float64) bool { return slices.ContainsFunc(v, math.IsNaN) }) {
				failed = append(failed, j)
				continue
			}
			jobs[j].Values = sub[k].Values
		}
		lo = hi
	}
	return failed, nil
}

// simulateModelsOnCPU runs jobs idx on the CPU backend; its error names the
// job by its index in jobs.
func simulateModelsOnCPU(jobs []cohort.ModelJob, idx []int) error {
	cpu, err := cohort.ModelRunnerFor("cpu")
	if err != nil {
		return err
	}
	slices.Sort(idx)
	sub := make([]cohort.ModelJob, len(idx))
	for k, j := range idx {
		sub[k] = jobs[j]
	}
	if err := cpu.SimulateModels(sub); err != nil {
		var je *cohort.JobError
		if errors.As(err, &je) {
			je.Job = idx[je.Job]
		}
		return err
	}
	for k, j := range idx {
		jobs[j].Values = sub[k].Values
	}
	return nil
}

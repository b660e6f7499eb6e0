package cuda

import (
	"fmt"
	"runtime"
	"slices"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
)

// ModelPrefix is the prefix of the generated CUDA source's names: the
// kernel is ModelPrefix + "_kernel".
const ModelPrefix = "mt_model"

// PackedModel is a run of model-language jobs in the generated kernel's
// layout (modlang.CUDASource): one model, shared output times, each
// subject's parameters, initial state and expanded events. The device
// compiles Source with NVRTC and runs Kernel, filling Out.
type PackedModel struct {
	Source, Kernel string
	N, NT, NOut    int
	P, Y0          []float64
	EvOff          []int32
	EvT, EvVal     []float64
	EvKind, EvIdx  []int32
	Times          []float64
	RTol, ATol     float64
	MaxSteps       int
	Out            []float64 // Out[(i*NT+k)*NOut+j]
}

// PackModels lays out jobs for the generated kernel. The kernel takes one
// model and one grid of output times for all jobs and reports the model's
// outputs; other jobs are refused with the job named (the CPU backend runs
// them).
func PackModels(jobs []cohort.ModelJob) (*PackedModel, error) {
	if len(jobs) == 0 {
		return &PackedModel{}, nil
	}
	m := jobs[0].Model
	if len(m.Spec.Outputs) == 0 {
		return nil, &cohort.JobError{Job: 0, Err: fmt.Errorf("cuda: model %s declares no outputs for the kernel to report", m.Spec.Name)}
	}
	pm := &PackedModel{Source: m.CUDASource(ModelPrefix), Kernel: modlang.KernelName(ModelPrefix), N: len(jobs),
		NT: len(jobs[0].Times), NOut: len(m.Spec.Outputs), Times: jobs[0].Times, RTol: 1e-10, ATol: 1e-12, MaxSteps: 1_000_000}
	// each tolerance defaults on its own, as in modlang's Simulate
	if o := jobs[0].Options; o.RTol > 0 {
		pm.RTol = o.RTol
	}
	if o := jobs[0].Options; o.ATol > 0 {
		pm.ATol = o.ATol
	}
	for j, jb := range jobs {
		fail := func(f string, a ...any) error { return &cohort.JobError{Job: j, Err: fmt.Errorf("cuda: "+f, a...)} }
		switch {
		case jb.Model != m:
			return nil, fail("one model per launch (job 0 has %s, this one %s)", m.Spec.Name, jb.Model.Spec.Name)
		case !slices.Equal(jb.Times, pm.Times):
			return nil, fail("one grid of output times per launch")
		case jb.Options.RTol != jobs[0].Options.RTol || jb.Options.ATol != jobs[0].Options.ATol:
			return nil, fail("one tolerance per launch")
		}
		for _, n := range jb.Names {
			if !slices.Contains(m.Spec.Outputs, n) {
				return nil, fail("the kernel reports the model's outputs %v, not %q", m.Spec.Outputs, n)
			}
		}
	}
	// each job's parameters, initial state and events, on all cores (one
	// instance per worker), then the events laid end to end
	np, ns := len(m.Defaults()), m.NumStates()
	pm.P, pm.Y0 = make([]float64, pm.N*np), make([]float64, pm.N*ns)
	evs, errs := make([]modlang.KernelEvents, pm.N), make([]error, pm.N)
	ins := make([]*modlang.Instance, runtime.GOMAXPROCS(0))
	par.Strided(pm.N, len(ins), func(w, j int) {
		if ins[w] == nil {
			ins[w] = m.NewInstance()
		}
		in, p := ins[w], jobs[j].Params
		if p == nil {
			p = m.Defaults()
		}
		if errs[j] = in.SetParams(p); errs[j] != nil {
			return
		}
		copy(pm.P[j*np:(j+1)*np], p)
		evs[j], errs[j] = in.KernelEvents(jobs[j].Doses)
		in.Init(pm.Y0[j*ns : (j+1)*ns])
	})
	for j, err := range errs {
		if err != nil {
			return nil, &cohort.JobError{Job: j, Err: fmt.Errorf("cuda: %v", err)}
		}
	}
	ne := 0
	for _, ev := range evs {
		ne += len(ev.T)
	}
	pm.EvOff = make([]int32, 0, pm.N+1)
	pm.EvT, pm.EvKind, pm.EvIdx, pm.EvVal = make([]float64, 0, ne), make([]int32, 0, ne), make([]int32, 0, ne), make([]float64, 0, ne)
	for _, ev := range evs {
		pm.EvOff = append(pm.EvOff, int32(len(pm.EvT)))
		pm.EvT, pm.EvKind, pm.EvIdx, pm.EvVal = append(pm.EvT, ev.T...), append(pm.EvKind, ev.Kind...), append(pm.EvIdx, ev.Idx...), append(pm.EvVal, ev.Val...)
	}
	pm.EvOff = append(pm.EvOff, int32(len(pm.EvT)))
	return pm, nil
}

// Unpack writes the kernel's outputs into the jobs' Values (the names each
// job asked for; its first output when it named none), on all cores.
func (pm *PackedModel) Unpack(jobs []cohort.ModelJob) {
	// one allocation for every job's values (an allocation per job and
	// quantity was most of the host's time for 50 000 subjects)
	off := make([]int, len(jobs)+1)
	for i := range jobs {
		off[i+1] = off[i] + max(1, len(jobs[i].Names))*pm.NT
	}
	all := make([]float64, off[len(jobs)])
	par.Strided(len(jobs), 0, func(_, i int) {
		jb := &jobs[i]
		names := jb.Names
		if names == nil {
			names = jb.Model.Spec.Outputs[:1]
		}
		jb.Values = make([][]float64, len(names))
		for k, n := range names {
			o := slices.Index(jb.Model.Spec.Outputs, n)
			v := all[off[i]+k*pm.NT : off[i]+(k+1)*pm.NT : off[i]+(k+1)*pm.NT]
			for t := range v {
				v[t] = pm.Out[(i*pm.NT+t)*pm.NOut+o]
			}
			jb.Values[k] = v
		}
	})
}

// OutLen is the length of Out, which the launch fills: PackModels leaves
// Out to whoever fills it (the worker points it at shared memory).
func (pm *PackedModel) OutLen() int { return pm.N * pm.NT * pm.NOut }

// Room makes Out OutLen long, allocating it unless it already is.
func (pm *PackedModel) Room() {
	if len(pm.Out) != pm.OutLen() {
		pm.Out = make([]float64, pm.OutLen())
	}
}

package cuda

import (
	"fmt"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
)

// DefaultHMax is the largest RK4 step (h) of the job kernel for models with
// Michaelis–Menten elimination; outputs and inputs also end steps.
const DefaultHMax = 1.0 / 64

// PackedJobs is a run of trial jobs in mt_job's layout (what the CUDA worker
// receives): parameters as in
// packed (p[q*n+i]), each job's inputs and output times as compressed rows.
type PackedJobs struct {
	N                  int
	P                  []float64
	InOff, InState     []int32
	InT, InAmt, InRate []float64
	OutOff             []int32
	OutT, OutC         []float64
	HMax               float64
}

// jobInputs expands every job's records on all cores (refusing what the
// kernel cannot take, such as steady-state records, with the first such job
// named).
func jobInputs(jobs []cohort.Job) ([][]pk.Input, error) {
	out := make([][]pk.Input, len(jobs))
	errs := make([]error, len(jobs))
	par.Strided(len(jobs), 0, func(_, j int) {
		jb := jobs[j]
		in, err := jb.Model.Inputs(jb.Doses)
		if err != nil {
			errs[j] = &cohort.JobError{Job: j, Err: fmt.Errorf("cuda: %w", err)}
			return
		}
		for k := 1; k < len(jb.Times); k++ {
			if !(jb.Times[k] >= jb.Times[k-1]) {
				errs[j] = &cohort.JobError{Job: j, Err: fmt.Errorf("cuda: output times must be ascending (time %d is %v after %v)", k+1, jb.Times[k], jb.Times[k-1])}
				return
			}
		}
		out[j] = in
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// packJobs lays out jobs [lo, hi) with their expanded inputs: the offsets
// first, then every array at its final size filled on all cores (each job
// writes its own rows; appending 30 M output times to a growing slice took
// seconds).
func packJobs(jobs []cohort.Job, inputs [][]pk.Input, lo, hi int) *PackedJobs {
	n := hi - lo
	pj := &PackedJobs{N: n, P: make([]float64, nParam*n), InOff: make([]int32, n+1), OutOff: make([]int32, n+1), HMax: DefaultHMax}
	for i := 0; i < n; i++ {
		pj.InOff[i+1] = pj.InOff[i] + int32(len(inputs[lo+i]))
		pj.OutOff[i+1] = pj.OutOff[i] + int32(len(jobs[lo+i].Times))
	}
	ni, no := pj.InOff[n], pj.OutOff[n]
	pj.InT, pj.InState, pj.InAmt, pj.InRate = make([]float64, ni), make([]int32, ni), make([]float64, ni), make([]float64, ni)
	pj.OutT = make([]float64, no)
	par.Strided(n, 0, func(_, i int) {
		m := jobs[lo+i].Model
		depot := 0.0
		if m.Absorption {
			depot = 1
		}
		for q, v := range [nParam]float64{pKA: m.P.KA, pCL: m.P.CL, pV1: m.P.V1, pQ2: m.P.Q2, pV2: m.P.V2, pQ3: m.P.Q3, pV3: m.P.V3,
			pVMax: m.P.VMax, pKM: m.P.KM, pNCmt: float64(m.NCmt), pDepot: depot} {
			pj.P[q*n+i] = v
		}
		for k, in := range inputs[lo+i] {
			r := int(pj.InOff[i]) + k
			pj.InT[r], pj.InState[r], pj.InAmt[r], pj.InRate[r] = in.T, int32(in.State), in.Amount, in.Rate
		}
		copy(pj.OutT[pj.OutOff[i]:pj.OutOff[i+1]], jobs[lo+i].Times)
	})
	return pj
}

// unpack copies the concentrations into jobs [lo, lo+N): one allocation for
// the run, each job's Conc a slice of it, copied on all cores.
func (pj *PackedJobs) unpack(jobs []cohort.Job, lo int) {
	conc := make([]float64, len(pj.OutC))
	par.Strided(pj.N, 0, func(_, i int) {
		a, z := pj.OutOff[i], pj.OutOff[i+1]
		copy(conc[a:z], pj.OutC[a:z])
		jobs[lo+i].Conc = conc[a:z:z]
	})
}

// jobBytes is the device memory of one job: parameters, two offsets, its
// inputs (time, amount, rate, state) and its outputs (time, concentration).
func jobBytes(inputs, outputs int) int64 {
	return int64(nParam)*8 + 8 + int64(inputs)*28 + int64(outputs)*16
}

// runJobsChunked simulates jobs in runs that fit the memory budget (and at
// most maxN jobs each) with run; a job's numbers do not depend on its run.
func runJobsChunked(jobs []cohort.Job, budget int64, maxN int, run func(*PackedJobs) error) error {
	inputs, err := jobInputs(jobs)
	if err != nil {
		return err
	}
	for lo := 0; lo < len(jobs); {
		hi, used := lo, int64(0)
		for hi < len(jobs) && hi-lo < maxN {
			b := jobBytes(len(inputs[hi]), len(jobs[hi].Times))
			if hi > lo && used+b > budget {
				break
			}
			if b > budget {
				return fmt.Errorf("cuda: job %d needs %d bytes of device memory, more than the %d available", hi, b, budget)
			}
			used += b
			hi++
		}
		laps := StartLaps("%d jobs", hi-lo)
		pj := packJobs(jobs, inputs, lo, hi)
		laps.Lap("pack")
		if err := run(pj); err != nil {
			return err
		}
		laps.Lap("launch")
		pj.unpack(jobs, lo)
		laps.Lap("unpack")
		laps.Done()
		lo = hi
	}
	return nil
}

// Package cuda is medtwin's GPU backend for virtual cohorts: it implements
// physio/cohort.Backend and JobRunner with one CUDA thread per subject,
// double precision, for (a) the exact transition-matrix path of linear PK
// models and (b) a fixed-step RK4 integrator for models with Michaelis–Menten
// elimination, both for cohort batches and for trial jobs (any NONMEM
// records but steady state, each job's own output times). Doses and outputs
// are handled on the device; results come back in runs sized to the device's
// free memory.
//
// Files: kernels.h holds the per-subject work in portable C; kernels.cu wraps
// it as kernels; kernels.ptx is nvcc's output for sm_90 (`make ptx`),
// embedded in the binary. batch.go packs a cohort.Batch into the kernels'
// layout and back (no GPU needed, tested on the CPU); emu.go runs kernels.h
// on the CPU through cgo so that the tests check the device arithmetic
// against the CPU backend; backend.go (build tag cuda) drives the device
// through gorgonia.org/cu. cmd/medtwin imports this package only with the
// tag (`make cuda`). See ../../README.md, "GPU cohorts".
package cuda

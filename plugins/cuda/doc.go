// Package cuda is medtwin's GPU backend for virtual cohorts: it registers the
// "cuda" physio/cohort.Backend (and JobRunner) with one CUDA thread per
// subject, double precision, for (a) the exact transition-matrix path of
// linear PK models and (b) a fixed-step RK4 integrator for models with
// Michaelis–Menten elimination, both for cohort batches and for trial jobs
// (any NONMEM records but steady state, each job's own output times); and
// (c) any model of the model language (physio/modlang; a trial's model{}),
// whose kernel physio/modlang generates from the model's graph (adaptive
// Dormand–Prince 5(4)) and the worker compiles with NVRTC at run time
// (Worker.SimulateModels, a cohort.ModelRunner).
//
// medtwin itself never links CUDA. gorgonia.org/cu exits the process in its
// package init when no driver loads, and linking it makes libcuda a
// load-time dependency; so the device code runs in a worker process,
// cmd/medtwin-cuda-worker, the only program built with cu (build tag cuda).
// The backend (Worker, worker.go) starts it on first use (`--backend cuda`,
// or `auto` probing) and speaks to it over its stdin and stdout
// (protocol.go); when the worker is missing, cannot load the driver or finds
// no device, the error says which, and "auto" falls back to the CPU saying
// why. The worker is found in $MEDTWIN_CUDA_WORKER, else beside the running
// executable (medtwin-cuda-worker), else in the binary itself: `make cuda`
// embeds it in bin/medtwin-cuda, which writes it once to the user's cache
// directory (named by its hash). One medtwin binary thus runs with and
// without a GPU.
//
// Files: kernels.h holds the per-subject work in portable C; kernels.cu wraps
// it as kernels; device/kernels.ptx is nvcc's output for sm_90 (`make ptx`),
// embedded in the worker. batch.go and jobs.go pack cohort work into the
// kernels' layout and back and cut it into launches that fit the device's
// memory (no GPU needed, tested on the CPU); emu.go runs kernels.h on the CPU
// through cgo so that the tests check the device arithmetic against the CPU
// backend, and serves as the fake device behind the worker protocol in the
// tests (worker_test.go); serve.go is the worker's side of the protocol;
// models.go packs model-language jobs for the kernel physio/modlang
// generates (CUDASource), which device/model.go compiles at run time with
// NVRTC; modelrun.go groups a call's model jobs into launches (one model,
// grid of output times and tolerance each; quantities a model does not
// declare as outputs are added to a copy's) and runs on the CPU, saying so,
// what the kernel cannot take: the stiff path, and jobs whose kernel run
// failed. The tests stand in the host C compiler for NVRTC behind the same
// protocol (worker_models_test.go). device/ drives the GPU through
// gorgonia.org/cu, opens NVRTC with dlopen when a model is first compiled
// (device/nvrtc.go: so that the worker starts beside any CUDA 11.2-13
// toolkit) and page-locks the worker's shared output (device/pin.go).
// trace.go times each launch's phases when MEDTWIN_CUDA_TRACE is set. Run on
// an NVIDIA H200 on 2026-11-30: every parity test passed (bin/cuda.test and
// bin/cudadev.test, `make cuda-check`). See ../../README.md, "GPU cohorts".
package cuda

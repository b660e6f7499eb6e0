// Package cohort simulates virtual cohorts: populations drawn from covariate
// distributions (with correlations and truncation), each subject with its own
// random stream — so a subject's result does not depend on batch size, thread
// count or shard — run in structure-of-arrays batches through a Backend. The CPU
// backend is the default; a CUDA backend (plugins/cuda) registers itself under
// its own name.
package cohort

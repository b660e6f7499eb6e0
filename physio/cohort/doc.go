// Package cohort simulates virtual cohorts: populations drawn from covariate
// distributions (with correlations and truncation), each subject with its own
// random stream — so a subject's result does not depend on batch size, thread
// count or shard — run in structure-of-arrays batches through a Backend. The CPU
// backend is the default; other backends (a GPU plugin, say) register themselves
// under their own names, and "auto" takes a ready one (Prober) over the CPU.
package cohort

// Package rng gives every stochastic element of a simulation its own named,
// independent stream of random numbers.
//
// A stream is a PCG generator (math/rand/v2) whose two seed words are derived by
// hashing (seed, replication, name, id). Because a stream depends only on its own
// key, adding a resource or a draw in one part of a model never shifts the numbers
// drawn elsewhere: a baseline and a variant that share a seed see the same arrivals,
// the same acuities and the same service times (common random numbers), which is
// what makes paired counterfactual comparisons precise.
//
// Distributions come from gonum's stat/distuv with the stream as their source.
package rng

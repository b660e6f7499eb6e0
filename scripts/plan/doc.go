// Package plan answers "what if?" and "what is cheapest?" over any Model (a Lua
// scenario or a model built in Go with the engine):
// counterfactual comparison with common random numbers (Compare), parameter
// grids run on all cores and resumable (Sweep), and the cheapest plan that meets
// service constraints by sequential replication until each confidence interval
// decides (Optimize).
package plan

// Package stats holds the output statistics of a simulation: tallies of
// observations (Welford's running mean and variance), time-weighted averages of
// piecewise-constant quantities (queue length, busy servers), and summaries across
// replications with Student-t confidence intervals, plus batch means for a single
// long run (Law 2015, Simulation Modeling and Analysis, 5th ed., §9.5.3), and
// the distances between a simulated and an observed sample that validation uses
// (two-sample Kolmogorov–Smirnov, k-sample Anderson–Darling, Wasserstein-1,
// population stability index). Sample quantiles have one rule everywhere
// medtwin prints or plots a percentile: Quantile, linear interpolation
// (Hyndman & Fan 1996 type 7, R's default).
package stats

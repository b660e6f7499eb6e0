-- scenarios/iiv_trial.lua: the simplest population an mrgsolve or rxode2 user
-- writes: no covariates, subjects that differ by their inter-individual
-- variability alone, dosed at steady state, levels measured by an assay with
-- a lower limit of quantification.
--
-- PK: oral theophylline, one compartment with first-order absorption, as
-- fitted to the Theoph data by Pinheiro & Bates 2000 (Mixed-Effects Models in
-- S and S-PLUS, §8.2) for a 70 kg adult: ka = 1.57 /h, CL = 0.0402 L/h/kg ·
-- 70 kg = 2.81 L/h, V = CL/ke = 2.81/0.0878 = 32.0 L; random effects (log
-- scale) SD 0.64 on ka, 0.17 on CL; residual SD 0.7 mg/L.
--
--   medtwin trial scenarios/iiv_trial.lua
return trial {
  name = "iiv_trial",
  description = "300 mg theophylline every 12 h at steady state, then a 48 h washout, IIV only",
  subjects = 1000, seed = 1,
  -- no population: every subject has the typical values times exp(η)
  model = function(s) return { ncmt = 1, ka = 1.57, cl = 2.81, v1 = 32.0 } end,
  iiv = { ka = 0.64, cl = 0.17 },
  arms = {
    -- ss = 1: at time 0 the subject is in the steady state of 300 mg every
    -- 12 h (NONMEM's SS=1), then takes that dose, the last one
    { name = "300 mg q12h, last dose", doses = { { amt = 300, ii = 12, ss = 1, cmt = 1 } } },
  },
  -- an HPLC assay quantifies from 0.5 mg/L: levels below it are reported at
  -- LLOQ/2 with a blq_<t>h flag (blq = "flag" reports them at the limit,
  -- "drop" leaves them out)
  sampling = { times = { 2, 12, 24, 36, 48 }, residual = { add = 0.7 }, lloq = 0.5, blq = "lloq/2" },
  endpoints = {
    auc_tau = { auc = { 0, 12 } },   -- at steady state F·dose/CL (mass balance)
    trough = { conc = 12 },
    peak = { cmax = { 0, 12 } },
  },
  target = { endpoint = "trough", min = 5, max = 15 },
  -- grid: every subject's concentration is computed every 0.1 h from 0 to
  -- the last endpoint or sampling time (48 h), plus a point just before each
  -- dose. AUC is the trapezoidal rule on it (error about grid²/12 · |C''| per
  -- hour: here under 1e-3 relative), cmax and cmin the extreme grid points,
  -- conc, time_above and the sampled levels are interpolated linearly between
  -- points. Halving it halves the speed; the default is 0.05.
  grid = 0.1,
}

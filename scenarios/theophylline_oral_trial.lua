-- scenarios/theophylline_oral_trial.lua: oral theophylline maintenance dosing in
-- adults, fixed doses against a weight-based dose, judged on the steady-state
-- trough within the 5–15 mg/L range (NAEPP Expert Panel Report 3, 2007).
--
-- PK: first-order absorption, one compartment, as fitted to the Theoph data
-- (Boeckmann, Sheiner & Beal 1994, NONMEM Users Guide V) by Pinheiro & Bates
-- 2000 (Mixed-Effects Models in S and S-PLUS, §8.2): ka = exp(0.451) = 1.57 /h,
-- ke = exp(-2.433) = 0.0878 /h, CL = exp(-3.214) = 0.0402 L/h per kg, so
-- V = CL/ke = 0.458 L/kg; random effects (log scale) SD 0.64 on ka, 0.17 on CL;
-- residual SD 0.7 mg/L. Bioavailability is taken as complete.
--
-- The PK has no PD here: an endpoint with of = "effect" evaluates a direct Emax
-- model returned by model(s), see README.
--
--   medtwin trial scenarios/theophylline_oral_trial.lua
return trial {
  name = "theophylline_oral_trial",
  description = "300 mg vs 400 mg vs 6 mg/kg every 12 h by mouth: trough in 5–15 mg/L on day 3",
  subjects = 5000, seed = 1,
  population = {
    covariates = {
      { name = "weight_kg", dist = "lognormal", median = 75, sigma = 0.2, min = 40, max = 160 },
      { name = "female",    dist = "bernoulli", p = 0.5 },
    },
  },
  model = function(s)
    local cl = 0.0402 * s.weight_kg
    return { ncmt = 1, ka = 1.57, cl = cl, v1 = cl / 0.0878 }
  end,
  iiv = { ka = 0.64, cl = 0.17 },
  arms = {
    { name = "300 mg q12h", doses = { { amt = 300, ii = 12, addl = 7, cmt = 1 } } },
    { name = "400 mg q12h", doses = { { amt = 400, ii = 12, addl = 7, cmt = 1 } } },
    { name = "6 mg/kg q12h", doses = function(s)
        return { { amt = 6 * s.weight_kg, ii = 12, addl = 7, cmt = 1 } }
      end },
  },
  -- a trough level before the day-3 morning dose
  sampling = { times = { 47.9 }, residual = { add = 0.7 } },
  endpoints = {
    trough_day3 = { cmin = { 48, 72 } },
    peak_day3 = { cmax = { 48, 72 } },
    auc24_day3 = { auc = { 48, 72 } },
    hours_above_20 = { time_above = 20, window = { 48, 72 } },   -- toxicity risk above 20 mg/L
  },
  target = { endpoint = "trough_day3", min = 5, max = 15 },
  replicates = { n = 50, alpha = 0.05 },
}

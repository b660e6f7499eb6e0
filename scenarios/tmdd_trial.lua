-- scenarios/tmdd_trial.lua: a monoclonal antibody with target-mediated drug
-- disposition, given under the skin every 2 weeks at three dose levels, judged
-- on the free-drug trough before the third dose: a trough of at least 10·KSS
-- holds the target at least 91% occupied (occupancy C/(KSS + C) in the
-- quasi-steady-state approximation; Gibiansky L, Gibiansky E, Kakkar T, Ma P
-- 2008, J Pharmacokinet Pharmacodyn 35:573-591).
--
-- The model is the library's tmdd_qss (`medtwin models show tmdd_qss`), written
-- in the model language; it is nonlinear in its states, so each subject runs on
-- the Taylor path. Clearance and volume scale allometrically with weight
-- (exponents 0.75 and 1: Anderson BJ, Holford NHG 2008, Annu Rev Pharmacol
-- Toxicol 48:303-332); their η are correlated (NONMEM's $OMEGA BLOCK(2):
-- variances 0.09 and 0.04, covariance 0.03, correlation 0.5), the target's
-- synthesis rate varies on its own. Typical values are the library's
-- illustrative ones.
--
--   medtwin trial scenarios/tmdd_trial.lua
local mab = model.library("tmdd_qss")

local function q2w(nmol)
  return { { amt = nmol, ii = 336, addl = 2, cmt = 1 } } -- into the depot
end

return trial {
  name = "tmdd_trial",
  description = "100 vs 300 vs 1000 nmol SC every 2 weeks: free-drug trough >= 10·KSS before the third dose",
  subjects = 1000, seed = 1,
  population = {
    covariates = {
      { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 160 },
    },
  },
  model = mab,
  params = function(s)
    return { CL = 0.01 * (s.weight_kg / 70)^0.75, V1 = 3 * s.weight_kg / 70 }
  end,
  omega = { params = { "CL", "V1" }, block = { 0.09, 0.03, 0.04 } },
  iiv = { KSYN = 0.3 },
  output = "c", -- free drug, nmol/L
  arms = {
    { name = "100 nmol q2w", doses = q2w(100) },
    { name = "300 nmol q2w", doses = q2w(300) },
    { name = "1000 nmol q2w", doses = q2w(1000) },
  },
  grid = 1,
  endpoints = {
    auc_c = { auc = { 0, 672 } },                      -- free drug, nmol·h/L
    trough = { conc = 671 },                           -- before the third dose
    rtot_max = { cmax = { 0, 1008 }, of = "rtot" },    -- total target accumulates as complex
  },
  target = { endpoint = "trough", min = 10 },          -- 10·KSS, KSS = 1 nmol/L
}

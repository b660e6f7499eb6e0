-- scenarios/vancomycin_trial.lua: vancomycin dosing in hospitalised adults, three
-- regimens compared on the probability of reaching the AUC target of the 2020
-- consensus guideline (AUC24 400–600 mg·h/L; Rybak et al. 2020, Am J Health Syst
-- Pharm 77:835). PK: the two-compartment model of Goti et al. 2018 (Ther Drug
-- Monit 40:212; see `medtwin models vancomycin`) with CL on creatinine clearance
-- and V1 on weight; IIV as published (CL 39.8%, V1 81.6% CV, taken as log-scale SDs).
-- Each virtual patient gets every regimen (a paired design).
--
--   medtwin trial scenarios/vancomycin_trial.lua
return trial {
  name = "vancomycin_trial",
  description = "1 g q12h vs 15 mg/kg q12h vs CrCl-based dosing: AUC24 target attainment and subgroups",
  subjects = 2000, seed = 1,
  population = {
    covariates = {
      -- adult inpatients; broad but plausible (NHANES-like adult weight, creatinine log-normal)
      { name = "age_y",     dist = "normal",    mean = 58, sd = 17, min = 18, max = 95 },
      { name = "weight_kg", dist = "lognormal", median = 80, sigma = 0.22, min = 40, max = 200 },
      { name = "scr_mg_dl", dist = "lognormal", median = 0.95, sigma = 0.4, min = 0.3, max = 6 },
      { name = "female",    dist = "bernoulli", p = 0.45 },
    },
    -- older patients have higher creatinine; weight and age mildly related
    correlation = {
      { 1,    0.1, 0.3, 0 },
      { 0.1,  1,   0.1, 0 },
      { 0.3,  0.1, 1,   0 },
      { 0,    0,   0,   1 },
    },
  },
  -- typical parameters from covariates (Goti et al. 2018, no dialysis)
  model = function(s)
    local crcl = math.min(s.crcl_ml_min, 150)
    return { ncmt = 2, cl = 4.5 * (crcl / 120) ^ 0.8, v1 = 58.4 * s.weight_kg / 70, q2 = 6.5, v2 = 38.4 }
  end,
  iiv = { cl = 0.398, v1 = 0.816 },
  arms = {
    { name = "1 g q12h", doses = { { time = 0, amt = 1000, rate = 1000, ii = 12, addl = 5, cmt = 1 } } },
    { name = "15 mg/kg q12h", doses = function(s)
        local amt = math.min(15 * s.weight_kg, 2000)
        return { { time = 0, amt = amt, rate = 1000, ii = 12, addl = 5, cmt = 1 } }
      end },
    -- model-informed: daily dose = target AUC (500) × typical CL from the covariates
    { name = "CrCl-based", doses = function(s)
        local cl = 4.5 * (math.min(s.crcl_ml_min, 150) / 120) ^ 0.8
        local amt = math.max(250, math.min(500 * cl / 2, 2000))
        return { { time = 0, amt = amt, rate = 1000, ii = 12, addl = 5, cmt = 1 } }
      end },
  },
  sampling = { times = { 47.5 }, residual = { add = 1.0, prop = 0.15 } },
  endpoints = {
    auc24_day3 = { auc = { 48, 72 } },
    trough_72h = { conc = 71.9 },
    cmax_day3 = { cmax = { 48, 72 } },
  },
  target = { endpoint = "auc24_day3", min = 400, max = 600 },
}

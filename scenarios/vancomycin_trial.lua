-- scenarios/vancomycin_trial.lua: vancomycin dosing in hospitalised adults, three
-- regimens compared on the probability of reaching the AUC target of the 2020
-- consensus guideline (AUC24 400–600 mg·h/L; Rybak et al. 2020, Am J Health Syst
-- Pharm 77:835). PK: the two-compartment model of Goti et al. 2018 (Ther Drug
-- Monit 40:212; see `medtwin models vancomycin`) with CL on creatinine clearance
-- and V1 on weight; IIV as published in its Table 2 (CL 39.8%, V1 81.6%, V2 57.1% CV,
-- taken as log-scale SDs).
-- Each virtual patient gets every regimen (a paired design): 1 g q12h, 15 mg/kg
-- q12h, and 15 mg/kg adjusted after two levels (AUC-guided).
--
--   medtwin trial scenarios/vancomycin_trial.lua
-- 15 mg/kg (at most 2 g) as a 1 g/h infusion every 12 h from 0 h, addl more doses
local function fixed_mg_kg(s, addl)
  local amt = math.min(15 * s.weight_kg, 2000)
  return { { time = 0, amt = amt, rate = 1000, ii = 12, addl = addl, cmt = 1 } }
end

return trial {
  name = "vancomycin_trial",
  description = "1 g q12h vs 15 mg/kg q12h vs AUC-guided dosing: AUC24 target attainment and subgroups",
  subjects = 12000, seed = 1,
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
  -- typical parameters from covariates (Goti et al. 2018, no dialysis). CrCL is
  -- Cockcroft–Gault as in the study (Goti 2018, Methods): for patients older than 60
  -- a creatinine below 1 mg/dL is set to 1 first (Cockcroft–Gault is inversely
  -- proportional to creatinine), and CrCL is capped at 150 mL/min
  model = function(s)
    local scr = s.scr_mg_dl
    if s.age_y > 60 then scr = math.max(scr, 1) end
    local crcl = math.min(s.crcl_ml_min * s.scr_mg_dl / scr, 150)
    return { ncmt = 2, cl = 4.5 * (crcl / 120) ^ 0.8, v1 = 58.4 * s.weight_kg / 70, q2 = 6.5, v2 = 38.4 }
  end,
  iiv = { cl = 0.398, v1 = 0.816, v2 = 0.571 },
  arms = {
    { name = "1 g q12h", doses = { { time = 0, amt = 1000, rate = 1000, ii = 12, addl = 7, cmt = 1 } } },
    { name = "15 mg/kg q12h", doses = function(s) return fixed_mg_kg(s, 7) end },
    -- AUC-guided (Rybak et al. 2020): 15 mg/kg q12h, a peak and a trough around the
    -- 36 h dose, the AUC24 by the two-level equations of Pai et al. 2014 (Adv Drug
    -- Deliv Rev 77:50, one-compartment log-linear with a trapezoid over the
    -- infusion), and from 48 h the dose scaled to AUC24 = 500 (linear PK), rounded to
    -- 250 mg and kept within 250–3000 mg as on a ward.
    { name = "AUC-guided", doses = function(s) return fixed_mg_kg(s, 7) end,
      adapt = { at = 48, fn = function(s, levels, t)
        local amt = fixed_mg_kg(s, 0)[1].amt
        local tinf = amt / 1000
        local peak, trough = levels[1], levels[2]   -- 38.5 h and 47.5 h
        if trough.dv <= 0 or peak.dv <= trough.dv then return nil end -- no estimate: keep the dose
        local k = math.log(peak.dv / trough.dv) / (trough.time - peak.time)
        local cmax = peak.dv * math.exp(k * (peak.time - (36 + tinf)))
        local cmin = trough.dv * math.exp(-k * (t - trough.time))
        local auc24 = 2 * (tinf * (cmax + cmin) / 2 + (cmax - cmin) / k)
        local new = math.floor(amt * 500 / auc24 / 250 + 0.5) * 250
        new = math.max(250, math.min(3000, new))
        return { { time = t, amt = new, rate = 1000, ii = 12, addl = 3, cmt = 1 } }
      end } },
  },
  -- measured levels (for the AUC-guided arm) with residual error; Goti et al. 2018
  -- estimated 22.7% and 3.4 mg/L including model misspecification, an assay alone is
  -- smaller: 15% and 1 mg/L here
  sampling = { times = { 38.5, 47.5 }, residual = { add = 1.0, prop = 0.15 } },
  endpoints = {
    auc24_day4 = { auc = { 72, 96 } },
    trough_96h = { conc = 95.9 },
    cmax_day4 = { cmax = { 72, 96 } },
  },
  target = { endpoint = "auc24_day4", min = 400, max = 600 },
  -- power: the 12000 virtual patients cut into 40 parallel-group trials of 100 per arm
  replicates = { n = 100, alpha = 0.05 },
  -- concentration curves of the first 100 patients, hourly, in timeseries.arrow
  timeseries = { every = 1, subjects = 100 },
}

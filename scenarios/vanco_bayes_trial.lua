-- scenarios/vanco_bayes_trial.lua: Bayesian AUC-guided vancomycin dosing against
-- trough-guided and fixed dosing, in the same virtual patients (a paired design).
-- The 2020 ASHP/IDSA/PIDS/SIDP consensus guideline (Rybak et al. 2020, Am J Health
-- Syst Pharm 77:835) moved vancomycin monitoring from troughs of 15–20 mg/L to an
-- AUC24 of 400–600 mg·h/L, preferably estimated by a Bayesian program from one or
-- two levels; this trial asks how often each strategy lands a patient's day-4 AUC24
-- in that range.
--
-- Patients and PK as in scenarios/vancomycin_trial.lua: the two-compartment model
-- of Goti et al. 2018 (Ther Drug Monit 40:212) with CL on creatinine clearance and
-- V1 on weight, IIV of its Table 2 (CL 39.8%, V1 81.6%, V2 57.1% CV, as log-scale
-- SDs). Every arm starts with 15 mg/kg (at most 2 g) q12h as 1 g/h infusions; a
-- peak (38.5 h) and a trough (47.5 h) around the 36 h dose are measured with assay
-- error, and from 48 h:
--   * 15 mg/kg q12h: nothing changes;
--   * trough-guided: the 2009 consensus (Rybak et al. 2009, Am J Health Syst Pharm
--     66:82): a trough outside 15–20 mg/L scales the dose to a trough of 17.5 (linear
--     PK), rounded to 250 mg within 250–3000 mg;
--   * Bayesian AUC-guided: ctx:map fits the patient's two levels (MAP, physio/fit,
--     as `medtwin fit --method map`) under the population model the patients were
--     drawn from (the model is right: the best case for a Bayesian program), and
--     ctx:map's recommend picks the q12h dose with the highest posterior
--     probability of AUC24 400–600 (1000 posterior draws).
--
--   medtwin trial scenarios/vanco_bayes_trial.lua --out out/vanco_bayes

-- 15 mg/kg (at most 2 g) as a 1 g/h infusion every 12 h from 0 h, addl more doses
local function fixed_mg_kg(s, addl)
  local amt = math.min(15 * s.weight_kg, 2000)
  return { { time = 0, amt = amt, rate = 1000, ii = 12, addl = addl, cmt = 1 } }
end

-- Goti et al. 2018 typical values for patient s (no dialysis); CrCL by
-- Cockcroft–Gault with creatinine set to at least 1 mg/dL over 60 years, capped at 150
local function typical(s)
  local scr = s.scr_mg_dl
  if s.age_y > 60 then scr = math.max(scr, 1) end
  local crcl = math.min(s.crcl_ml_min * s.scr_mg_dl / scr, 150)
  return { cl = 4.5 * (crcl / 120) ^ 0.8, v1 = 58.4 * s.weight_kg / 70, q2 = 6.5, v2 = 38.4 }
end

local iiv = { cl = 0.398, v1 = 0.816, v2 = 0.571 }
local residual = { add = 1.0, prop = 0.15 }

-- q12h from t on at amt mg (1 g/h), rounded to 250 mg within 250–3000 mg
local function q12h_from(t, amt)
  amt = math.max(250, math.min(3000, math.floor(amt / 250 + 0.5) * 250))
  return { { time = t, amt = amt, rate = 1000, ii = 12, addl = 3, cmt = 1 } }
end

local candidate_doses = {}
for d = 250, 3000, 250 do candidate_doses[#candidate_doses + 1] = d end

return trial {
  name = "vanco_bayes_trial",
  description = "15 mg/kg q12h vs trough-guided vs Bayesian AUC-guided vancomycin: day-4 AUC24 400-600 attainment",
  subjects = 2000, seed = 1,
  population = {
    covariates = {
      { name = "age_y",     dist = "normal",    mean = 58, sd = 17, min = 18, max = 95 },
      { name = "weight_kg", dist = "lognormal", median = 80, sigma = 0.22, min = 40, max = 200 },
      { name = "scr_mg_dl", dist = "lognormal", median = 0.95, sigma = 0.4, min = 0.3, max = 6 },
      { name = "female",    dist = "bernoulli", p = 0.45 },
    },
    correlation = {
      { 1,    0.1, 0.3, 0 },
      { 0.1,  1,   0.1, 0 },
      { 0.3,  0.1, 1,   0 },
      { 0,    0,   0,   1 },
    },
  },
  model = function(s)
    local p = typical(s)
    return { ncmt = 2, cl = p.cl, v1 = p.v1, q2 = p.q2, v2 = p.v2 }
  end,
  iiv = iiv,
  arms = {
    { name = "15 mg/kg q12h", doses = function(s) return fixed_mg_kg(s, 7) end },
    { name = "trough-guided", doses = function(s) return fixed_mg_kg(s, 7) end,
      adapt = { at = 48, fn = function(s, levels, t)
        local trough = levels[2].dv                  -- 47.5 h, before the 48 h dose
        if trough >= 15 and trough <= 20 then return nil end
        local amt = fixed_mg_kg(s, 0)[1].amt
        return q12h_from(t, amt * 17.5 / math.max(trough, 1))
      end } },
    { name = "Bayesian AUC-guided", doses = function(s) return fixed_mg_kg(s, 7) end,
      adapt = { at = 48, fn = function(s, levels, t, ctx)
        local p = typical(s)
        local fit = ctx:map {
          model = { compartments = 2 },
          theta = { CL = p.cl, V1 = p.v1, Q2 = p.q2, V2 = p.v2 },
          eta = { CL = "eta_cl", V1 = "eta_v1", V2 = "eta_v2" },
          omega = { names = { "eta_cl", "eta_v1", "eta_v2" }, diag = { iiv.cl ^ 2, iiv.v1 ^ 2, iiv.v2 ^ 2 } },
          sigma = { additive = residual.add, proportional = residual.prop },
          recommend = { target = { metric = "auc24", min = 400, max = 600 },
                        doses = candidate_doses, intervals = { 12 }, infusion = 1, draws = 1000 },
        }
        return q12h_from(t, fit.recommend.dose_mg)
      end } },
  },
  sampling = { times = { 38.5, 47.5 }, residual = residual },
  endpoints = {
    auc24_day4 = { auc = { 72, 96 } },
    trough_96h = { conc = 95.9 },
  },
  target = { endpoint = "auc24_day4", min = 400, max = 600 },
  -- power: the 2000 virtual patients cut into 6 parallel-group trials of 100 per arm
  replicates = { n = 100, alpha = 0.05 },
}

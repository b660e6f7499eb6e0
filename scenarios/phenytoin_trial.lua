-- scenarios/phenytoin_trial.lua: intravenous phenytoin maintenance in adults, a
-- nonlinear (Michaelis–Menten) drug, so this trial runs on the ODE path.
-- Fixed 300 mg/day against 5 mg/kg/day against 5 mg/kg/day adjusted on day 14
-- from one measured level; judged on the day-28 trough within the usual
-- 10–20 mg/L range (Winter 2010, below).
--
-- PK: one compartment with Michaelis–Menten elimination and the population
-- values of Winter ME, Basic Clinical Pharmacokinetics, 5th ed., 2010, ch.
-- "Phenytoin": Vmax 7 mg/kg/day, Km 4 mg/L, V 0.65 L/kg; doses are of
-- phenytoin sodium, salt factor S = 0.92. Between-subject variability is
-- assumed for illustration (log-scale SD 0.2 on Vmax and V, 0.5 on Km: Winter
-- reports Km from about 1 to 15 mg/L), not fitted; residual SD 1 mg/L.
--
-- The day-14 adjustment is Winter's single-level method: take the level as a
-- steady state, Vmax = R·(Km + C)/C with the population Km, then the new rate
-- R = Vmax·Ct/(Km + Ct) for a target Ct of 15 mg/L. Steady state takes weeks
-- when Km is small: moved to day 7 (at = 168, sampling 167.9), the same rule
-- overshoots (mean day-28 trough 37.6 mg/L, 30% attainment, against 49.7% on
-- day 14) because a rising level overstates Vmax.
--
--   medtwin trial scenarios/phenytoin_trial.lua
local S = 0.92        -- phenytoin acid per mg of phenytoin sodium
local KM_POP = 4      -- mg/L
local TARGET = 15     -- mg/L

-- q12h 30-minute infusions of `salt_mg` phenytoin sodium for 28 days from `from`
local function q12h(salt_mg, from)
  local amt = S * salt_mg
  return { { time = from or 0, amt = amt, rate = 2 * amt, ii = 12, addl = math.floor((672 - (from or 0)) / 12) - 1, cmt = 1 } }
end

local function mg_kg(s) return q12h(2.5 * s.weight_kg) end

return trial {
  name = "phenytoin_trial",
  description = "phenytoin 300 mg/day vs 5 mg/kg/day vs 5 mg/kg/day adjusted on day 14: trough in 10–20 mg/L on day 28",
  subjects = 2000, seed = 1,
  population = {
    covariates = {
      { name = "weight_kg", dist = "lognormal", median = 75, sigma = 0.2, min = 40, max = 160 },
      { name = "female",    dist = "bernoulli", p = 0.5 },
    },
  },
  model = function(s)
    return { ncmt = 1, cl = 0, v1 = 0.65 * s.weight_kg, vmax = 7 * s.weight_kg / 24, km = KM_POP }
  end,
  iiv = { vmax = 0.2, v1 = 0.2, km = 0.5 },
  arms = {
    { name = "300 mg/day", doses = q12h(150) },
    { name = "5 mg/kg/day", doses = mg_kg },
    { name = "5 mg/kg/day, adjusted", doses = mg_kg,
      adapt = { at = 336, fn = function(s, levels, t)
        local c = levels[#levels].dv          -- the trough before the day-15 morning dose
        if c <= 0.5 then return nil end       -- below quantification: keep the dose
        local r = S * 5 * s.weight_kg         -- mg/day of phenytoin given so far
        local vmax = r * (KM_POP + c) / c
        local new = vmax * TARGET / (KM_POP + TARGET) / S   -- mg/day of phenytoin sodium
        new = math.max(100, math.min(1000, math.floor(new / 50 + 0.5) * 50))
        return q12h(new / 2, t)
      end } },
  },
  sampling = { times = { 335.9 }, residual = { add = 1.0 } },
  grid = 0.5,
  endpoints = {
    trough_day28 = { cmin = { 660, 672 } },
    auc24_day28 = { auc = { 648, 672 } },
    hours_above_20 = { time_above = 20, window = { 648, 672 } },  -- toxicity (nystagmus, ataxia) above 20 mg/L
  },
  target = { endpoint = "trough_day28", min = 10, max = 20 },
  replicates = { n = 50, alpha = 0.05 },
}

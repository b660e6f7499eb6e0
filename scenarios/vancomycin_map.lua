-- Bayesian AUC-guided vancomycin dosing (Rybak et al. 2020, ASHP/IDSA
-- guideline, Am J Health-Syst Pharm 77:835: AUC24 400–600 mg·h/L, preferably
-- from two levels with a Bayesian program). One-compartment IV model with
-- illustrative population values in the range of published adult models
-- (CL ≈ 4 L/h at CrCL 100 mL/min, V ≈ 0.7 L/kg); replace them with those of
-- the model your institution validated.
--   medtwin fit scenarios/vancomycin_map.lua --data scenarios/vancomycin_levels.csv --recommend 1 --out out/vanco
return fit {
  name = "vancomycin_map",
  model = { compartments = 1, absorption = false },
  theta = { CL = 4.0, V1 = 50 },
  eta = { CL = "eta_cl", V1 = "eta_v" },
  omega = { names = { "eta_cl", "eta_v" }, matrix = { { 0.09, 0.01 }, { 0.01, 0.04 } } },
  sigma = { additive = 1.0, proportional = 0.1 },
  covariates = {
    CL = { { name = "CRCL", relation = "linear", ref = 100, coef = 0.006 } },
    V1 = { { name = "WT", relation = "power", ref = 70, coef = 1 } },
  },
  recommend = {
    target = { metric = "auc24", min = 400, max = 600 },
    doses = { 500, 750, 1000, 1250, 1500, 1750, 2000, 2500 },
    intervals = { 8, 12, 24 },
    infusion = 1,
    draws = 2000,
  },
  seed = 1,
}

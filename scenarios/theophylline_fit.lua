-- MAP individual estimates for the theophylline data (Boeckmann, Sheiner &
-- Beal 1994; R's datasets::Theoph, 12 subjects, one oral dose in mg/kg),
-- with the population values of Pinheiro & Bates (2000), Mixed-Effects Models
-- in S and S-PLUS, §8.2, model fm3Theo.nlme: first-order absorption and
-- elimination in the lKe, lKa, lCl parameterisation, random effects on lKa
-- and lCl, additive error.
--   medtwin fit scenarios/theophylline_fit.lua --data scenarios/theophylline.csv --out out/theoph
local lKe, lKa, lCl = -2.454703, 0.465729, -3.227222
return fit {
  name = "theophylline",
  description = "Pinheiro & Bates fm3Theo.nlme population values; MAP per subject",
  model = { compartments = 1, absorption = true },
  -- V = CL/ke: the volume shares the clearance's η (SSfol has no η on lKe)
  theta = { CL = math.exp(lCl), V1 = math.exp(lCl - lKe), KA = math.exp(lKa) },
  eta = { CL = "eta_cl", V1 = "eta_cl", KA = "eta_ka" },
  omega = { names = { "eta_ka", "eta_cl" }, diag = { 0.414199, 0.0278650 } },
  sigma = { additive = 0.709254 },  -- mg/L
}

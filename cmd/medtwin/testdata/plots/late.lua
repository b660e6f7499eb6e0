-- A resource created during the run (TestPlotUsageLateResource): desk "a"
-- exists from the start, desk "b" from 3 h; both are sampled every 30 min
-- from when they exist. A window before 3 h has no samples of b.
return scenario {
  name = "late",
  params = {},
  seed = 1, replications = 1, horizon = hours(6), warmup = 0, sample_every = minutes(30),

  build = function(sim, p)
    local a = sim:resource("a", 1)
    sim:schedule(hours(3), function()
      local b = sim:resource("b", 2)
      sim:process(function(proc) proc:use(b, hours(1)) end)
    end)
    sim:process(function(proc) proc:use(a, hours(1)) end)
  end,
}

-- Waits with preemption (TestPlotWaitsPreemption): a one-unit desk; a
-- low-priority job of 1 h arrives at 0 and is served at once (wait 0); an
-- urgent job of 30 min arrives at 30 min, preempts it and is served at once
-- (wait 0); the first job resumes at 1 h and ends at 1.5 h. Two requests,
-- both waited 0 s: the resumed service is not a second request or wait.
return scenario {
  name = "preempt",
  params = {},
  seed = 1, replications = 1, horizon = hours(3), warmup = 0,

  build = function(sim, p)
    local desk = sim:resource("desk", 1, { preempt_mode = "resume" })
    sim:process(function(proc) proc:use(desk, hours(1), { priority = 2 }) end)
    sim:schedule(minutes(30), function()
      sim:process(function(proc) proc:use(desk, minutes(30), { priority = 1, preempt = true }) end)
    end)
  end,
}

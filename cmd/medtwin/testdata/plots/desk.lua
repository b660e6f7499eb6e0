-- A hand-built scenario whose usage, waits and utilisation are known in
-- closed form (TestPlotUsageWaitsUtilisation): four jobs of one hour arrive
-- at time 0 at a desk of 2 clerks; a roster drops it to 1 clerk at 2 h and
-- raises it to 3 at 4 h 15 min (between two half-hourly samples).
--   jobs 1, 2 served 0-1 h (wait 0); jobs 3, 4 served 1-2 h (wait 60 min)
--   busy units 2 on [0, 2 h), then 0; queue 2 on [0, 1 h), then 0
--   utilisation = busy unit-time / capacity unit-time over the 6 h horizon
--              = (2 x 2 h) / (2 x 2 h + 1 x 2.25 h + 3 x 1.75 h) = 4 / 11.5
return scenario {
  name = "desk",
  description = "four one-hour jobs at a rostered desk: usage in closed form",
  params = {},
  seed = 1, replications = 2, horizon = hours(6), warmup = 0, sample_every = minutes(30),
  auto_flow = true, -- flow.arrow's wait_s: plot waits without a trace

  build = function(sim, p)
    local desk = sim:resource("desk", 2)
    desk:roster({ { at = hours(2), capacity = 1 }, { at = hours(4.25), capacity = 3 } })
    sim:source("job", function() return 0 end, function(proc)
      local req = proc:request(desk)
      proc:timeout(hours(1))
      proc:release(req)
    end, { limit = 4 })
  end,
}

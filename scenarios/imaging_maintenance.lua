-- scenarios/imaging_maintenance.lua: CT scanners that fail and are maintained.
-- ED patients need urgent scans around the clock; outpatients are booked every
-- 20 minutes from 08:00 to 18:00. Preventive maintenance takes one scanner each
-- night, either at once (preempting a scan) or after the current scan;
-- breakdowns always preempt. Compare: --set maintenance_preempt=true.
--
-- Defaults: MTBF 500 h and mean repair about 4 h, about 99% uptime as in
-- CT service contracts; scan times 15 min (ED) and 20 min (outpatient).
local ops = require("medtwin.ops")

return scenario {
  name = "imaging_maintenance",
  description = "CT scanners with failures and preventive maintenance: waits, downtime, overtime",
  params = {
    scanners            = param(2,    { min = 1, integer = true, unit = "scanners" }),
    mtbf_h              = param(500,  { min = 0, unit = "hours" }),
    mttr_h              = param(4,    { min = 0, unit = "hours (median)" }),
    maintenance_at      = param(2,    { min = 0, max = 23.99, unit = "hour of day" }),
    maintenance_min     = param(90,   { min = 1, unit = "minutes" }),
    maintenance_preempt = param(false, { doc = "maintenance interrupts a scan (true) or waits for it (false)" }),
    ed_scans_per_day    = param(40,   { min = 0, unit = "scans/day" }),
    restart_scans       = param(false, { doc = "an interrupted scan starts over (true) or resumes (false)" }),
  },
  seed = 1, replications = 20, horizon = days(90), warmup = days(5), sample_every = hours(1), trace = false,

  build = function(sim, p)
    local ct = ops.equipment(sim, "ct", {
      units = p.scanners, mtbf_h = p.mtbf_h, mttr_h = p.mttr_h, repair_sigma = 0.5,
      mode = p.restart_scans and "restart" or "resume",
      maintenance = { { at = p.maintenance_at, minutes = p.maintenance_min, preempt = p.maintenance_preempt } },
    })
    -- urgent ED scans (priority 1), Poisson around the clock
    ops.arrivals(sim, { per_day = p.ed_scans_per_day, stream = "ed" }, function(n)
      local rng = sim:entity_rng("ed-scan", n)
      sim:process(function(proc)
        local t0 = proc:now()
        proc:use(ct, rng:exp(1 / minutes(15)), { priority = 1 })
        sim:record("ed_scan_turnaround_min", (proc:now() - t0) / minutes(1))
      end)
    end)
    -- outpatients booked every 20 minutes, 08:00-18:00 (priority 2)
    local function clinic(d)
      for k = 0, 29 do
        sim:schedule(hours(8) + k * minutes(20), function()
          local rng = sim:entity_rng("outpatient", d * 100 + k)
          sim:process(function(proc)
            local t0 = proc:now()
            proc:use(ct, rng:exp(1 / minutes(20)), { priority = 2 })
            sim:record("outpatient_wait_min", (proc:now() - t0) / minutes(1) - 20)
            local h = (proc:now() % days(1)) / hours(1)
            sim:record("outpatient_after_18h", h >= 18 and 1 or 0)
          end)
        end)
      end
      sim:schedule(days(1), function() clinic(d + 1) end)
    end
    clinic(0)
  end,
}

-- scenarios/icu_capacity.lua: how many ICU beds? Emergency admissions arrive
-- around the clock (from the ED and the wards), elective surgical patients are
-- booked on weekdays and cancelled when no bed is free by the morning of surgery;
-- emergency patients who find the unit full are transferred out. Stays are
-- log-normal; patients ready to leave wait for the ward's discharge hours.
--
-- Defaults: an 18-bed mixed ICU in the range of UK/US adult general units;
-- emergency admissions 3.2/day and elective 1.5 per weekday; stay median 2.5 days
-- (emergency, sigma 0.8) and 1.2 days (elective, sigma 0.5), in line with the
-- ICNARC Case Mix Programme annual reports (median ICU stays of 2-3 days).
local ops = require("medtwin.ops")

return scenario {
  name = "icu_capacity",
  description = "ICU beds vs transfers out and cancelled elective surgery",
  params = {
    beds             = param(18,  { min = 1, integer = true, unit = "beds" }),
    emergency_per_day = param(3.2, { min = 0, unit = "admissions/day" }),
    electives_per_day = param(1.5, { min = 0, unit = "per weekday" }),
    emergency_los_days = param(2.5, { min = 0.1, unit = "days (median)" }),
    elective_los_days  = param(1.2, { min = 0.1, unit = "days (median)" }),
    discharge_from   = param(9,  { min = 0, max = 24, unit = "hour" }),
    discharge_to     = param(21, { min = 0, max = 24, unit = "hour" }),
  },
  costs = { bed_day = 2500 },
  seed = 1, replications = 20, horizon = days(364), warmup = days(28), sample_every = hours(4),

  build = function(sim, p)
    local icu = sim:resource("icu_beds", p.beds)
    local function stay(proc, bed, median, sigma, rng)
      proc:timeout(rng:lognormal(math.log(days(median)), sigma))
      -- ready to leave: wait for the discharge window
      local h = (proc:now() % days(1)) / hours(1)
      if h < p.discharge_from then proc:timeout(hours(p.discharge_from - h))
      elseif h >= p.discharge_to then proc:timeout(hours(24 - h + p.discharge_from)) end
      proc:release(bed)
    end
    -- emergency admissions: Poisson around the clock, more in the afternoon
    local profile = {}
    for h = 1, 24 do profile[h] = (h >= 12 and h <= 22) and 1.4 or 0.7 end
    ops.arrivals(sim, { per_day = p.emergency_per_day, profile = profile, stream = "emergency" }, function(n)
      local rng = sim:entity_rng("emergency", n)
      sim:process(function(proc)
        local bed, why = proc:request(icu, { priority = 1, wait = false })  -- full means transfer out
        if not bed then sim:count("transferred_out"); sim:record("refused", 1); return end
        sim:record("refused", 0)
        stay(proc, bed, p.emergency_los_days, 0.8, rng)
      end)
    end)
    -- elective surgery: booked at 08:00 on weekdays, cancelled if no bed by 10:00
    local electives = sim:rng("electives")
    local function day(d)
      local weekday = d % 7
      if weekday < 5 then
        local n = electives:poisson(p.electives_per_day)
        for k = 1, n do
          local rng = sim:entity_rng("elective", d * 100 + k)
          sim:process(function(proc)
            local bed, why = proc:request(icu, { priority = 2, patience = hours(2) })
            if not bed then sim:count("cancelled_surgery"); sim:record("cancelled", 1); return end
            sim:record("cancelled", 0)
            stay(proc, bed, p.elective_los_days, 0.5, rng)
          end)
        end
      end
      sim:schedule(days(1), function() day(d + 1) end)
    end
    sim:schedule(hours(8), function() day(0) end)
  end,
}

-- scenarios/ed_staffing.lua: staffing an emergency department of 150 visits a
-- day for 28 days, with physician and nurse rosters by shift. Built on the
-- medtwin.ops library (a whole ED in one call); the arrival profile by hour of
-- day is read from ed_arrivals.csv beside this file (NHAMCS-shaped, see
-- ops/defaults.go for every default's source).
--
--   medtwin run scenarios/ed_staffing.lua
--   medtwin run scenarios/ed_staffing.lua --set physicians_peak=6
local ops = require("medtwin.ops")

return scenario {
  name = "ed_staffing",
  description = "150-visit/day ED: physician and nurse rosters by shift vs door-to-doctor, LWBS, LOS",
  params = {
    visits_per_day    = param(150, { min = 1, unit = "visits/day" }),
    physicians_day    = param(4, { min = 0, integer = true, unit = "physicians 07-11 and 19-23" }),
    physicians_peak   = param(5, { min = 0, integer = true, unit = "physicians 11-19" }),
    physicians_night  = param(2, { min = 1, integer = true, unit = "physicians 23-07" }),
    nurses_day        = param(6, { min = 1, integer = true, unit = "nurses 07-15 and 15-23" }),
    nurses_night      = param(4, { min = 1, integer = true, unit = "nurses 23-07" }),
    beds              = param(30, { min = 1, integer = true, unit = "treatment spaces" }),
    target_min        = param(30, { min = 0, unit = "minutes", doc = "door-to-doctor target" }),
    shift_policy      = param("finish", { choices = { "finish", "preempt" }, doc = "busy staff at shift end" }),
    arrivals_csv      = param("ed_arrivals.csv", { doc = "hour-of-day profile beside this file (hour,relative_rate), e.g. from medtwin fhir import --arrivals" }),
  },
  -- cost per day of a plan, for medtwin optimize: staff-hours at hourly rates
  -- (illustrative US figures: physician $180/h, nurse $55/h) and beds at $400/day
  cost = function(p)
    local physician_hours = 8 * p.physicians_day + 8 * p.physicians_peak + 8 * p.physicians_night
    local nurse_hours = 16 * p.nurses_day + 8 * p.nurses_night
    return 180 * physician_hours + 55 * nurse_hours + 400 * p.beds
  end,
  seed = 1, replications = 20, horizon = days(28), warmup = days(2), sample_every = hours(1),

  build = function(sim, p)
    local profile = {}
    for _, row in ipairs(ops.read_csv(p.arrivals_csv)) do
      profile[row.hour + 1] = row.relative_rate
    end
    local breaks = { { after = 4, minutes = 30, staff = 1 } }
    ops.ed(sim, {
      visits_per_day = p.visits_per_day,
      profile = profile,
      beds = p.beds,
      physicians = {
        { from = 7,  to = 11, staff = p.physicians_day },
        { from = 11, to = 19, staff = p.physicians_peak },
        { from = 19, to = 23, staff = p.physicians_day },
        { from = 23, to = 31, staff = p.physicians_night },
      },
      nurses = {
        { from = 7,  to = 15, staff = p.nurses_day, breaks = breaks },
        { from = 15, to = 23, staff = p.nurses_day, breaks = breaks },
        { from = 23, to = 31, staff = p.nurses_night, breaks = breaks },
      },
      shift_policy = p.shift_policy,
      target_min = p.target_min,
    })
  end,
}

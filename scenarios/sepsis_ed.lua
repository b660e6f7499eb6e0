-- scenarios/sepsis_ed.lua: a hybrid digital twin. The 150-visit/day ED of the
-- medtwin.ops library, in which a share of patients are septic and carry the
-- acute inflammation model of Reynolds et al. 2006 (pathogen, phagocytes, tissue
-- damage, anti-inflammatory mediator). Screening at triage, staffing, lab
-- turnaround and the time to antibiotics change their physiology, so a workflow
-- change shows up in outcomes (deterioration, ICU admission, a mortality proxy),
-- not only in queue times. See ops/sepsis.go for the pathway and every default.
--
--   medtwin run scenarios/sepsis_ed.lua
--   medtwin compare scenarios/sepsis_ed.lua --vs --set screen_sensitivity=0.9 --report sepsis.html
--   medtwin compare scenarios/sepsis_ed.lua --vs --set nurses_day=7
local ops = require("medtwin.ops")

return scenario {
  name = "sepsis_ed",
  description = "ED with septic patients whose physiology follows the Reynolds 2006 inflammation model",
  params = {
    visits_per_day     = param(150, { min = 1, unit = "visits/day" }),
    sepsis_fraction    = param(0.03, { min = 0, max = 1, doc = "share of arrivals who are septic" }),
    screen_sensitivity = param(0.6, { min = 0, max = 1, doc = "triage screening detects sepsis (qSOFA-like)" }),
    lactate_min        = param(45, { min = 0, unit = "minutes", doc = "lactate turnaround after a positive screen" }),
    lab_min            = param(60, { min = 0, unit = "minutes", doc = "lab turnaround of the physician's work-up" }),
    physicians_peak    = param(5, { min = 1, integer = true, unit = "physicians 11-19" }),
    nurses_day         = param(6, { min = 1, integer = true, unit = "nurses 07-23" }),
    vitals_min         = param(30, { min = 0, unit = "minutes", doc = "vitals sampling of septic patients in the ED (0: none)" }),
  },
  -- trace: every resource event and the sepsis pathway's own (sepsis_alert, sepsis_antibiotics,
  -- sepsis_deterioration, sepsis_ward_to_icu, sepsis_day7_outcome) go to events.arrow
  seed = 1, replications = 20, horizon = days(28), warmup = days(2), sample_every = hours(1), trace = true,

  build = function(sim, p)
    local breaks = { { after = 4, minutes = 30, staff = 1 } }
    ops.ed(sim, {
      visits_per_day = p.visits_per_day,
      lab_min = p.lab_min,
      physicians = {
        { from = 7, to = 11, staff = 4 }, { from = 11, to = 19, staff = p.physicians_peak },
        { from = 19, to = 23, staff = 4 }, { from = 23, to = 31, staff = 2 },
      },
      nurses = {
        { from = 7, to = 15, staff = p.nurses_day, breaks = breaks },
        { from = 15, to = 23, staff = p.nurses_day, breaks = breaks },
        { from = 23, to = 31, staff = 4, breaks = breaks },
      },
      sepsis = {
        fraction = p.sepsis_fraction,
        screen_sensitivity = p.screen_sensitivity,
        lactate_min = p.lactate_min,
        vitals_min = p.vitals_min,
      },
    })
  end,
}

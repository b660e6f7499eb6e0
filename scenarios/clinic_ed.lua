-- scenarios/clinic_ed.lua: a small emergency department, written with the core
-- Lua API only (resources, rosters, priorities, patience). A realistic starter
-- to copy; the `medtwin.ops` library (scenarios/ed_staffing.lua) packages the
-- same pieces for larger studies.
--
-- Sources for the defaults:
--  * hourly arrival profile: the shape of ED arrivals by hour of day reported by
--    the US National Hospital Ambulatory Medical Care Survey (NHAMCS 2019 ED
--    summary tables, arrivals by hour), scaled to the mean rate below;
--  * ESI mix 1–5 of 1%, 11%, 36%, 42%, 10%: NHAMCS 2019 triage-level distribution
--    (ED summary, Table 7), rounded;
--  * left without being seen after about 2–4 h of waiting for low-acuity patients:
--    Hsia et al. 2011, Ann Emerg Med 58(6):511 (LWBS rates and waits);
--  * admission fraction by ESI: Tanabe et al. 2004, Acad Emerg Med 11(1):59.
return scenario {
  name = "clinic_ed",
  description = "small ED: time-of-day arrivals, ESI triage, doctor roster, LWBS, boarding",
  params = {
    visits_per_day = param(80, { min = 1, unit = "visits/day", doc = "mean arrivals per day" }),
    triage_nurses  = param(1,  { min = 1, integer = true, unit = "nurses" }),
    doctors_day    = param(5,  { min = 1, integer = true, unit = "doctors 08-20" }),
    doctors_night  = param(3,  { min = 0, integer = true, unit = "doctors 20-08" }),
    beds           = param(12, { min = 1, integer = true, unit = "treatment spaces" }),
    ward_beds      = param(75, { min = 1, integer = true, unit = "inpatient beds",
                               doc = "about 17% of visits admitted for a mean 4.8 days needs about 65 beds" }),
    patience_h     = param(3,  { min = 0, unit = "hours", doc = "mean patience of ESI 4-5 before leaving unseen" }),
    target_min     = param(30, { min = 0, unit = "minutes", doc = "door-to-doctor target" }),
  },
  seed = 1, replications = 10, horizon = days(28), warmup = days(2), sample_every = hours(1),

  build = function(sim, p)
    local triage = sim:resource("triage", p.triage_nurses)
    local doctors = sim:resource("doctors", math.max(p.doctors_day, 1), { shrink = "finish" })
    local beds = sim:resource("beds", p.beds)
    local ward = sim:resource("ward", p.ward_beds)
    -- doctor roster: day shift 08:00–20:00, night shift 20:00–08:00, every day
    doctors:roster({ { at = 0, capacity = p.doctors_night },
                     { at = hours(8), capacity = p.doctors_day },
                     { at = hours(20), capacity = p.doctors_night } }, days(1))

    -- relative arrival intensity by hour of day (mean 1), NHAMCS-shaped
    local profile = { 0.55, 0.45, 0.40, 0.35, 0.35, 0.40, 0.55, 0.80, 1.10, 1.35, 1.45, 1.45,
                      1.40, 1.35, 1.35, 1.35, 1.35, 1.35, 1.30, 1.25, 1.15, 1.00, 0.85, 0.70 }
    local peak = 0
    for _, v in ipairs(profile) do peak = math.max(peak, v) end
    local base = p.visits_per_day / days(1)            -- mean arrivals per second

    local arr, acuity, svc, adm = sim:rng("arrivals"), sim:rng("acuity"), sim:rng("service"), sim:rng("admission")
    local esi_mix = { 0.01, 0.11, 0.36, 0.42, 0.10 }
    local treat_min = { 120, 90, 75, 40, 25 }          -- mean doctor+bed time by ESI (minutes)
    local admit_p = { 0.80, 0.45, 0.25, 0.05, 0.01 }   -- Tanabe et al. 2004

    -- non-homogeneous Poisson arrivals by thinning (Lewis & Shedler 1979)
    local function gap()
      local t = sim:now()
      local dt = 0
      while true do
        dt = dt + arr:exp(base * peak)
        local hour = math.floor(((t + dt) % days(1)) / hours(1)) + 1
        if arr:uniform() < profile[hour] / peak then return dt end
      end
    end

    sim:source("patients", gap, function(proc)
      local t0 = proc:now()
      local esi = acuity:empirical({ 1, 2, 3, 4, 5 }, esi_mix)
      proc:use(triage, svc:exp(1 / minutes(6)), { priority = esi })
      sim:record("door_to_triage_min", (proc:now() - t0) / minutes(1))
      -- low-acuity patients may leave without being seen
      local patience = nil
      if esi >= 4 then patience = svc:exp(1 / hours(p.patience_h)) end
      local bed, why = proc:request(beds, { priority = esi, patience = patience })
      if not bed then sim:count("lwbs"); sim:record("lwbs_rate", 1); return end
      local doc, why2 = proc:request(doctors, { priority = esi, patience = patience })
      if not doc then proc:release(bed); sim:count("lwbs"); sim:record("lwbs_rate", 1); return end
      sim:record("lwbs_rate", 0)
      local d2d = (proc:now() - t0) / minutes(1)
      sim:record("door_to_doctor_min", d2d)
      sim:record("door_to_doctor_met", d2d <= p.target_min and 1 or 0)
      proc:timeout(svc:exp(1 / minutes(treat_min[esi])))
      proc:release(doc)
      if adm:bernoulli(admit_p[esi]) then
        -- admitted: the patient boards in the ED bed until a ward bed frees
        local b0 = proc:now()
        local wbed = proc:request(ward, { priority = esi })
        sim:record("boarding_h", (proc:now() - b0) / hours(1))
        proc:release(bed)
        sim:record("ed_los_h", (proc:now() - t0) / hours(1))
        proc:timeout(svc:lognormal(math.log(days(4)), 0.6))   -- inpatient stay, median 4 days
        proc:release(wbed)
      else
        proc:release(bed)
        sim:record("ed_los_h", (proc:now() - t0) / hours(1))
      end
    end)
  end,
}

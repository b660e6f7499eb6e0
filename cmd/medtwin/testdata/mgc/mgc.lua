-- The model that calibrate fits to visits.csv (see gen_visits.py, which made
-- that file independently of medtwin): non-homogeneous Poisson arrivals with
-- the hour-of-day profile 1 + 0.5 sin(2 pi (h - 8) / 24), log-normal service,
-- c servers, first come first served. The structure is known; visits_per_day,
-- servers and service_median_h are what calibrate estimates.
return scenario {
  name = "mgc",
  description = "M(t)/LN/c FIFO: calibrate's recovery test",
  params = {
    visits_per_day   = param(80,  { min = 1, unit = "per day", doc = "mean arrivals per day" }),
    servers          = param(4,   { min = 1, integer = true, unit = "servers", doc = "c" }),
    service_median_h = param(1.0, { min = 0.01, unit = "hours", doc = "median service time" }),
    service_sigma    = param(0.5, { min = 0, doc = "sigma of log service time" }),
    days             = param(21,  { min = 1, doc = "days of arrivals" }),
  },
  seed = 7, replications = 4, horizon = days(24),

  build = function(sim, p)
    local servers = sim:resource("servers", p.servers)
    local arrivals, service = sim:rng("arrivals"), sim:rng("service")
    local peak = p.visits_per_day / 24 * 1.5
    local stop = days(p.days)
    local mu = math.log(hours(p.service_median_h))
    local function rate(t)
      local h = (t / hours(1)) % 24
      return p.visits_per_day / 24 * (1 + 0.5 * math.sin(2 * math.pi * (h - 8) / 24))
    end
    local function gap()                    -- thinning (Lewis & Shedler 1979)
      local t0 = sim:now()
      local t = t0
      repeat
        t = t + arrivals:exp(peak / hours(1))
        if t >= stop then return days(1000) end
      until arrivals:uniform() * peak <= rate(t)
      return t - t0
    end
    sim:source("patients", gap, function(proc)
      local t0 = proc:now()
      local req = proc:request(servers)
      local seen = proc:now()
      proc:timeout(service:lognormal(mu, p.service_sigma))
      proc:release(req)
      sim:flow{ entity = proc:id(), source = "patient", arrival = t0, door_to_doctor = seen - t0, disposition = "discharged" }
    end)
  end,
}

-- scenarios/mmc.lua: M/M/c, the model every DES user knows.
-- Poisson arrivals, c exponential servers, first come first served.
-- With the defaults (c = 10, rho = 0.9, mu = 1 per hour) the mean wait in queue
-- is 0.668732 h by the Erlang C formula (Kleinrock 1975, eq. 3.40); `medtwin
-- verify` and the tests check that this scenario reproduces it.
return scenario {
  name = "mmc",
  description = "Poisson arrivals, c exponential servers, FIFO",
  params = {
    servers      = param(10,  { min = 1, integer = true, unit = "servers", doc = "number of servers c" }),
    arrival_rate = param(9.0, { min = 0, unit = "per hour", doc = "arrival rate lambda" }),
    service_mean = param(1.0, { min = 0, unit = "hours", doc = "mean service time 1/mu" }),
    customers    = param(0,   { min = 0, integer = true, doc = "stop arrivals after this many (0: until the horizon)" }),
  },
  seed = 1, replications = 20, horizon = days(365), warmup = days(10),
  cost = function(p) return p.servers end,       -- what medtwin optimize minimises
  kpis = {                                        -- which way is better, for compare's verdict
    wait_h = { better = "lower", unit = "h" },
    waited = { better = "lower" },
  },

  build = function(sim, p)
    local servers = sim:resource("servers", p.servers)
    local arrivals, service = sim:rng("arrivals"), sim:rng("service")
    local rate, mu = p.arrival_rate / hours(1), 1 / hours(p.service_mean)
    local limit = p.customers > 0 and p.customers or nil
    sim:source("customers", function() return arrivals:exp(rate) end,
      function(proc)                                   -- one process per customer
        local t0 = proc:now()
        local req = proc:request(servers)
        sim:record("wait_h", (proc:now() - t0) / hours(1))
        sim:record("waited", proc:now() > t0 and 1 or 0)     -- mean: P(wait), Erlang C
        proc:timeout(service:exp(mu))
        proc:release(req)
      end, { limit = limit })
  end,
}

-- scenarios/peers/bank_renege.lua: SimPy 3's "Bank Renege" example, ported.
-- Source: SimPy 3.0.8, docs/examples/code/bank_renege.py (MIT licence,
-- https://gitlab.com/team-simpy/simpy); written anew here from its published
-- description and parameters. Reference statistics: /work/shared/peers/README.md
-- (SimPy 3.0.8, 20000 replications), checked by scripts/peers_test.go.
--
-- Five customers come to a bank with one counter: the first at t = 0, then one
-- after each exponential gap (mean 10). Each waits for the counter at most a
-- patience drawn uniform in [1, 3]; one who gets it is served for an
-- exponential time (mean 12), one who does not leaves (reneges). The run ends
-- when nothing is left to happen, as SimPy's env.run() does. Times are in the
-- example's own units (taken as seconds here).
--
-- KPIs per replication: reneged (count), wait_served (mean wait of the served),
-- wait_all (mean wait of every customer, up to service or reneging), last_departure
-- (time the last customer left, served or reneged).
return scenario {
  name = "bank_renege",
  description = "SimPy 3 bank renege: 5 customers, 1 counter, patience U(1, 3)",
  params = {
    customers     = param(5,    { min = 1, integer = true, doc = "number of customers (NEW_CUSTOMERS)" }),
    interval      = param(10.0, { min = 0, doc = "mean time between customers (INTERVAL_CUSTOMERS)" }),
    time_in_bank  = param(12.0, { min = 0, doc = "mean service time at the counter" }),
    min_patience  = param(1.0,  { min = 0, doc = "MIN_PATIENCE" }),
    max_patience  = param(3.0,  { min = 0, doc = "MAX_PATIENCE" }),
  },
  seed = 42, replications = 20000,

  build = function(sim, p)
    local counter = sim:resource("counter", 1)
    local gaps, patience, service = sim:rng("arrivals"), sim:rng("patience"), sim:rng("service")
    sim:source("customers", function() return gaps:exp(1 / p.interval) end,
      function(proc)
        local arrive = proc:now()
        local req = proc:request(counter, { patience = patience:uniform(p.min_patience, p.max_patience) })
        local wait = proc:now() - arrive
        sim:record("wait_all", wait)
        if req then
          sim:record("wait_served", wait)
          proc:timeout(service:exp(1 / p.time_in_bank))
          proc:release(req)
        else
          sim:count("reneged")
        end
        sim:set("last_departure", proc:now())
      end, { limit = p.customers, start = 0 })
  end,
}

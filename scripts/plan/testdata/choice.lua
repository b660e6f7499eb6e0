-- A scenario with a choice parameter: the queue discipline decides which of
-- two constant service times applies (fifo 1 h, fast 0.5 h), so each
-- combination's mean service time is known without simulating.
return scenario {
  name = "choice",
  params = {
    policy  = param("fifo", { choices = { "fifo", "fast" }, doc = "service policy" }),
    servers = param(1, { min = 1, integer = true }),
  },
  seed = 1, replications = 2, horizon = hours(10),
  build = function(sim, p)
    local s = sim:resource("s", p.servers)
    local d = p.policy == "fast" and hours(0.5) or hours(1)
    sim:source("jobs", function() return hours(2) end, function(proc)
      local r = proc:request(s)
      proc:timeout(d)
      sim:record("service_h", d / hours(1))
      proc:release(r)
    end)
  end,
}

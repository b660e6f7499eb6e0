-- scenarios/peers/ciw_tutorial_iv.lua: Ciw's Tutorial IV ("Multiple Classes of
-- Customer"), ported. Source: Ciw 3.2.7 documentation, docs/Tutorial/tutorial_iv.rst
-- (MIT licence, https://github.com/CiwPython/Ciw); written anew here from its
-- published description and parameters. Reference statistics:
-- /work/shared/peers/README.md (Ciw 3.2.7, 10000 trials), checked by
-- scripts/peers_test.go.
--
-- A 24-hour paediatric clinic. Babies arrive at 1 per hour, children at 2 per
-- hour (Poisson; the first after one gap, as in Ciw). Everyone registers at the
-- one receptionist (node 1; exponential, mean 15 min for babies, 10 min for
-- children), then babies see one of 2 baby specialists (node 2) and children one
-- of 3 children's specialists (node 3), exponential with mean 1 hour. Every
-- queue is first come, first served.
--
-- As in the tutorial, a run lasts 30 hours and a wait counts when the customer
-- arrived at that node after hour 3 and before hour 27 (warm-up and cool-down)
-- and finished service there by hour 30 (Ciw's records are of finished
-- services). KPIs per replication, mean waits in hours: wait_reception_baby_h,
-- wait_reception_child_h, wait_baby_specialist_h, wait_child_specialist_h.
return scenario {
  name = "ciw_tutorial_iv",
  description = "Ciw tutorial IV: paediatric clinic, 3 nodes, babies and children",
  params = {
    baby_rate        = param(1.0, { min = 0, unit = "per hour" }),
    child_rate       = param(2.0, { min = 0, unit = "per hour" }),
    reception_baby   = param(4.0, { min = 0, unit = "per hour", doc = "service rate at reception, babies" }),
    reception_child  = param(6.0, { min = 0, unit = "per hour", doc = "service rate at reception, children" }),
    specialist_rate  = param(1.0, { min = 0, unit = "per hour", doc = "service rate of the specialists" }),
    baby_specialists  = param(2, { min = 1, integer = true }),
    child_specialists = param(3, { min = 1, integer = true }),
    from_h           = param(3,  { min = 0, unit = "h", doc = "count arrivals after this time (warm-up)" }),
    to_h             = param(27, { min = 0, unit = "h", doc = "count arrivals before this time (cool-down)" }),
  },
  seed = 1, replications = 10000, horizon = hours(30),

  build = function(sim, p)
    local nodes = {
      sim:resource("reception", 1),
      sim:resource("baby_specialists", p.baby_specialists),
      sim:resource("child_specialists", p.child_specialists),
    }
    local from, to = hours(p.from_h), hours(p.to_h)

    -- visit: queue at a node, be served, and record the wait if it counts
    local function visit(proc, node, rate, stream, kpi)
      local arrived = proc:now()
      local req = proc:request(nodes[node])
      local wait = proc:now() - arrived
      proc:timeout(stream:exp(rate / hours(1)))
      proc:release(req)
      if arrived > from and arrived < to then sim:record(kpi, wait / hours(1)) end
    end

    local classes = {
      { name = "baby", rate = p.baby_rate, reception = p.reception_baby, next = 2, kpi = "wait_baby_specialist_h" },
      { name = "child", rate = p.child_rate, reception = p.reception_child, next = 3, kpi = "wait_child_specialist_h" },
    }
    for _, c in ipairs(classes) do
      local gaps, service = sim:rng(c.name .. "_arrivals"), sim:rng(c.name .. "_service")
      sim:source(c.name, function() return gaps:exp(c.rate / hours(1)) end,
        function(proc)
          visit(proc, 1, c.reception, service, "wait_reception_" .. c.name .. "_h")
          visit(proc, c.next, p.specialist_rate, service, c.kpi)
        end)
    end
  end,
}

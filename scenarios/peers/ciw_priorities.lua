-- scenarios/peers/ciw_priorities.lua: the example of Ciw's priorities guide
-- ("How to Set Priority Classes"), non-preemptive as published, and with
-- --set preempt=true as in Ciw's pre-emption guide with the "resume" option.
-- Source: Ciw 3.2.7 documentation, docs/Guides/CustomerClasses/priority.rst and
-- docs/Guides/Services/preemption.rst (MIT licence, https://github.com/CiwPython/Ciw);
-- written anew here from their published description and parameters. Reference
-- statistics: /work/shared/peers/README.md (Ciw 3.2.7, 4000 trials each), checked
-- by scripts/peers_test.go.
--
-- One server; two classes of customer, each arriving at rate 5 (Poisson, the
-- first after one gap), each served at rate 10 (exponential); class 0 goes
-- before class 1. Non-preemptive: a class 1 customer in service finishes.
-- Preemptive: a class 0 arrival displaces a class 1 customer in service, who
-- later resumes the service where it left off. A run lasts 100 time units
-- (taken as hours here), and only services finished by then count, as in Ciw's
-- records.
--
-- KPIs per replication, in hours: time_in_system_class0_h and
-- time_in_system_class1_h (arrival to the end of service), and without
-- preemption wait_class0_h and wait_class1_h (arrival to the start of service).
return scenario {
  name = "ciw_priorities",
  description = "Ciw priorities guide: one server, two priority classes, optionally preemptive (resume)",
  params = {
    arrival_rate = param(5.0,  { min = 0, unit = "per hour", doc = "arrival rate of each class" }),
    service_rate = param(10.0, { min = 0, unit = "per hour", doc = "service rate of each class" }),
    preempt      = param(false, { doc = "class 0 preempts class 1 (Ciw's \"resume\" option)" }),
  },
  seed = 1, replications = 4000, horizon = hours(100),

  build = function(sim, p)
    local server = sim:resource("server", 1, { preempt_mode = "resume" })
    for class = 0, 1 do
      local gaps, service = sim:rng("arrivals" .. class), sim:rng("service" .. class)
      local rate, mu = p.arrival_rate / hours(1), p.service_rate / hours(1)
      local opts = { priority = class, preempt = p.preempt }
      sim:source("class" .. class, function() return gaps:exp(rate) end,
        function(proc)
          local arrived = proc:now()
          if p.preempt then
            -- held for the service time; a preempted service resumes later
            proc:use(server, service:exp(mu), opts)
          else
            local req = proc:request(server, opts)
            sim:record("wait_class" .. class .. "_h", (proc:now() - arrived) / hours(1))
            proc:timeout(service:exp(mu))
            proc:release(req)
          end
          sim:record("time_in_system_class" .. class .. "_h", (proc:now() - arrived) / hours(1))
        end)
    end
  end,
}

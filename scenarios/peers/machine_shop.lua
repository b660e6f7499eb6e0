-- scenarios/peers/machine_shop.lua: SimPy 3's "Machine Shop" example, ported.
-- Source: SimPy 3.0.8, docs/examples/code/machine_shop.py (MIT licence,
-- https://gitlab.com/team-simpy/simpy); written anew here from its published
-- description and parameters. Reference statistics: /work/shared/peers/README.md
-- (SimPy 3.0.8, 400 replications), checked by scripts/peers_test.go.
--
-- Ten machines make parts one after another (processing time normal(10, 2) min,
-- clamped at 0 as the peer runs did). Each breaks down after an exponential
-- time (mean 300 min) unless it is already broken; a broken machine waits for
-- the one repairman, who needs 30 min per repair. When no machine needs him the
-- repairman does other jobs of 30 min, which a breakdown preempts; an
-- interrupted job is later continued for the time it has left.
--
-- KPIs per replication (totals over the ten machines; divide by machines for
-- SimPy's per-machine figures): parts_made, breakdowns, other_jobs_done.
return scenario {
  name = "machine_shop",
  description = "SimPy 3 machine shop: 10 machines, breakdowns, one preemptive repairman",
  params = {
    machines      = param(10,    { min = 1, integer = true, doc = "number of machines (NUM_MACHINES)" }),
    pt_mean       = param(10.0,  { min = 0, unit = "min", doc = "mean processing time of a part (PT_MEAN)" }),
    pt_sigma      = param(2.0,   { min = 0, unit = "min", doc = "SD of the processing time (PT_SIGMA)" }),
    mttf          = param(300.0, { min = 0, unit = "min", doc = "mean time to failure (MTTF)" }),
    repair_time   = param(30.0,  { min = 0, unit = "min", doc = "time to repair a machine (REPAIR_TIME)" }),
    job_duration  = param(30.0,  { min = 0, unit = "min", doc = "duration of the repairman's other jobs (JOB_DURATION)" }),
  },
  seed = 42, replications = 400, horizon = weeks(4),

  build = function(sim, p)
    local repairman = sim:resource("repairman", 1)
    local pt = sim:rng("processing")
    local ttf = sim:rng("failures")
    local pt_mean, pt_sd = minutes(p.pt_mean), minutes(p.pt_sigma)
    local fail_rate = 1 / minutes(p.mttf)

    for i = 1, p.machines do
      local broken = false
      -- working: make parts; a breakdown interrupts the part, which is
      -- finished (for the time it had left) after the repair
      local machine = sim:process(function(proc)
        while true do
          local done_in = math.max(0, pt:normal(pt_mean, pt_sd))
          while done_in > 0 do
            local start = proc:now()
            if proc:timeout(done_in) then
              done_in = 0
            else
              broken = true
              done_in = done_in - (proc:now() - start)
              sim:count("breakdowns")
              -- priority 1 preempts the other jobs (priority 2), not a repair
              proc:use(repairman, minutes(p.repair_time), { priority = 1, preempt = true })
              broken = false
            end
          end
          sim:count("parts_made")
        end
      end)
      -- break_machine: a failure clock that runs all the time
      sim:process(function(proc)
        while true do
          proc:timeout(ttf:exp(fail_rate))
          if not broken then machine:interrupt() end
        end
      end)
    end

    -- other_jobs: the repairman's unimportant work, preempted by repairs
    sim:process(function(proc)
      while true do
        local done_in = minutes(p.job_duration)
        while done_in > 0 do
          local req = proc:request(repairman, { priority = 2 })
          local start = proc:now()
          if proc:timeout(done_in) then
            done_in = 0
            proc:release(req)
          else
            -- preempted: the unit is gone already; continue later
            done_in = done_in - (proc:now() - start)
          end
        end
        sim:count("other_jobs_done")
      end
    end)
  end,
}

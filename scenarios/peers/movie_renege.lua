-- scenarios/peers/movie_renege.lua: SimPy 3's "Movie Renege" example, ported.
-- Source: SimPy 3.0.8, docs/examples/code/movie_renege.py (MIT licence,
-- https://gitlab.com/team-simpy/simpy); written anew here from its published
-- description and parameters. Reference statistics: /work/shared/peers/README.md
-- (SimPy 3.0.8, 10000 replications), checked by scripts/peers_test.go.
--
-- A cinema sells 50 tickets for each of 3 movies at one counter. Moviegoers
-- arrive every exponential gap (mean 0.5 min) for a movie chosen at random,
-- wanting randint(1, 6) tickets; none come for a movie already sold out. At the
-- counter, one who wants more tickets than are left argues for 0.5 min and
-- leaves; the others buy in 1 min. When fewer than 2 tickets are left the movie
-- is sold out, and everyone still queueing for it leaves at once (reneges).
-- The run lasts 120 min.
--
-- KPIs per replication: sellout_min (mean time the movies sell out), and totals
-- over the three movies: moviegoers, purchases, arguments, renegers.
return scenario {
  name = "movie_renege",
  description = "SimPy 3 movie renege: 3 movies, 50 tickets each, one counter",
  params = {
    tickets   = param(50,  { min = 1, integer = true, doc = "tickets per movie (TICKETS)" }),
    movies    = param(3,   { min = 1, integer = true, doc = "number of movies" }),
    gap_mean  = param(0.5, { min = 0, unit = "min", doc = "mean time between moviegoers" }),
  },
  seed = 42, replications = 10000, horizon = minutes(120),

  build = function(sim, p)
    local counter = sim:resource("counter", 1)
    local gaps, choice, want = sim:rng("arrivals"), sim:rng("movie"), sim:rng("tickets")
    local available, sold_out = {}, {}
    for m = 1, p.movies do
      available[m] = p.tickets
      sold_out[m] = sim:event()
    end
    for _, k in ipairs({ "moviegoers", "purchases", "arguments", "renegers" }) do
      sim:count(k, 0) -- reported in every replication, 0 if none
    end

    local function moviegoer(proc, goer)
      local m, n = goer.movie, goer.tickets
      -- wait for the counter or for the movie to sell out, whichever comes first
      local turn = sim:event()
      local req = counter:acquire({}, function(r) turn:succeed(r) end)
      proc:any_of(turn, sold_out[m])
      if not turn:triggered() then
        req:cancel()
        sim:count("renegers")
        return
      end
      if available[m] < n then
        proc:timeout(minutes(0.5)) -- an argument, then leave
        sim:count("arguments")
        counter:release(req)
        return
      end
      available[m] = available[m] - n
      sim:count("purchases")
      if available[m] < 2 then
        sold_out[m]:succeed()
        sim:record("sellout_min", proc:now() / minutes(1))
        available[m] = 0
      end
      proc:timeout(minutes(1))
      counter:release(req)
    end

    local rate = 1 / minutes(p.gap_mean)
    sim:process(function(proc)
      while true do
        proc:timeout(gaps:exp(rate))
        local m = choice:int(1, p.movies)
        local n = want:int(1, 6)
        if available[m] > 0 then
          sim:count("moviegoers")
          sim:process(moviegoer, { movie = m, tickets = n })
        end
      end
    end)
  end,
}

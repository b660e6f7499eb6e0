package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"
)

var scenarioName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func newCmd() *cli.Command {
	return &cli.Command{
		Name:        "new",
		Usage:       "write a commented starter scenario NAME.lua",
		ArgsUsage:   "NAME",
		Description: "Example:\n   medtwin new clinic && medtwin run clinic.lua",
		Flags:       []cli.Flag{&cli.BoolFlag{Name: "force", Usage: "overwrite an existing file"}},
		Action: func(c *cli.Context) error {
			name := strings.TrimSuffix(c.Args().First(), ".lua")
			if c.NArg() != 1 || !scenarioName.MatchString(name) {
				return usagef("new takes one NAME of lower-case letters, digits and _ (e.g. clinic)")
			}
			path := name + ".lua"
			flags := os.O_CREATE | os.O_WRONLY | os.O_EXCL
			if c.Bool("force") {
				flags = os.O_CREATE | os.O_WRONLY | os.O_TRUNC
			}
			f, err := os.OpenFile(path, flags, 0o644)
			if err != nil {
				return fmt.Errorf("%v (use --force to overwrite)", err)
			}
			defer f.Close()
			if _, err := fmt.Fprintf(f, starter, name, name); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %s; run it with: medtwin run %s\n", path, path)
			return nil
		},
	}
}

const starter = `-- %s.lua: a starter scenario written by "medtwin new". Edit freely.
-- Time is in seconds; minutes(), hours() and days() convert.
-- Run:   medtwin run %[2]s.lua
-- Vary:  medtwin run %[2]s.lua --set nurses=5
return scenario {
  name = "%[2]s",
  description = "walk-in clinic: patients arrive, wait for a nurse, are seen, leave",

  -- Parameters: a default and bounds; override with --set name=value.
  params = {
    nurses       = param(3,    { min = 1, integer = true, unit = "nurses" }),
    arrivals_h   = param(10,   { min = 0, unit = "patients per hour" }),
    visit_min    = param(15,   { min = 0, unit = "minutes", doc = "mean visit length" }),
    patience_min = param(60,   { min = 0, unit = "minutes", doc = "patients leave after waiting this long" }),
  },

  seed = 1,               -- same seed, same results, byte for byte
  replications = 10,      -- independent runs; KPIs get 95%% confidence intervals
  horizon = days(7),      -- simulated time per replication
  warmup = days(1),       -- statistics before this are discarded

  build = function(sim, p)
    local nurses = sim:resource("nurses", p.nurses)
    -- every random element has its own named stream (common random numbers)
    local arrivals, visits = sim:rng("arrivals"), sim:rng("visits")

    sim:source("patients",
      function() return arrivals:exp(p.arrivals_h / hours(1)) end,   -- time to next arrival
      function(proc)                                                  -- one process per patient
        local t0 = proc:now()
        local req, why = proc:request(nurses, { patience = minutes(p.patience_min) })
        if not req then                       -- "reneged": left without being seen
          sim:count("left_unseen")
          return
        end
        sim:record("wait_min", (proc:now() - t0) / minutes(1))
        proc:timeout(visits:exp(1 / minutes(p.visit_min)))
        proc:release(req)
        sim:count("seen")
      end)
  end,
}
`

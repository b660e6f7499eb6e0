package main

import "github.com/urfave/cli/v2"

// checkLimitFlags refuses negative limits (--timeout, --workers, --max-queue,
// --max-output) as usage errors; before, a negative timeout stopped every run
// at once and a negative queue or output limit was taken as "no limit".
func checkLimitFlags(c *cli.Context) error {
	if c.Duration("timeout") < 0 {
		return usagef("--timeout must not be negative, got %v", c.Duration("timeout"))
	}
	for _, name := range []string{"workers", "max-queue"} {
		if c.Int(name) < 0 {
			return usagef("--%s must not be negative, got %d", name, c.Int(name))
		}
	}
	if c.Int64("max-output") < 0 {
		return usagef("--max-output must not be negative, got %d", c.Int64("max-output"))
	}
	return nil
}

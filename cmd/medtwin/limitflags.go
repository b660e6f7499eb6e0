package main

import (
	"sync"

	"github.com/urfave/cli/v2"
)

// limitFlagNames are the flags that bound a run; none may be negative.
var limitFlagNames = []string{"timeout", "workers", "max-queue", "max-output"}

// checkLimitFlags refuses negative limits (--timeout, --workers, --max-queue,
// --max-output) as usage errors; before, a negative timeout stopped every run
// at once, a negative queue or output limit was taken as "no limit", and
// `bench reps --workers -2` printed a negative rate.
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

// guardLimitFlags runs checkLimitFlags before the action of every verb (at any
// depth: bench reps, bench peers) that declares one of limitFlagNames, so a
// verb added later gets the check without asking for it. The verbs that add
// themselves in init are shared by every App made (tests make many): each is
// wrapped once.
func guardLimitFlags(cmds []*cli.Command) {
	guardedMu.Lock()
	defer guardedMu.Unlock()
	guardLocked(cmds)
}

var (
	guardedMu sync.Mutex
	guarded   = map[*cli.Command]bool{}
)

func guardLocked(cmds []*cli.Command) {
	for _, c := range cmds {
		if isHelpCommand(c) {
			continue
		}
		guardLocked(c.Subcommands)
		if c.Action == nil || guarded[c] || !declaresLimit(c) {
			continue
		}
		guarded[c] = true
		action := c.Action
		c.Action = func(ctx *cli.Context) error {
			if err := checkLimitFlags(ctx); err != nil {
				return err
			}
			return action(ctx)
		}
	}
}

func declaresLimit(c *cli.Command) bool {
	for _, f := range c.Flags {
		for _, name := range f.Names() {
			for _, l := range limitFlagNames {
				if name == l {
					return true
				}
			}
		}
	}
	return false
}

package main

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/medtwin/medtwin/scripts/plan"
	"github.com/urfave/cli/v2"
)

// quietFlag turns the progress bar of a long verb off (it is also off when
// stderr is not a terminal).
func quietFlag() cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar"}
}

// planProgress returns ctx with a progress callback for every replication
// plan runs: a bar of total replications when total > 0 (compare), else a
// running count (optimize, whose total depends on the decisions), on stderr
// only when it is a terminal and --quiet is not set; and a function that ends it.
func planProgress(c *cli.Context, ctx context.Context, name string, total int) (context.Context, func()) {
	if c.Bool("quiet") || !isTerminal(os.Stderr) {
		return ctx, func() {}
	}
	if total > 0 {
		bar, wait := progress(c, name, total)
		return plan.WithProgress(ctx, func() { bar(1) }), wait
	}
	var mu sync.Mutex
	n := 0
	return plan.WithProgress(ctx, func() {
			mu.Lock()
			n++
			if n%10 == 0 {
				fmt.Fprintf(os.Stderr, "\r%s: %d replications", name, n)
			}
			mu.Unlock()
		}), func() {
			if n >= 10 {
				fmt.Fprintln(os.Stderr)
			}
		}
}

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

// stderrTerminal says whether stderr is a terminal (a variable so that a test
// can say yes while it writes stderr to a buffer).
var stderrTerminal = func() bool { return isTerminal(os.Stderr) }

// showProgress says whether a long verb shows progress: on stderr, only when
// it is a terminal and --quiet is not set (whatever --json says: stdout stays
// clean either way).
func showProgress(c *cli.Context) bool { return !c.Bool("quiet") && stderrTerminal() }

// progressCount is progress whose total is not known in advance: a running
// count of units on stderr, rewritten every `every` units (when showProgress),
// and a function that ends it.
func progressCount(c *cli.Context, name, unit string, every int) (tick func(), done func()) {
	if !showProgress(c) {
		return func() {}, func() {}
	}
	w := c.App.ErrWriter
	var mu sync.Mutex
	n := 0
	return func() {
			mu.Lock()
			n++
			if n%every == 0 {
				fmt.Fprintf(w, "\r%s: %d %s", name, n, unit)
			}
			mu.Unlock()
		}, func() {
			mu.Lock()
			if n >= every {
				fmt.Fprintln(w)
			}
			mu.Unlock()
		}
}

// planProgress returns ctx with a progress callback for every replication
// plan runs: a bar of total replications when total > 0 (compare), else a
// running count (optimize, whose total depends on the decisions), on stderr
// only when it is a terminal and --quiet is not set; and a function that ends it.
func planProgress(c *cli.Context, ctx context.Context, name string, total int) (context.Context, func()) {
	if !showProgress(c) {
		return ctx, func() {}
	}
	if total > 0 {
		bar, wait := progress(c, name, total)
		return plan.WithProgress(ctx, func() { bar(1) }), wait
	}
	tick, done := progressCount(c, name, "replications", 10)
	return plan.WithProgress(ctx, tick), done
}

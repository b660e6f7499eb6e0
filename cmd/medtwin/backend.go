package main

import (
	"fmt"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/urfave/cli/v2"
)

// backendFlag returns the cohort backend that --backend names. For "auto" it
// returns the name of Auto's choice and says on stderr which backends it
// passed over and why (a CUDA worker that finds no device, say), so that a
// run on the CPU is never a surprise.
func backendFlag(c *cli.Context) string {
	name := c.String("backend")
	if name != "auto" {
		return name
	}
	b, skipped := cohort.Auto()
	for _, err := range skipped {
		fmt.Fprintf(c.App.ErrWriter, "medtwin: --backend auto: %v; using %s\n", err, b.Name())
	}
	return b.Name()
}

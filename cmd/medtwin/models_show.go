package main

import (
	"fmt"
	"strings"

	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/urfave/cli/v2"
)

// modelsShowCmd prints a built-in model file of the model language, for a
// user to copy and edit (as mrgsolve's modlib).
func modelsShowCmd() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "print the source of a built-in model file (model language) to copy and edit",
		ArgsUsage: "NAME",
		Flags:     []cli.Flag{&cli.BoolFlag{Name: "c", Usage: "print the C (CUDA-ready) code generated from the model instead"}},
		Description: "Examples:\n   medtwin models show            (lists the model files)\n   medtwin models show tmdd_qss > my_tmdd.model\n   medtwin models show --c tmdd_qss\n" +
			"In Lua: local model = require(\"medtwin.model\"); local m = model.library(\"tmdd_qss\")",
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			if c.NArg() == 0 {
				fmt.Fprintf(w, "model files: %s\n", strings.Join(modlang.LibraryNames(), " "))
				return nil
			}
			if c.NArg() > 1 {
				return usageError{"models show takes one model name"}
			}
			src, err := modlang.LibrarySource(c.Args().First())
			if err != nil {
				return usageError{err.Error()}
			}
			if c.Bool("c") {
				m, err := modlang.Library(c.Args().First())
				if err != nil {
					return err
				}
				src = m.CSource(m.Spec.Name)
			}
			fmt.Fprint(w, src)
			return nil
		},
	}
}

package main

import (
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

// unknownVerbs makes a verb that does not exist a usage error (exit 2) that
// names the nearest verb, at the top level (`medtwin rn`: did you mean run?)
// and under every verb that only groups others (`medtwin bench dse`). Without
// it urfave/cli answers "No help topic" with exit code 3.
func unknownVerbs(app *cli.App) {
	app.Action = unknownVerbAction(func() []*cli.Command { return app.Commands }, "")
	var walk func([]*cli.Command, string)
	walk = func(cmds []*cli.Command, parent string) {
		for _, c := range cmds {
			if len(c.Subcommands) == 0 || isHelpCommand(c) {
				continue
			}
			if c.Action == nil {
				subs := c.Subcommands
				c.Action = unknownVerbAction(func() []*cli.Command { return subs }, parent+c.Name+" ")
			}
			walk(c.Subcommands, parent+c.Name+" ")
		}
	}
	walk(app.Commands, "")
}

func unknownVerbAction(cmds func() []*cli.Command, parent string) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.NArg() == 0 {
			if parent == "" {
				return cli.ShowAppHelp(c)
			}
			return cli.ShowSubcommandHelp(c)
		}
		verb := c.Args().First()
		var names []string
		for _, cmd := range cmds() {
			if !cmd.Hidden {
				names = append(names, cmd.Names()...)
			}
		}
		if n := scripts.Nearest(verb, names); n != "" {
			return usagef("no verb %q; did you mean %s? (medtwin %shelp lists them)", parent+verb, parent+n, parent)
		}
		return usagef("no verb %q (medtwin %shelp lists them)", parent+verb, parent)
	}
}

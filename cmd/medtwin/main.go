// Command medtwin runs healthcare digital-twin simulations: discrete-event
// hospital models and patient physiology, scripted in Lua, with results as Arrow
// files. Run `medtwin help` for the verbs.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// Version is medtwin's version, written into every output's provenance.
var Version = "0.1.0"

// usageError marks a mistake in how medtwin was called (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "medtwin",
		Usage:   "deterministic simulation engine for healthcare digital twins",
		Version: Version,
		Writer:  stdout, ErrWriter: stderr,
		UsageText: "medtwin <verb> [flags] args\n\n" +
			"   medtwin run scenarios/mmc.lua            run a scenario on its defaults\n" +
			"   medtwin inspect out/mmc/kpis.arrow       look inside an output file\n" +
			"   medtwin bench des                        kernel speed against the reference floor",
		OnUsageError: func(c *cli.Context, err error, isSub bool) error {
			return usageError{suggestFlag(c, err)}
		},
		Commands: commands(),
		// errors come back from Run and main maps them to 0/1/2 (exitCode);
		// urfave/cli would otherwise exit the process itself, with its own codes
		ExitErrHandler: func(*cli.Context, error) {},
		// --grid beds=24,28,32 and --set list=1,2,3 keep their commas
		DisableSliceFlagSeparator: true,
	}
	markUsageErrors(app.Commands, app.OnUsageError)
	unknownVerbs(app)
	wrapAudit(app.Commands, "")
	guardLimitFlags(app.Commands)
	return app
}

// markUsageErrors makes flag mistakes on every verb exit with code 2.
func markUsageErrors(cmds []*cli.Command, f cli.OnUsageErrorFunc) {
	for _, c := range cmds {
		if isHelpCommand(c) {
			continue
		}
		c.OnUsageError = f
		markUsageErrors(c.Subcommands, f)
	}
}

// isHelpCommand reports urfave/cli's shared "help" verb, which the library
// appends to every command it runs, itself included (`medtwin help x` makes it
// its own subcommand): a walk over the verbs must not descend into it.
func isHelpCommand(c *cli.Command) bool { return c.Name == "help" }

// extraCommands lets each verb's file add itself (in its init).
var extraCommands []*cli.Command

// commands lists the verbs.
func commands() []*cli.Command {
	return append([]*cli.Command{versionCmd(), runCmd(), newCmd(), inspectCmd(), benchCmd()}, extraCommands...)
}

func versionCmd() *cli.Command {
	return &cli.Command{
		Name: "version", Usage: "print medtwin's version",
		Action: func(c *cli.Context) error {
			fmt.Fprintf(c.App.Writer, "medtwin %s\n", Version)
			return nil
		},
	}
}

// exitCode maps an error to medtwin's exit codes: 0 ok, 1 failure, 2 usage.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		switch code := ec.ExitCode(); {
		case code >= 0 && code <= 2:
			return code
		case code == 3:
			return 2 // urfave/cli's "No help topic for ..." (medtwin help rn): a usage mistake
		}
	}
	return 1
}

// gcPercent is the garbage collector's target unless GOGC is set: a Lua model
// allocates a little for nearly every event (userdata, closures, tables) and
// keeps little alive (a Lua state per worker, the KPIs of the replications),
// so Go's default of 100 collects so often that the collector took about a
// sixth of the CPU of the peers' examples (bench peers); 400 lets the heap
// grow to five times what is live between collections instead of two.
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	app := newApp(os.Stdout, os.Stderr)
	args, err := splitVs(os.Args)
	if err == nil {
		err = app.Run(reorderArgs(app, args))
	}
	if err != nil && err.Error() != "" {
		fmt.Fprintln(os.Stderr, "medtwin:", cleanMessage(err.Error()))
	}
	os.Exit(exitCode(err))
}

package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/medtwin/medtwin/scripts"
	"github.com/medtwin/medtwin/scripts/plan"
	"github.com/urfave/cli/v2"
)

// unknownFlagRE reads the flag name out of the standard library's
// "flag provided but not defined: -name" (what urfave/cli passes on).
var unknownFlagRE = regexp.MustCompile(`flag provided but not defined: -+([^\s]+)`)

// suggestFlag adds "did you mean --x?" to an unknown-flag error, x being the
// nearest flag of the verb (or of the top level when the verb is unknown).
func suggestFlag(c *cli.Context, err error) string {
	msg := err.Error()
	m := unknownFlagRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	var flags []cli.Flag
	if c != nil && c.Command != nil {
		flags = c.Command.VisibleFlags()
	} else if c != nil && c.App != nil {
		flags = c.App.VisibleFlags()
	}
	var names []string
	for _, f := range flags {
		names = append(names, f.Names()...)
	}
	if n := scripts.Nearest(m[1], names); n != "" {
		dash := "--"
		if len(n) == 1 {
			dash = "-"
		}
		return fmt.Sprintf("%s; did you mean %s%s?", msg, dash, n)
	}
	return msg
}

// checkName refuses a name not in known (a KPI, a series, a grid parameter)
// as a usage error that names the nearest one, or lists them when few.
func checkName(what, name string, known []string) error {
	for _, k := range known {
		if k == name {
			return nil
		}
	}
	return unknownName(what, name, known)
}

func unknownName(what, name string, known []string) error {
	if n := scripts.Nearest(name, known); n != "" {
		return usagef("no %s %q; did you mean %s?", what, name, n)
	}
	if len(known) > 0 && len(known) <= 12 {
		return usagef("no %s %q (there are %s)", what, name, strings.Join(known, ", "))
	}
	return usagef("no %s %q", what, name)
}

// kpiHint turns plan's unknown-KPI error into a usage error naming the
// nearest KPI the scenario reports; other errors pass unchanged.
func kpiHint(err error) error {
	var u *plan.UnknownKPIError
	if errors.As(err, &u) {
		e := unknownName("KPI", u.Name, u.Known).(usageError)
		e.msg = u.Who + ": the scenario reports " + e.msg
		return e
	}
	return err
}

package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"
)

// rerunArgs is the command of an audit entry as it can be run again: the
// verb, every flag that was set by its first name with its value as typed
// (a repeatable flag once per value, not Go's dump of the slice), compare's
// variant as --vs --set ..., then the arguments; each word quoted for a POSIX
// shell where it needs it.
func rerunArgs(c *cli.Context, verb string, args []string) string {
	words := append([]string{"medtwin"}, strings.Fields(verb)...)
	var vs []string
	if c.Command != nil {
		for _, f := range c.Command.Flags {
			name := f.Names()[0]
			if !c.IsSet(name) {
				continue
			}
			switch f.(type) {
			case *cli.StringSliceFlag:
				for _, v := range c.StringSlice(name) {
					if name == "vs-set" {
						vs = append(vs, "--set", v)
					} else {
						words = append(words, "--"+name, v)
					}
				}
			case *cli.IntSliceFlag:
				for _, v := range c.IntSlice(name) {
					words = append(words, "--"+name, fmt.Sprint(v))
				}
			case *cli.Float64SliceFlag:
				for _, v := range c.Float64Slice(name) {
					words = append(words, "--"+name, fmt.Sprint(v))
				}
			case *cli.BoolFlag:
				if c.Bool(name) {
					words = append(words, "--"+name)
				} else {
					words = append(words, "--"+name+"=false")
				}
			default:
				if name == "vs-scenario" {
					continue // after --vs, below
				}
				words = append(words, "--"+name, fmt.Sprint(c.Value(name)))
			}
		}
	}
	words = append(words, args...)
	if len(vs) > 0 || c.IsSet("vs-scenario") {
		words = append(append(words, "--vs"), vs...)
		if c.IsSet("vs-scenario") {
			words = append(words, c.String("vs-scenario"))
		}
	}
	for i, w := range words {
		words[i] = shellQuote(w)
	}
	return strings.Join(words, " ")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./=:,+@%-]+$`)

// shellQuote quotes w for a POSIX shell when it holds anything else than
// letters, digits and _./=:,+@%-.
func shellQuote(w string) string {
	if shellSafe.MatchString(w) {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

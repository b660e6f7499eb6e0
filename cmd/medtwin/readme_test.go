package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func readREADME(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// readmeCommands returns every medtwin command line README shows: the lines
// of its sh blocks (continuations joined) and its inline `medtwin ...` spans.
func readmeCommands(readme string) []string {
	var cmds []string
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(readme, -1) {
		for _, line := range strings.Split(strings.ReplaceAll(block[1], "\\\n", " "), "\n") {
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			cmds = append(cmds, line)
		}
	}
	for _, m := range regexp.MustCompile("`([^`\n]*medtwin [^`\n]*)`").FindAllStringSubmatch(readme, -1) {
		cmds = append(cmds, m[1])
	}
	var out []string
	for _, c := range cmds {
		// one shell command at a time: a && b, a | b, a; b
		for _, part := range regexp.MustCompile(`&&|;| \| `).Split(c, -1) {
			if regexp.MustCompile(`(^|[\s/])medtwin `).MatchString(part) {
				out = append(out, strings.TrimSpace(part))
			}
		}
	}
	return out
}

// Every command README shows names verbs and flags the CLI registers: a
// renamed verb or flag fails here instead of leaving README wrong.
func TestREADMECommandsAreRegistered(t *testing.T) {
	cmds := readmeCommands(readREADME(t))
	if len(cmds) < 20 {
		t.Fatalf("found only %d medtwin commands in README: is the parser broken?", len(cmds))
	}
	app := newApp(nil, nil)
	for _, line := range cmds {
		fields := strings.Fields(line[regexp.MustCompile(`medtwin `).FindStringIndex(line)[1]:])
		list, path := app.Commands, ""
		var verb *cli.Command
		i := 0
		for ; i < len(fields); i++ {
			var next *cli.Command
			for _, c := range list {
				if c.HasName(fields[i]) {
					next = c
				}
			}
			if next == nil {
				break
			}
			verb, list, path = next, next.Subcommands, path+" "+fields[i]
		}
		if verb == nil {
			if len(fields) > 0 && (strings.HasPrefix(fields[0], "--") || fields[0] == "help" || fields[0] == strings.ToUpper(fields[0])) {
				continue // medtwin --help, urfave/cli's help verb, a placeholder (medtwin VERB --help)
			}
			t.Errorf("README: %q: no verb %q (medtwin doc verbs lists them)", line, strings.Join(fields[:min(1, len(fields))], ""))
			continue
		}
		if i < len(fields) && strings.Contains(fields[i], "|") && len(list) > 0 { // medtwin bench des|lua|ed
			for _, alt := range strings.Split(fields[i], "|") {
				found := false
				for _, c := range list {
					found = found || c.HasName(alt)
				}
				if !found {
					t.Errorf("README: %q: medtwin%s has no verb %q", line, path, alt)
				}
			}
		}
		for _, f := range fields[i:] {
			if !strings.HasPrefix(f, "--") {
				continue
			}
			name := strings.TrimPrefix(strings.SplitN(f, "=", 2)[0], "--")
			if name == "help" || name == "vs" { // urfave/cli's own; --vs is split off by splitVs
				continue
			}
			found := false
			for _, fl := range verb.Flags {
				for _, n := range fl.Names() {
					found = found || n == name
				}
			}
			if !found {
				t.Errorf("README: %q: medtwin%s has no flag --%s", line, path, name)
			}
		}
	}
}

// Every repository path README names in backquotes exists.
func TestREADMEPathsExist(t *testing.T) {
	readme := readREADME(t)
	n := 0
	for _, m := range regexp.MustCompile("`((?:scenarios|notebooks|plugins|physio|engine|scripts|cmd|ops|\\.ci)/[A-Za-z0-9_./-]+)`").FindAllStringSubmatch(readme, -1) {
		n++
		if _, err := os.Stat(filepath.Join("../..", m[1])); err != nil {
			t.Errorf("README names %s, which does not exist", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`(?:run|trial|compare|sweep|optimize|fit) (scenarios/[a-z0-9_]+\.lua)`).FindAllStringSubmatch(readme, -1) {
		n++
		if _, err := os.Stat(filepath.Join("../..", m[1])); err != nil {
			t.Errorf("README runs %s, which does not exist", m[1])
		}
	}
	if n < 10 {
		t.Fatalf("found only %d paths in README", n)
	}
}

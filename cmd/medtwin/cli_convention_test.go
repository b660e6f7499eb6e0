package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// A mistyped verb is a usage error (exit 2) that names the verb meant, at the
// top level and under a verb that groups others; urfave/cli alone exits 3
// with "No help topic".
func TestMistypedVerbSuggests(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"rn"}, "did you mean run?"},
		{[]string{"sweeep", "x.lua"}, "did you mean sweep?"},
		{[]string{"bench", "dse"}, "did you mean bench des?"},
		{[]string{"audit", "verfy"}, "did you mean audit verify?"},
		{[]string{"zzzzzzzz"}, `no verb "zzzzzzzz"`},
		{[]string{"help", "rn"}, "rn"},
	}
	for _, c := range cases {
		_, errs, code := medtwin(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d (want 2), stderr %q (want %q)", c.args, code, errs, c.want)
		}
	}
	if out, _, code := medtwin(t); code != 0 || !strings.Contains(out, "COMMANDS") {
		t.Errorf("no verb: exit %d, want the help\n%s", code, out)
	}
}

// --subjects below 1 is refused before anything is written, with exit 2 (it
// used to write the output directory and then panic), by the spec's own check
// of its subject count (trial.Spec.Validate), not a second one in the CLI.
func TestTrialRefusesBadSubjectsBeforeWriting(t *testing.T) {
	for _, n := range []string{"-5", "0"} {
		out := filepath.Join(t.TempDir(), "trial")
		_, errs, code := medtwin(t, "trial", "../../scenarios/vancomycin_trial.lua", "--subjects", n, "--out", out)
		if code != 2 || !strings.Contains(errs, "--subjects "+n+": ") || !strings.Contains(errs, "vancomycin_trial.lua:18: subjects must be at least 1") {
			t.Errorf("--subjects %s: exit %d, stderr %q", n, code, errs)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("--subjects %s: %s was written", n, out)
		}
	}
}

// --list-params --json is valid JSON with a null for an unbounded side
// (mmc's servers has min 1 and no max) and writes no audit entry.
func TestListParamsJSONAndNoAudit(t *testing.T) {
	log := filepath.Join(t.TempDir(), "audit.log")
	t.Setenv("MEDTWIN_AUDIT_LOG", log)
	if _, _, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--list-params"); code != 0 {
		t.Fatal("--list-params failed")
	}
	if _, err := os.Stat(log); err == nil {
		b, _ := os.ReadFile(log)
		t.Errorf("--list-params wrote an audit entry:\n%s", b)
	}
	out, errs, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--list-params", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var ps []map[string]any
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	found := false
	for _, p := range ps {
		if p["name"] == "servers" {
			found = true
			if p["min"] != 1.0 || p["max"] != nil || p["integer"] != true {
				t.Errorf("servers: %v, want min 1, max null, integer", p)
			}
		}
	}
	if !found {
		t.Errorf("no servers parameter in %s", out)
	}
}

// Every visible flag of every verb says what it does, and a backquoted word in
// its description is a placeholder for the value (urfave/cli prints it after
// the flag name: "--out DIR"), never a phrase such as `make cuda`.
func TestEveryFlagIsDescribed(t *testing.T) {
	placeholder := regexp.MustCompile("^[A-Za-z][A-Za-z0-9_./=-]*$")
	tick := regexp.MustCompile("`([^`]*)`")
	var walk func([]*cli.Command, string)
	walk = func(cmds []*cli.Command, parent string) {
		for _, c := range cmds {
			if isHelpCommand(c) {
				continue
			}
			name := strings.TrimSpace(parent + " " + c.Name)
			for _, f := range c.Flags {
				df, ok := f.(cli.DocGenerationFlag)
				if !ok {
					continue
				}
				if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
					continue
				}
				usage := df.GetUsage()
				if strings.TrimSpace(usage) == "" {
					t.Errorf("medtwin %s --%s has no description", name, f.Names()[0])
				}
				if m := tick.FindStringSubmatch(usage); m != nil && !placeholder.MatchString(m[1]) {
					t.Errorf("medtwin %s --%s: help would show %q as the value's placeholder", name, f.Names()[0], m[1])
				}
			}
			walk(c.Subcommands, name)
		}
	}
	walk(commands(), "")
	var out bytes.Buffer
	app := newApp(&out, &out)
	app.Run([]string{"medtwin", "trial", "--help"})
	if strings.Contains(out.String(), "--backend make cuda") {
		t.Errorf("trial --help shows --backend make cuda:\n%s", out.String())
	}
}

package main

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/medtwin/medtwin/cmd/medtwin/internal/audit"
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, auditCmd()) }

// audited are the verbs that append to the audit log: when they start and when
// they end (ok or failed).
var audited = map[string]bool{"run": true, "compare": true, "sweep": true, "optimize": true, "trial": true, "fhir import": true}

// phiInputs are the verbs whose input paths may carry identifiers (record
// files named after patients): their entries keep the inputs' hashes only.
var phiInputs = map[string]bool{"fhir import": true}

// sortedValues returns the map's values in the order of its sorted keys.
func sortedValues(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// auditPath is the log: $MEDTWIN_AUDIT_LOG, else medtwin/audit.log in the
// user's configuration directory.
func auditPath() (string, error) {
	if p := os.Getenv("MEDTWIN_AUDIT_LOG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("audit: no configuration directory for the audit log (%v); set MEDTWIN_AUDIT_LOG", err)
	}
	return filepath.Join(dir, "medtwin", "audit.log"), nil
}

// auditOutput notes files or directories a verb wrote, for its audit entry.
func auditOutput(c *cli.Context, paths ...string) {
	if c.App.Metadata == nil {
		c.App.Metadata = map[string]any{}
	}
	prev, _ := c.App.Metadata["audit.outputs"].([]string)
	c.App.Metadata["audit.outputs"] = append(prev, paths...)
}

// wrapAudit makes every audited verb append an entry before it starts and one
// when it ends (ok or failed): who, when, the command with its flags, and the
// SHA-256 of its input and (at the end) output files. A log that cannot be
// written before the start is an error and nothing runs; one that cannot be
// written at the end is an error too, and the outputs stay (the "started"
// entry records that the command ran).
// The verbs are built once (package variables) and apps are many (one per
// test), so each is wrapped once.
func wrapAudit(cmds []*cli.Command, parent string) {
	wrappedMu.Lock()
	defer wrappedMu.Unlock()
	wrapAuditLocked(cmds, parent)
}

var (
	wrappedMu sync.Mutex
	wrapped   = map[*cli.Command]bool{}
)

func wrapAuditLocked(cmds []*cli.Command, parent string) {
	for _, cmd := range cmds {
		if isHelpCommand(cmd) {
			continue
		}
		name := strings.TrimSpace(parent + " " + cmd.Name)
		wrapAuditLocked(cmd.Subcommands, name)
		if !audited[name] || cmd.Action == nil || wrapped[cmd] {
			continue
		}
		wrapped[cmd] = true
		orig := cmd.Action
		cmd.Action = func(c *cli.Context) error {
			// the attempt is recorded before any work: a command whose entry
			// cannot be written does nothing, so no output goes unrecorded
			if c.Bool("list-params") {
				return orig(c) // prints the parameters only: nothing to record
			}
			if err := appendAudit(c, name, "started"); err != nil {
				return err
			}
			err := orig(c)
			status := "ok"
			if err != nil {
				status = "failed"
			}
			if aerr := appendAudit(c, name, status); err == nil {
				err = aerr
			}
			return err
		}
	}
}

// auditKey is the key of the audit chain: the file $MEDTWIN_AUDIT_KEY_FILE,
// else $MEDTWIN_AUDIT_KEY; nil (an unkeyed chain) when neither is set.
func auditKey() ([]byte, error) {
	key, err := readKey(os.Getenv("MEDTWIN_AUDIT_KEY_FILE"), "MEDTWIN_AUDIT_KEY", "audit key (MEDTWIN_AUDIT_KEY_FILE)")
	if err == nil && key != nil && len(key) < 16 {
		err = fmt.Errorf("audit: the audit key must be at least 16 bytes")
	}
	return key, err
}

// appendAudit appends the entry of verb name with its status: "started"
// (before the work), "ok" or "failed" (after it).
func appendAudit(c *cli.Context, name, status string) error {
	path, err := auditPath()
	if err != nil {
		return err
	}
	key, err := auditKey()
	if err != nil {
		return err
	}
	in, err := audit.HashFiles(c.Args().Slice()...)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	args := c.Args().Slice()
	if phiInputs[name] {
		// record files (Synthea names them after the patient) by content only
		args = []string{fmt.Sprintf("<%d input paths withheld>", c.NArg())}
		anon := map[string]string{}
		for i, h := range sortedValues(in) {
			anon[fmt.Sprintf("input %d", i+1)] = h
		}
		in = anon
	}
	what := rerunArgs(c, name, args)
	outs, _ := c.App.Metadata["audit.outputs"].([]string)
	out, err := audit.HashFiles(outs...)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	who := "unknown"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		who += "@" + h
	}
	if status == "started" {
		out = nil // what a path holds before the command is not its output
	}
	e := audit.Entry{When: time.Now().UTC().Format(time.RFC3339), Who: who, What: what, Inputs: in, Outputs: out, Status: status}
	if _, err := audit.Append(path, e, key); err != nil {
		return fmt.Errorf("audit: cannot append to %s: %w (set MEDTWIN_AUDIT_LOG to a writable file)", path, err)
	}
	return nil
}

// auditLogArg is the log named on the command line, else auditPath.
func auditLogArg(c *cli.Context) (string, error) {
	if p := c.Args().First(); p != "" {
		return p, nil
	}
	return auditPath()
}

func auditCmd() *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "the hash-chained audit log of runs, trials and imports",
		Description: "run, compare, sweep, optimize, trial and fhir import append entries to $MEDTWIN_AUDIT_LOG\n" +
			"(default ~/.config/medtwin/audit.log): who, when, the command and its flags, the SHA-256 of the input files\n" +
			"named on the command line and of every output (fhir import keeps only its inputs' hashes, not their\n" +
			"paths). An entry is written before any work\n" +
			"(\"started\"; if it cannot be, the command stops) and one at the end (\"ok\" or \"failed\").\n" +
			"With a key ($MEDTWIN_AUDIT_KEY_FILE, owner-only, or $MEDTWIN_AUDIT_KEY; at least 16 bytes) each hash is an\n" +
			"HMAC-SHA256, so someone without the key cannot edit an entry and recompute the chain. Without a key the\n" +
			"chain only detects accidents. A removed tail or a replaced log is detected only against the last hash\n" +
			"kept elsewhere (the anchor audit verify prints). An append cut short is cut off by the next append.\n" +
			"Not promised: files those inputs read in turn (require'd modules, ops.read_csv data, a trial's\n" +
			"population.patients, --params, --vs, --observed) are not hashed; fit, calibrate, validate, merge, export,\n" +
			"sensitivity and plot write no entry; a usage error (exit 2) writes none, having done no work; who is the\n" +
			"process's OS account and host name, not an authenticated identity.\n" +
			"Examples:\n   medtwin audit verify\n   medtwin audit show",
		Subcommands: []*cli.Command{{
			Name:      "verify",
			Usage:     "check that no entry of the audit log was edited, removed, inserted or moved",
			ArgsUsage: "[LOG]",
			Action: func(c *cli.Context) error {
				path, err := auditLogArg(c)
				if err != nil {
					return err
				}
				key, err := auditKey()
				if err != nil {
					return err
				}
				n, last, err := audit.Verify(path, key)
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				kind := "keyed (HMAC-SHA256)"
				if key == nil {
					kind = "unkeyed: anyone who can write the log can rewrite it; set MEDTWIN_AUDIT_KEY_FILE"
				}
				fmt.Fprintf(c.App.Writer, "%s: %d entries, chain intact, %s; last hash %s (keep a copy elsewhere to detect a cut tail)\n", path, n, kind, last)
				return nil
			},
		}, {
			Name:      "show",
			Usage:     "print the audit log's entries (who, when, what)",
			ArgsUsage: "[LOG]",
			Action: func(c *cli.Context) error {
				path, err := auditLogArg(c)
				if err != nil {
					return err
				}
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				_, err = c.App.Writer.Write(b)
				return err
			},
		}},
	}
}

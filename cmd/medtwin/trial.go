package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/trial"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, trialCmd()) }

func trialCmd() *cli.Command {
	return &cli.Command{
		Name:      "trial",
		Usage:     "run an in-silico trial: per-arm endpoints, probability of target attainment, subgroups",
		ArgsUsage: "SPEC.lua",
		Description: "Every subject is simulated in every arm (a paired virtual design): linear models on the exact\n" +
			"PK path, Michaelis–Menten ones on the ODE path. Sharded runs are joined with `medtwin merge` and\n" +
			"summarized with --summarize. A reused --out keeps only this trial's files and your own (outputs of an\n" +
			"earlier command there and temporary files of a killed trial are removed). Example:\n   medtwin trial scenarios/vancomycin_trial.lua --subjects 5000",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "subjects", Usage: "number of subjects (default: the spec's)"},
			&cli.Uint64Flag{Name: "seed", Usage: "seed (default: the spec's)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (default out/<name>)"},
			&cli.StringFlag{Name: "backend", Value: "cpu", Usage: "where the PK runs: cpu, cuda (a GPU, through the CUDA worker that make cuda builds) or auto (a ready GPU, else cpu, saying why)"},
			&cli.StringFlag{Name: "summarize", Usage: "run nothing: read `DIR`/subjects.arrow (e.g. merged shards), write DIR/kpis.arrow and print the summary"},
			&cli.BoolFlag{Name: "json", Usage: "print the per-arm summary as JSON"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar"},
			&cli.StringFlag{Name: "shard", Usage: "run only shard `i/n` of the subjects (subjects.arrow only; join with `medtwin merge`); defaults from Slurm/Kubernetes array variables"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("trial takes one spec file")
			}
			started := time.Now()
			tr, err := scripts.LoadTrial(c.Args().First())
			if err != nil {
				return err
			}
			if c.IsSet("subjects") {
				// the spec's own check, on the spec's value or the flag's
				tr.Subjects = c.Int("subjects")
				if err := tr.Validate(); err != nil {
					return usagef("--subjects %d: %v", tr.Subjects, err)
				}
			}
			if c.IsSet("seed") {
				tr.Seed = c.Uint64("seed")
			}
			if dir := c.String("summarize"); dir != "" {
				if c.IsSet("shard") || c.IsSet("out") || c.IsSet("subjects") || c.IsSet("seed") {
					return usagef("--summarize takes its subjects, seed and output from DIR/subjects.arrow; leave out --shard, --out, --subjects and --seed")
				}
				path := filepath.Join(dir, "subjects.arrow")
				res, err := tr.ReadSubjects(path)
				if err != nil {
					return err
				}
				auditOutput(c, dir)
				return summarizeTrial(c, tr, res, dir, path, started)
			}
			if tr.Runner, err = cohort.Runner(backendFlag(c)); err != nil {
				return err
			}
			sh, err := parseShard(c.String("shard"))
			if err != nil {
				return err
			}
			from, to := sh.span(tr.Subjects)
			out := c.String("out")
			if out == "" {
				out = filepath.Join("out", tr.Name)
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			auditOutput(c, out)
			results.RemoveTemps(out) // of a trial killed while writing here
			path := filepath.Join(out, "subjects.arrow")
			files, err := tr.Create(out, tr.Provenance(Version, from, to, sh.String()))
			if err != nil {
				return err
			}
			// in chunks, streamed to the files: the Lua-built jobs of one chunk
			// are freed before the next, and the summary keeps per row only what
			// it needs (a subject's row does not depend on its chunk)
			const chunk = 5000
			var res []trial.Result
			bar, wait := progressOf(c, tr.Name, to-from, "subjects")
			defer wait()
			for lo := from; lo < to; lo += chunk {
				part, err := tr.Run(c.Context, lo, min(lo+chunk, to))
				bar(len(part))
				if err == nil {
					err = files.Add(part)
				}
				if err != nil {
					files.Abort()
					return err
				}
				for i := range part {
					part[i].Params, part[i].Samples, part[i].BLQ, part[i].Series = nil, nil, nil, nil
				}
				res = append(res, part...)
			}
			if err := files.Close(); err != nil {
				return err
			}
			// what an earlier command left in a reused --out (a run's files,
			// a timeseries.arrow the spec no longer asks for) goes: the
			// directory holds this trial's files and the user's own
			keep := []string{"subjects.arrow"}
			if len(tr.SeriesTimes()) > 0 { // Create wrote a timeseries.arrow
				keep = append(keep, "timeseries.arrow")
			}
			if sh.N == 1 {
				keep = append(keep, "kpis.arrow") // summarizeTrial writes it next
			}
			if err := results.RemoveStale(out, keep); err != nil {
				return err
			}
			if sh.N > 1 {
				if err := writeDirManifest(out, tr.Provenance(Version, from, to, sh.String()), started); err != nil {
					return err
				}
				if c.Bool("json") {
					return writeJSON(c.App.Writer, map[string]any{"name": tr.Name, "shard": sh.String(), "first_subject": from, "last_subject": to - 1, "results": path})
				}
				fmt.Fprintf(c.App.Writer, "%s: shard %s, subjects %d-%d of %d × %d arms in %s; join the shards with `medtwin merge OUT SHARD_DIR...`\n",
					tr.Name, sh, from, to-1, tr.Subjects, len(tr.Arms), path)
				return nil
			}
			return summarizeTrial(c, tr, res, out, path, started)
		},
	}
}

// summarizeTrial writes kpis.arrow into out and prints the per-arm summary,
// the attainment by subgroup and the power.
func summarizeTrial(c *cli.Context, tr *trial.Spec, res []trial.Result, out, path string, started time.Time) error {
	if err := tr.WriteKPIs(filepath.Join(out, "kpis.arrow"), Version, res); err != nil {
		return err
	}
	if err := writeDirManifest(out, tr.Provenance(Version, 0, tr.Subjects, ""), started); err != nil {
		return err
	}
	if c.Bool("json") {
		var pw []trial.ArmPower
		if tr.Replicates.N > 0 {
			pw, _ = tr.Power(res) // too few subjects for one replicate: no power, the rest stands
		}
		return writeJSON(c.App.Writer, trialJSON(tr, res, path, pw))
	}
	fmt.Fprintf(c.App.Writer, "%s: %d subjects × %d arms (seed %d), per-subject results in %s, per-arm KPIs in kpis.arrow\n\n",
		tr.Name, tr.Subjects, len(tr.Arms), tr.Seed, path)
	printTrial(c.App.Writer, tr, res)
	if tr.Replicates.N > 0 {
		pw, err := tr.Power(res)
		if err != nil {
			// too few subjects for one replicate: the rest of the trial stands
			fmt.Fprintf(c.App.Writer, "\npower not computed: %v\n", err)
			return nil
		}
		printPower(c.App.Writer, tr, pw)
	}
	return nil
}

// printPower prints the replicate-trial power table.
func printPower(w io.Writer, tr *trial.Spec, pw []trial.ArmPower) {
	fmt.Fprintf(w, "\npower: %d replicate parallel-group trials of %d subjects per arm; attainment vs %q by the pooled two-sided z test at alpha %g (95%% Wilson intervals)\n\n",
		pw[0].Replicates, tr.Replicates.N, tr.Arms[0].Name, tr.Replicates.Alpha)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "arm\tmean difference\tpower (significantly higher)\tsignificantly lower")
	for _, p := range pw {
		lo, hi := stats.Wilson(p.Higher, p.Replicates)
		fmt.Fprintf(tw, "%s\t%+.1f points\t%.1f%% [%.1f, %.1f]\t%.1f%%\n", tr.Arms[p.Arm].Name, 100*p.MeanDiff,
			100*float64(p.Higher)/float64(p.Replicates), 100*lo, 100*hi, 100*float64(p.Lower)/float64(p.Replicates))
	}
	tw.Flush()
}

// printTrial prints the per-arm endpoint summaries and, with a target, the
// attainment of all subjects and of each subgroup.
func printTrial(w io.Writer, tr *trial.Spec, res []trial.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "arm\tendpoint\tmean\t95% CI of mean\tp5\tmedian\tp95")
	for _, e := range tr.Summaries(res) {
		s := e.Mean
		fmt.Fprintf(tw, "%s\t%s\t%s\t[%s, %s]\t%s\t%s\t%s\n", tr.Arms[e.Arm].Name, tr.Endpoints[e.Endpoint].Name, num(s.Mean), num(s.Low), num(s.High),
			num(e.P5), num(e.Median), num(e.P95))
	}
	tw.Flush()
	table := tr.AttainmentTable(res)
	if table == nil {
		return
	}
	fmt.Fprintf(w, "\nprobability of target attainment: %s in [%g, %g] (95%% Wilson intervals; ! = subgroup more than 10 points below its arm)\n\n",
		tr.Target.Endpoint, tr.Target.Min, tr.Target.Max)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "subgroup\tn"
	for _, a := range tr.Arms {
		head += "\t" + a.Name + "\tvs arm"
	}
	fmt.Fprintln(tw, head)
	whole := table[0]
	line := "all subjects\t" + fmt.Sprint(whole.N)
	for a := range tr.Arms {
		lo, hi := stats.Wilson(whole.Met[a], whole.Of[a])
		line += fmt.Sprintf("\t%.1f%% [%.1f, %.1f]\t", 100*whole.Rate(a), 100*lo, 100*hi)
	}
	fmt.Fprintln(tw, line)
	for _, sg := range table[1:] {
		line := fmt.Sprintf("%s\t%d", sg.Subgroup, sg.N)
		for a := range tr.Arms {
			lo, hi := stats.Wilson(sg.Met[a], sg.Of[a])
			p := sg.Rate(a)
			flag := ""
			if p < whole.Rate(a)-0.10 {
				flag = " !"
			}
			line += fmt.Sprintf("\t%.1f%% [%.1f, %.1f]\t%+.1f%s", 100*p, 100*lo, 100*hi, 100*(p-whole.Rate(a)), flag)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

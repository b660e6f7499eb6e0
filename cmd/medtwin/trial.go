package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/physio/cohort"
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
			"summarized with --summarize. Example:\n   medtwin trial scenarios/vancomycin_trial.lua --subjects 5000",
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
				if c.Int("subjects") < 1 {
					return usagef("--subjects must be at least 1, got %d", c.Int("subjects"))
				}
				tr.Subjects = c.Int("subjects")
			}
			if c.IsSet("seed") {
				tr.Seed = c.Uint64("seed")
			}
			if dir := c.String("summarize"); dir != "" {
				if c.IsSet("shard") || c.IsSet("out") || c.IsSet("subjects") || c.IsSet("seed") {
					return usagef("--summarize takes its subjects, seed and output from DIR/subjects.arrow; leave out --shard, --out, --subjects and --seed")
				}
				path := filepath.Join(dir, "subjects.arrow")
				res, err := readSubjects(path, tr)
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
			path := filepath.Join(out, "subjects.arrow")
			files, err := openTrialFiles(out, tr, from, to, sh)
			if err != nil {
				return err
			}
			// in chunks, streamed to the files: the Lua-built jobs of one chunk
			// are freed before the next, and the summary keeps per row only what
			// it needs (a subject's row does not depend on its chunk)
			const chunk = 5000
			var res []scripts.SubjectResult
			bar, wait := progressOf(c, tr.Name, to-from, "subjects")
			defer wait()
			for lo := from; lo < to; lo += chunk {
				part, err := tr.Run(c.Context, lo, min(lo+chunk, to))
				bar(len(part))
				if err == nil {
					err = files.add(part)
				}
				if err != nil {
					files.abort()
					return err
				}
				for i := range part {
					part[i].Params, part[i].Samples, part[i].Series = nil, nil, nil
				}
				res = append(res, part...)
			}
			if err := files.close(); err != nil {
				return err
			}
			if sh.N > 1 {
				if err := writeDirManifest(out, trialProvenance(tr, from, to, sh.String()), started); err != nil {
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
func summarizeTrial(c *cli.Context, tr *scripts.Trial, res []scripts.SubjectResult, out, path string, started time.Time) error {
	if err := writeTrialKPIs(filepath.Join(out, "kpis.arrow"), tr, res); err != nil {
		return err
	}
	if err := writeDirManifest(out, trialProvenance(tr, 0, tr.Subjects, ""), started); err != nil {
		return err
	}
	if c.Bool("json") {
		var pw []scripts.ArmPower
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

// subjectColumns is the schema of subjects.arrow for the trial.
func subjectColumns(tr *scripts.Trial) []results.Column {
	f64, i64, str, b := arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean
	cols := []results.Column{{Name: "subject", Type: i64}, {Name: "arm", Type: str}}
	for _, n := range tr.CovariateNames() {
		cols = append(cols, results.Column{Name: n, Type: f64})
	}
	for _, n := range tr.ParamNames() {
		cols = append(cols, results.Column{Name: n, Type: f64})
	}
	for _, e := range tr.Endpoints {
		cols = append(cols, results.Column{Name: e.Name, Type: f64})
	}
	for _, t := range tr.SampleTimes {
		cols = append(cols, results.Column{Name: fmt.Sprintf("obs_%gh_mg_l", t), Type: f64})
	}
	cols = append(cols, results.Column{Name: "total_dose_mg", Type: f64}, results.Column{Name: "target_met", Type: b})
	return cols
}

// trialFiles are a trial's per-subject outputs, written chunk by chunk:
// subjects.arrow (one row per subject and arm) and, when the spec asks for
// curves, timeseries.arrow (trialSeriesColumns). Nothing appears under a
// final name until close.
type trialFiles struct {
	tr       *scripts.Trial
	subjects *results.Writer
	series   *results.Writer // nil without a time series
}

func openTrialFiles(out string, tr *scripts.Trial, from, to int, sh shard) (*trialFiles, error) {
	prov := trialProv(tr, from, to, sh)
	w, err := results.Create(filepath.Join(out, "subjects.arrow"), subjectColumns(tr), prov.Metadata("subjects"), 0)
	if err != nil {
		return nil, err
	}
	f := &trialFiles{tr: tr, subjects: w}
	if len(tr.SeriesTimes()) > 0 {
		if f.series, err = results.Create(filepath.Join(out, "timeseries.arrow"), trialSeriesColumns, prov.Metadata("timeseries"), 0); err != nil {
			w.Abort()
			return nil, err
		}
	}
	return f, nil
}

// add appends the rows of res (in order).
func (f *trialFiles) add(res []scripts.SubjectResult) error {
	tr, w := f.tr, f.subjects
	params := tr.ParamNames()
	for _, r := range res {
		w.I64(0, int64(r.Subject))
		w.Str(1, tr.Arms[r.Arm])
		k := 2
		for _, v := range r.Covariates {
			w.F64(k, v)
			k++
		}
		for _, n := range params {
			w.F64(k, r.Params[n])
			k++
		}
		for _, v := range r.Endpoints {
			w.F64(k, v)
			k++
		}
		for _, v := range r.Samples {
			w.F64(k, v)
			k++
		}
		w.F64(k, r.TotalDose)
		w.Bool(k+1, r.TargetMet)
		if err := w.EndRow(); err != nil {
			return err
		}
	}
	if f.series == nil {
		return nil
	}
	ts := tr.SeriesTimes()
	for _, r := range res {
		for k, v := range r.Series {
			f.series.I64(0, int64(r.Subject))
			f.series.Str(1, tr.Arms[r.Arm])
			f.series.Str(2, trialSeriesVariable)
			f.series.F64(3, ts[k])
			f.series.F64(4, v)
			if err := f.series.EndRow(); err != nil {
				return err
			}
		}
	}
	return nil
}

// close finishes the files under their final names.
func (f *trialFiles) close() error {
	if err := f.subjects.Close(); err != nil {
		if f.series != nil {
			f.series.Abort()
		}
		return err
	}
	if f.series != nil {
		return f.series.Close()
	}
	return nil
}

// abort removes the temporary files.
func (f *trialFiles) abort() {
	f.subjects.Abort()
	if f.series != nil {
		f.series.Abort()
	}
}

// trialProv is the provenance of a trial's files for subjects [from, to).
func trialProv(tr *scripts.Trial, from, to int, sh shard) results.Provenance {
	p := results.Provenance{Version: Version, Scenario: filepath.Base(tr.Path), ScenarioSHA256: tr.SHA256, Seed: tr.Seed,
		From: from, To: to, Total: tr.Subjects, Shard: sh.String(), Params: map[string]string{"subjects": fmt.Sprint(tr.Subjects)}}
	addFitProvenance(tr, p.Params)
	return p
}

// trialUnits returns the replications of kpis.arrow, each as its rows per arm:
// the replicate trials of Trial.ReplicateArms, or, without replicates (or too
// few subjects for one), the whole paired cohort.
func trialUnits(tr *scripts.Trial, res []scripts.SubjectResult) [][][]scripts.SubjectResult {
	if units, err := tr.ReplicateArms(res); err == nil {
		return units
	}
	unit := make([][]scripts.SubjectResult, len(tr.Arms))
	for _, r := range res {
		unit[r.Arm] = append(unit[r.Arm], r)
	}
	return [][][]scripts.SubjectResult{unit}
}

// writeTrialKPIs writes kpis.arrow in the schema `medtwin run` uses: per
// replication, the mean of each endpoint in each arm ("auc24_day4/AUC-guided")
// and the attainment ("target_met/AUC-guided"), as tallies with their n.
func writeTrialKPIs(path string, tr *scripts.Trial, res []scripts.SubjectResult) error {
	prov := results.Provenance{Version: Version, Scenario: filepath.Base(tr.Path), ScenarioSHA256: tr.SHA256, Seed: tr.Seed,
		To: tr.Subjects, Total: tr.Subjects, Params: map[string]string{"subjects": fmt.Sprint(tr.Subjects), "replicate_n": fmt.Sprint(tr.Replicates.N)}}
	addFitProvenance(tr, prov.Params)
	w, err := results.Create(path, results.KPIColumns, prov.Metadata("kpis"), 0)
	if err != nil {
		return err
	}
	row := func(rep int, name string, v float64, n int) error {
		w.I32(0, int32(rep))
		w.Str(1, name)
		w.Str(2, "tally")
		w.F64(3, v)
		w.I64(4, int64(n))
		return w.EndRow()
	}
	for rep, unit := range trialUnits(tr, res) {
		for a, rs := range unit {
			for k, e := range tr.Endpoints {
				var t stats.Tally
				for _, r := range rs {
					t.Add(r.Endpoints[k])
				}
				if err := row(rep, e.Name+"/"+tr.Arms[a], t.Mean(), len(rs)); err != nil {
					w.Abort()
					return err
				}
			}
			if tr.Target.Endpoint != "" {
				met := 0
				for _, r := range rs {
					if r.TargetMet {
						met++
					}
				}
				if err := row(rep, "target_met/"+tr.Arms[a], float64(met)/float64(len(rs)), len(rs)); err != nil {
					w.Abort()
					return err
				}
			}
		}
	}
	return w.Close()
}

// printPower prints the replicate-trial power table.
func printPower(w io.Writer, tr *scripts.Trial, pw []scripts.ArmPower) {
	fmt.Fprintf(w, "\npower: %d replicate parallel-group trials of %d subjects per arm; attainment vs %q by the pooled two-sided z test at alpha %g (95%% Wilson intervals)\n\n",
		pw[0].Replicates, tr.Replicates.N, tr.Arms[0], tr.Replicates.Alpha)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "arm\tmean difference\tpower (significantly higher)\tsignificantly lower")
	for _, p := range pw {
		lo, hi := stats.Wilson(p.Higher, p.Replicates)
		fmt.Fprintf(tw, "%s\t%+.1f points\t%.1f%% [%.1f, %.1f]\t%.1f%%\n", tr.Arms[p.Arm], 100*p.MeanDiff,
			100*float64(p.Higher)/float64(p.Replicates), 100*lo, 100*hi, 100*float64(p.Lower)/float64(p.Replicates))
	}
	tw.Flush()
}

type subgroup struct {
	name string
	in   func(cov map[string]float64) bool
}

func subgroups(names []string) []subgroup {
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	var out []subgroup
	band := func(cov, label string, edges []float64) {
		if !has[cov] {
			return
		}
		for i := 0; i <= len(edges); i++ {
			lo, hi := math.Inf(-1), math.Inf(1)
			if i > 0 {
				lo = edges[i-1]
			}
			if i < len(edges) {
				hi = edges[i]
			}
			var name string
			switch {
			case i == 0:
				name = fmt.Sprintf("%s < %g", label, hi)
			case i == len(edges):
				name = fmt.Sprintf("%s >= %g", label, lo)
			default:
				name = fmt.Sprintf("%s %g–%g", label, lo, hi)
			}
			out = append(out, subgroup{name, func(c map[string]float64) bool { v := c[cov]; return v >= lo && v < hi }})
		}
	}
	if has["female"] {
		out = append(out, subgroup{"women", func(c map[string]float64) bool { return c["female"] == 1 }},
			subgroup{"men", func(c map[string]float64) bool { return c["female"] == 0 }})
	}
	band("age_y", "age (y)", []float64{40, 65})
	band("crcl_ml_min", "CrCl (mL/min)", []float64{30, 60, 90})
	band("weight_kg", "weight (kg)", []float64{60, 100})
	return out
}

func printTrial(w io.Writer, tr *scripts.Trial, res []scripts.SubjectResult) {
	names := tr.CovariateNames()
	byArm := make([][]scripts.SubjectResult, len(tr.Arms))
	for _, r := range res {
		byArm[r.Arm] = append(byArm[r.Arm], r)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "arm\tendpoint\tmean\t95% CI of mean\tp5\tmedian\tp95")
	for a, rs := range byArm {
		for k := range tr.Endpoints {
			d := endpointStats(tr, a, k, rs)
			fmt.Fprintf(tw, "%s\t%s\t%s\t[%s, %s]\t%s\t%s\t%s\n", d.Arm, d.Endpoint, num(d.Mean), num(d.CILow), num(d.CIHigh),
				num(d.P5), num(d.Median), num(d.P95))
		}
	}
	tw.Flush()
	if tr.Target.Endpoint == "" {
		return
	}
	fmt.Fprintf(w, "\nprobability of target attainment: %s in [%g, %g] (95%% Wilson intervals; ! = subgroup more than 10 points below its arm)\n\n",
		tr.Target.Endpoint, tr.Target.Min, tr.Target.Max)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "subgroup\tn"
	for _, a := range tr.Arms {
		head += "\t" + a + "\tvs arm"
	}
	fmt.Fprintln(tw, head)
	// covariates by name, once per subject (every arm and subgroup reads them)
	covs := map[int]map[string]float64{}
	for _, r := range res {
		if _, ok := covs[r.Subject]; !ok {
			cov := make(map[string]float64, len(names))
			for i, name := range names {
				cov[name] = r.Covariates[i]
			}
			covs[r.Subject] = cov
		}
	}
	pta := func(rs []scripts.SubjectResult, in func(map[string]float64) bool) (int, int) {
		k, n := 0, 0
		for _, r := range rs {
			if in != nil && !in(covs[r.Subject]) {
				continue
			}
			n++
			if r.TargetMet {
				k++
			}
		}
		return k, n
	}
	whole := make([]float64, len(tr.Arms))
	line := "all subjects\t" + fmt.Sprint(len(byArm[0]))
	for a, rs := range byArm {
		k, n := pta(rs, nil)
		lo, hi := stats.Wilson(k, n)
		whole[a] = float64(k) / float64(n)
		line += fmt.Sprintf("\t%.1f%% [%.1f, %.1f]\t", 100*whole[a], 100*lo, 100*hi)
	}
	fmt.Fprintln(tw, line)
	for _, sg := range subgroups(names) {
		_, n := pta(byArm[0], sg.in)
		if n == 0 {
			continue
		}
		line := fmt.Sprintf("%s\t%d", sg.name, n)
		for a, rs := range byArm {
			k, n := pta(rs, sg.in)
			lo, hi := stats.Wilson(k, n)
			p := float64(k) / float64(n)
			flag := ""
			if p < whole[a]-0.10 {
				flag = " !"
			}
			line += fmt.Sprintf("\t%.1f%% [%.1f, %.1f]\t%+.1f%s", 100*p, 100*lo, 100*hi, 100*(p-whole[a]), flag)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

// trialProvenance is the manifest's account of a trial: the spec, its seed,
// and the subjects from..to (exclusive) of the total.
func trialProvenance(tr *scripts.Trial, from, to int, shard string) results.Provenance {
	return results.Provenance{Version: Version, Scenario: filepath.Base(tr.Path), ScenarioSHA256: tr.SHA256, Seed: tr.Seed,
		From: from, To: to, Total: tr.Subjects, Shard: shard}
}

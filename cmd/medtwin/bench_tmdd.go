package main

import (
	_ "embed"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/medtwin/medtwin/engine/benchref"
	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/urfave/cli/v2"
)

// The deSolve reference of `medtwin bench tmdd`: an R script and the TMDD
// model's right-hand side in C, written by hand (not generated from the
// model file), so that the comparison also checks the model language's
// result.
var (
	//go:embed benchdata/tmdd_desolve.R
	tmddDesolveR []byte
	//go:embed benchdata/tmdd_qss.c
	tmddDesolveC []byte
)

func init() { extraBenchCmds = append(extraBenchCmds, benchTMDDCmd()) }

func benchTMDDCmd() *cli.Command {
	return &cli.Command{
		Name:  "tmdd",
		Usage: "the library's tmdd_qss (model language, Taylor path) on the reference dosing against deSolve lsoda with a compiled C RHS",
		Description: "Needs Rscript and deSolve (make r-reference installs both); both sides run the\n" +
			"same regimen (100 nmol every 12 h into the depot, outputs every hour to 336 h,\n" +
			"IIV SD 0.3 on every parameter, rtol 1e-8, atol 1e-10). Example:\n   medtwin bench tmdd --subjects 2000",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "subjects", Value: 2000, Usage: "subjects per medtwin measurement"},
			&cli.IntFlag{Name: "desolve-subjects", Value: 200, Usage: "subjects for deSolve (slow)"},
		}, benchFlags...),
		Action: func(c *cli.Context) error {
			if _, err := exec.LookPath("Rscript"); err != nil {
				return fmt.Errorf("bench tmdd needs Rscript and deSolve: run `make r-reference`")
			}
			tmp, err := os.MkdirTemp("", "medtwin-bench-tmdd-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			for name, b := range map[string][]byte{"tmdd_desolve.R": tmddDesolveR, "tmdd_qss.c": tmddDesolveC} {
				if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
					return err
				}
			}
			m, err := modlang.Library("tmdd_qss")
			if err != nil {
				return err
			}
			n := c.Int("subjects")
			var desolve, rTyp, one, all, ours float64
			for r := 0; r < c.Int("rounds"); r++ {
				out, err := exec.Command("Rscript", filepath.Join(tmp, "tmdd_desolve.R"), strconv.Itoa(c.Int("desolve-subjects")), tmp).CombinedOutput()
				if err != nil {
					return fmt.Errorf("deSolve (make r-reference installs it): %v\n%s", err, out)
				}
				res := benchref.Parse(out)["desolve"]
				desolve, rTyp = math.Max(desolve, res["subjects_per_s"]), res["ctot_typical_336"]
				for _, procs := range []int{1, 0} {
					rate, err := timeTMDD(m, n, procs)
					if err != nil {
						return err
					}
					if procs == 1 {
						one = math.Max(one, rate)
					} else {
						all = math.Max(all, rate)
					}
				}
			}
			if ours, err = tmddCtot336(m, m.Defaults()); err != nil {
				return err
			}
			return printBench(c, []benchRow{
				{Name: "deSolve lsoda, C RHS (R, reference)", Value: desolve, Unit: "subjects/s"},
				{Name: "medtwin tmdd_qss, Taylor, 1 core", Value: one, Unit: "subjects/s", Floor: desolve, Ratio: one / desolve},
				{Name: fmt.Sprintf("medtwin tmdd_qss, Taylor, %d cores", runtime.GOMAXPROCS(0)), Value: all, Unit: "subjects/s", Floor: desolve, Ratio: all / desolve, Target: ">= 20x deSolve"},
				{Name: "typical ctot at 336 h, |medtwin/deSolve - 1|", Value: math.Abs(ours/rTyp - 1), Unit: "", Target: "<= 1e-6 (both rtol 1e-8)"},
			})
		},
	}
}

// tmddDoses is the reference regimen: 100 nmol every 12 h to 324 h, into the depot.
var tmddDoses = []modlang.Dose{{Amt: 100, II: 12, ADDL: 27, Cmt: "depot"}}

func tmddTimes() []float64 {
	t := make([]float64, 337)
	for i := range t {
		t[i] = float64(i)
	}
	return t
}

// tmddCtot336 returns the total drug concentration at 336 h (nmol/L).
func tmddCtot336(m *modlang.Model, p []float64) (float64, error) {
	in := m.NewInstance()
	if err := in.SetParams(p); err != nil {
		return 0, err
	}
	var last float64
	err := in.Simulate(tmddDoses, tmddTimes(), modlang.SimOptions{Path: modlang.TaylorPath, RTol: 1e-8, ATol: 1e-10},
		func(i int, t float64, y []float64) { last = y[1] / p[m.ParamIndex("V1")] })
	return last, err
}

// timeTMDD simulates n subjects (parameters the typical ones times
// exp(N(0, 0.3²)), each from its own stream) on procs cores (0: all) and
// returns subjects per second.
func timeTMDD(m *modlang.Model, n, procs int) (float64, error) {
	workers := procs
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ins := make([]*modlang.Instance, workers)
	for w := range ins {
		ins[w] = m.NewInstance()
	}
	times := tmddTimes()
	typ := m.Defaults()
	errs := make([]error, n)
	t0 := time.Now()
	par.Strided(n, workers, func(w, i int) {
		s := rng.New(1, 0, "bench-tmdd", uint64(i))
		p := make([]float64, len(typ))
		for k, v := range typ {
			p[k] = v * math.Exp(s.Normal(0, 0.3))
		}
		in := ins[w]
		if errs[i] = in.SetParams(p); errs[i] != nil {
			return
		}
		errs[i] = in.Simulate(tmddDoses, times, modlang.SimOptions{Path: modlang.TaylorPath, RTol: 1e-8, ATol: 1e-10}, func(int, float64, []float64) {})
	})
	el := time.Since(t0).Seconds()
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return float64(n) / el, nil
}

package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/fit"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
	"gonum.org/v1/gonum/mat"
)

// fitPopulation runs the population fit --method asks for (foce-i, saem),
// progress lines on stderr unless --quiet.
func fitPopulation(c *cli.Context, spec *scripts.FitSpec, ds *fit.DataSet, out, dataSHA256 string) (*fit.PopResult, error) {
	opt := fit.PopOptions{BlockOmega: c.Bool("block-omega"), NPDESims: 1000, NPDESeed: spec.Seed, MaxIterations: c.Int("max-iterations")}
	if err := checkpointOptions(c, &opt, out, spec.SHA256, dataSHA256); err != nil {
		return nil, err
	}
	if !c.Bool("quiet") {
		ew := c.App.ErrWriter
		label := "OFV" // SAEM's progress is the complete-data −2 log L at the chains' η
		if c.String("method") == "saem" {
			label = "-2LL(complete)"
		}
		opt.Progress = func(iter int, ofv float64, m *fit.Model) {
			var cells []string
			for _, p := range m.Params {
				cells = append(cells, fmt.Sprintf("%s=%.4g", p.Name, p.Typical))
			}
			for k, e := range m.Etas {
				cells = append(cells, fmt.Sprintf("ω²(%s)=%.4g", e, m.Omega.At(k, k)))
			}
			cells = append(cells, sigmaCells(m.Error)...)
			fmt.Fprintf(ew, "fit %s: iteration %d %s %.4f %s\n", c.String("method"), iter, label, ofv, strings.Join(cells, " "))
		}
	}
	var pop *fit.PopResult
	var err error
	switch c.String("method") {
	case "saem":
		pop, err = spec.Model.FitSAEM(ds, fit.SAEMOptions{PopOptions: opt, Seed: spec.Seed})
	default:
		pop, err = spec.Model.FitFOCEI(ds, opt)
	}
	if err != nil {
		return nil, err
	}
	if pop.Warning != "" {
		fmt.Fprintf(c.App.ErrWriter, "fit %s: warning: %s\n", c.String("method"), pop.Warning)
	}
	return pop, nil
}

func sigmaCells(e fit.ErrorModel) []string {
	var cells []string
	if e.Kind != fit.Proportional {
		cells = append(cells, fmt.Sprintf("σ(add)=%.4g", e.Add))
	}
	if e.Kind == fit.Proportional || e.Kind == fit.Combined {
		cells = append(cells, fmt.Sprintf("σ(prop)=%.4g", e.Prop))
	}
	return cells
}

// populationJSON is population.json: the fitted model (structure, θ, the
// η on each parameter, Ω, σ, covariate relations) with the objective, the
// covariance step and provenance (spec and data-set hashes, method), so that
// a trial can take the population from the fit instead of re-typed values.
func populationJSON(pop *fit.PopResult, prov results.Provenance) any {
	m := pop.Model
	model := map[string]any{"parameters": m.Structure.ParamNames()}
	if pk, ok := m.Structure.(*fit.PK); ok {
		model = map[string]any{"compartments": pk.NCmt, "absorption": pk.Absorption, "mm": pk.MM}
	}
	theta, eta, etaModel := map[string]float64{}, map[string]string{}, map[string]string{}
	covs := map[string][]map[string]any{}
	rels := []string{"power", "exponential", "linear"}
	for _, p := range m.Params {
		theta[p.Name] = p.Typical
		if p.Eta != "" {
			eta[p.Name] = p.Eta
			etaModel[p.Name] = []string{"exponential", "additive", "proportional"}[p.EtaModel]
		}
		for _, c := range p.Covariates {
			covs[p.Name] = append(covs[p.Name], map[string]any{"covariate": c.Covariate, "relation": rels[c.Relation], "ref": c.Ref, "coef": c.Coef})
		}
	}
	omega := symRows(m.Omega)
	kinds := []string{"additive", "proportional", "combined", "exponential"}
	out := map[string]any{
		"method": pop.Method, "model": model, "theta": theta, "eta": eta, "eta_model": etaModel, "covariates": covs,
		"omega": map[string]any{"names": m.Etas, "matrix": omega},
		"sigma": map[string]any{"kind": kinds[m.Error.Kind], "additive": m.Error.Add, "proportional": m.Error.Prop},
		"ofv":   finiteOrNil(pop.OFV), "aic": finiteOrNil(pop.AIC), "bic": finiteOrNil(pop.BIC),
		"n_obs": pop.NObs, "n_par": pop.NPar, "iterations": pop.Iterations, "converged": pop.Converged, "warning": pop.Warning,
		"provenance": map[string]any{"version": prov.Version, "spec": prov.Scenario, "spec_sha256": prov.ScenarioSHA256,
			"data": prov.Params["data"], "data_sha256": prov.Params["data_sha256"], "seed": prov.Seed},
	}
	if cs := pop.Cov; cs != nil {
		var rows []map[string]any
		for i, n := range cs.Names {
			rows = append(rows, map[string]any{"name": n, "estimate": cs.Estimate[i], "se": finiteOrNil(cs.SE[i]), "rse_pct": finiteOrNil(cs.RSE[i])})
		}
		corr := symRows(cs.Corr)
		out["covariance_step"] = map[string]any{"estimates": rows, "correlation": corr, "eigenvalues": cs.Eigen, "condition_number": cs.Condition}
	}
	return out
}

// symRows returns a symmetric matrix as rows (for JSON).
func symRows(s mat.Symmetric) [][]float64 {
	n := s.SymmetricDim()
	rows := make([][]float64, n)
	for a := range rows {
		rows[a] = make([]float64, n)
		for b := range rows[a] {
			rows[a][b] = s.At(a, b)
		}
	}
	return rows
}

// printPopulation prints the population estimates with their standard
// errors, the objective and the information criteria.
func printPopulation(w io.Writer, pop *fit.PopResult) {
	fmt.Fprintf(w, "population fit (%s): OFV %.4f, AIC %.3f, BIC %.3f (%d observations, %d parameters, %d iterations)\n",
		pop.Method, pop.OFV, pop.AIC, pop.BIC, pop.NObs, pop.NPar, pop.Iterations)
	if cs := pop.Cov; cs != nil {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "parameter\testimate\tSE\tRSE%%\n")
		for i, n := range cs.Names {
			fmt.Fprintf(tw, "%s\t%.5g\t%.3g\t%.1f\n", n, cs.Estimate[i], cs.SE[i], cs.RSE[i])
		}
		tw.Flush()
		fmt.Fprintf(w, "condition number %.1f\n", cs.Condition)
	} else {
		m := pop.Model
		for _, p := range m.Params {
			fmt.Fprintf(w, "THETA(%s) %.5g\n", p.Name, p.Typical)
		}
		for k, e := range m.Etas {
			fmt.Fprintf(w, "OMEGA(%s) %.5g\n", e, m.Omega.At(k, k))
		}
		fmt.Fprintln(w, strings.Join(sigmaCells(m.Error), " "))
	}
	if !pop.Converged || pop.Warning != "" {
		fmt.Fprintf(w, "warning: %s\n", pop.Warning)
	}
}

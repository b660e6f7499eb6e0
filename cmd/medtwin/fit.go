package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/fit"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func init() { extraCommands = append(extraCommands, fitCmd()) }

func fitCmd() *cli.Command {
	return &cli.Command{
		Name:      "fit",
		Usage:     "individualise a population model to each subject's data (MAP Bayesian, NONMEM's POSTHOC) and recommend a dose",
		ArgsUsage: "SPEC.lua --data DATA.csv",
		Description: "Reads a NONMEM-style data set (ID TIME AMT RATE II ADDL SS CMT EVID MDV DV, BLQ/LLOQ, covariate\n" +
			"columns) and a fit spec (`return fit { model, theta, eta, omega, sigma, covariates, recommend }`),\n" +
			"finds each subject's maximum a posteriori η, its posterior covariance (Laplace: the inverse of half\n" +
			"the Hessian), η-shrinkage and the OFV, and writes individual.arrow, records.arrow (PRED, IPRED,\n" +
			"IWRES per record), report.html (individual curves with 90% credible bands) and manifest.json.\n" +
			"A covariate that changes within a subject applies from the record that carries it on (LOCF; the\n" +
			"amounts carry over); NONMEM advances to a record with that record's values: shift values one record\n" +
			"earlier to match it. `medtwin fhir import --nonmem` writes such a data set from FHIR resources.\n" +
			"--recommend ID evaluates the spec's candidate regimens for that subject over posterior draws.\n" +
			"--follow reads FHIR R4 resources as NDJSON on stdin (MedicationAdministration: dosage.dose in mg,\n" +
			"effectivePeriod for infusions; Observation: drug levels by --loinc, weight 29463-7 as WT) and writes\n" +
			"one JSON line per new level: the posterior (η, SD, parameters) and, with recommend = { ... }, the regimen.\n" +
			"--method foce-i|saem fits θ, Ω and σ (population.json, which a trial spec loads with fit(\"DIR\")); the report\n" +
			"adds goodness-of-fit plots and a prediction-corrected VPC; FOCE-I and SAEM write OUT/fit.checkpoint.json after\n" +
			"every iteration and --resume continues an interrupted fit to the same result.\n" +
			"Example:\n   medtwin fit scenarios/theophylline_fit.lua --data scenarios/theophylline.csv --out out/theoph",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data", Usage: "the NONMEM-style data set (CSV)"},
			&cli.BoolFlag{Name: "follow", Usage: "read FHIR resources as NDJSON on stdin (MedicationAdministration, Observation) and write, per new level, the patient's posterior and recommendation as one JSON line"},
			&cli.StringFlag{Name: "loinc", Value: defaultLevelLOINC, Usage: "with --follow: the LOINC codes of the drug-level Observations"},
			&cli.StringFlag{Name: "method", Value: "map", Usage: "map (BFGS), map-nelder-mead (a derivative-free cross-check), or a population fit of θ, Ω, σ: foce-i or saem"},
			&cli.BoolFlag{Name: "block-omega", Usage: "with foce-i/saem: estimate every covariance of Ω (default: the initial Ω's structure)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress on stderr (a bar of subjects when stderr is a terminal; with foce-i/saem, a line per iteration)"},
			&cli.BoolFlag{Name: "resume", Usage: "with foce-i/saem: continue an interrupted fit from OUT/" + checkpointFile + " (written after every iteration); the result is the uninterrupted fit's"},
			&cli.IntFlag{Name: "max-iterations", Usage: "with foce-i: at most this many outer iterations (default 500); with saem: stop the schedule after this many (continue with --resume)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (default out/<name>)"},
			&cli.StringFlag{Name: "recommend", Usage: "subject `ID` to recommend a regimen for (needs recommend = { ... } in the spec)"},
			&cli.BoolFlag{Name: "no-report", Usage: "skip report.html"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("fit takes one spec file")
			}
			method := fit.BFGS
			switch c.String("method") {
			case "map":
			case "map-nelder-mead":
				method = fit.NelderMead
			case "foce-i", "saem":
			default:
				return usagef("--method %q: want map, map-nelder-mead, foce-i or saem", c.String("method"))
			}
			spec, err := scripts.LoadFitSpec(c.Args().First())
			if err != nil {
				return err
			}
			if c.Bool("follow") {
				if c.IsSet("data") || c.IsSet("out") || c.IsSet("recommend") {
					return usagef("--follow reads stdin and writes stdout: leave out --data, --out and --recommend")
				}
				lat, err := follow(spec, c.App.Reader, c.App.Writer, c.String("loinc"))
				if len(lat) > 0 {
					p50, p99 := latencyQuantiles(lat)
					fmt.Fprintf(c.App.ErrWriter, "fit --follow: %d updates, latency p50 %v, p99 %v\n", len(lat), p50, p99)
				}
				return err
			}
			dataPath := c.String("data")
			if dataPath == "" {
				return usagef("fit needs --data DATA.csv (or --follow)")
			}
			started := time.Now()
			raw, err := os.ReadFile(dataPath)
			if err != nil {
				return fmt.Errorf("cannot read the data set: %w", err)
			}
			ds, err := fit.ReadCSV(strings.NewReader(string(raw)), filepath.ToSlash(dataPath))
			if err != nil {
				return err
			}
			out := c.String("out")
			if out == "" {
				out = filepath.Join("out", spec.Name)
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			dsum := sha256.Sum256(raw)
			var pop *fit.PopResult
			if m := c.String("method"); m == "foce-i" || m == "saem" {
				if pop, err = fitPopulation(c, spec, ds, out, hex.EncodeToString(dsum[:])); err != nil {
					return err
				}
				spec.Model = pop.Model
			} else if c.Bool("resume") || c.IsSet("max-iterations") {
				return usagef("--resume and --max-iterations apply to --method foce-i or saem")
			}
			bar, wait := progressOf(c, spec.Name+" fit", len(ds.Subjects), "subjects")
			res, err := spec.Model.FitEach(ds, method, func() { bar(1) })
			wait()
			if err != nil {
				return err
			}
			auditOutput(c, out)
			prov := results.Provenance{Version: Version, Scenario: filepath.Base(spec.Path), ScenarioSHA256: spec.SHA256, Seed: spec.Seed,
				Params: map[string]string{"data": filepath.Base(dataPath), "data_sha256": hex.EncodeToString(dsum[:]), "method": c.String("method")},
				From:   0, To: len(ds.Subjects), Total: len(ds.Subjects)}
			files := []string{"individual.arrow", "records.arrow"}
			if err := writeIndividuals(filepath.Join(out, files[0]), spec.Model, res, prov); err != nil {
				return err
			}
			if err := writeRecords(filepath.Join(out, files[1]), ds, res, pop, prov); err != nil {
				return err
			}
			if pop != nil {
				if err := results.WriteFileAtomic(filepath.Join(out, "population.json"), jsonBytes(populationJSON(pop, prov))); err != nil {
					return err
				}
				files = append(files, "population.json")
			}
			var rec *fitRecommendation
			if id := c.String("recommend"); id != "" {
				if rec, err = recommendFor(spec, ds, res, id); err != nil {
					return err
				}
				if err := results.WriteFileAtomic(filepath.Join(out, "recommendation.json"), jsonBytes(rec)); err != nil {
					return err
				}
				files = append(files, "recommendation.json")
			}
			if !c.Bool("no-report") {
				if err := fitReport(filepath.Join(out, "report.html"), spec, ds, res, rec, pop); err != nil {
					return err
				}
				files = append(files, "report.html")
			}
			for i, f := range files {
				files[i] = filepath.Join(out, f)
			}
			if err := results.NewManifest(prov, started).Write(out, files); err != nil {
				return err
			}
			w := c.App.Writer
			if c.Bool("json") {
				return writeJSON(w, fitSummary(spec.Model, res, rec, out))
			}
			printFit(w, spec.Model, res, rec, out)
			if pop != nil {
				printPopulation(w, pop)
			}
			return nil
		},
	}
}

// fitRecommendation is recommendation.json.
type fitRecommendation struct {
	Subject    string          `json:"subject"`
	Target     fit.Target      `json:"target"`
	Draws      int             `json:"draws"`
	Method     string          `json:"method"`
	Best       fit.Candidate   `json:"best"`
	Candidates []fit.Candidate `json:"candidates"`
}

func recommendFor(spec *scripts.FitSpec, ds *fit.DataSet, res *fit.Result, id string) (*fitRecommendation, error) {
	if spec.Recommend == nil {
		return nil, usagef("--recommend needs recommend = { target = ..., doses = ..., intervals = ... } in %s", spec.Path)
	}
	for i := range ds.Subjects {
		if ds.Subjects[i].ID != id {
			continue
		}
		r := spec.Recommend
		cands, best, err := spec.Model.Recommend(ds, &ds.Subjects[i], res.Estimates[i], r.Regimens, r.Target, r.Draws, spec.Seed, uint64(i))
		if err != nil {
			return nil, err
		}
		return &fitRecommendation{Subject: id, Target: r.Target, Draws: r.Draws, Best: cands[best], Candidates: cands,
			Method: "Laplace approximation: η drawn from N(η̂, (H/2)⁻¹), H the Hessian of the MAP objective"}, nil
	}
	return nil, fmt.Errorf("--recommend %s: no subject with that ID in the data set", id)
}

func lowerSnake(s string) string { return strings.ToLower(s) }

// jsonBytes is the JSON of a file that medtwin reads back (population.json,
// recommendation.json, the fit checkpoint): Go's own keys, as the readers
// expect, NaN and Inf as null. What --json prints goes through writeJSON.
func jsonBytes(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	data, err := json.Marshal(v)
	var out any = json.RawMessage(data)
	if err == nil {
		json.Unmarshal(data, &out)
	} else {
		data, _ = json.Marshal(fmt.Sprint(v))
		out = json.RawMessage(data)
	}
	enc.Encode(out)
	return b.Bytes()
}

func writeIndividuals(path string, m *fit.Model, res *fit.Result, prov results.Provenance) error {
	cols := []results.Column{{Name: "id", Type: arrow.BinaryTypes.String}}
	for _, e := range m.Etas {
		cols = append(cols, results.Column{Name: lowerSnake(e), Type: arrow.PrimitiveTypes.Float64})
	}
	for _, e := range m.Etas {
		cols = append(cols, results.Column{Name: "sd_" + lowerSnake(e), Type: arrow.PrimitiveTypes.Float64})
	}
	for _, n := range m.Structure.ParamNames() {
		cols = append(cols, results.Column{Name: lowerSnake(n), Type: arrow.PrimitiveTypes.Float64})
	}
	cols = append(cols, results.Column{Name: "objective", Type: arrow.PrimitiveTypes.Float64},
		results.Column{Name: "ofv", Type: arrow.PrimitiveTypes.Float64},
		results.Column{Name: "grad_norm", Type: arrow.PrimitiveTypes.Float64},
		results.Column{Name: "converged", Type: arrow.FixedWidthTypes.Boolean},
		results.Column{Name: "warning", Type: arrow.BinaryTypes.String})
	meta := prov.Metadata("individual")
	for k, e := range m.Etas {
		meta["medtwin.shrinkage."+lowerSnake(e)] = strconv.FormatFloat(res.Shrinkage[k], 'g', -1, 64)
	}
	meta["medtwin.ofv"] = strconv.FormatFloat(res.OFV, 'g', -1, 64)
	w, err := results.Create(path, cols, meta, 0)
	if err != nil {
		return err
	}
	f64 := func(i int, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			w.Null(i)
		} else {
			w.F64(i, v)
		}
	}
	k := len(m.Etas)
	for _, e := range res.Estimates {
		c := 0
		w.Str(c, e.ID)
		c++
		for _, v := range e.Eta {
			f64(c, v)
			c++
		}
		for a := 0; a < k; a++ {
			sd := math.NaN()
			if e.Cov != nil {
				sd = math.Sqrt(e.Cov.At(a, a))
			}
			f64(c, sd)
			c++
		}
		for _, v := range e.Params {
			f64(c, v)
			c++
		}
		f64(c, e.Objective)
		f64(c+1, e.OFV)
		f64(c+2, e.GradNorm)
		w.Bool(c+3, e.Converged)
		w.Str(c+4, e.Warning)
		if err := w.EndRow(); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

func writeRecords(path string, ds *fit.DataSet, res *fit.Result, pop *fit.PopResult, prov results.Provenance) error {
	cols := []results.Column{{Name: "id", Type: arrow.BinaryTypes.String}, {Name: "row", Type: arrow.PrimitiveTypes.Int32},
		{Name: "time_h", Type: arrow.PrimitiveTypes.Float64}, {Name: "evid", Type: arrow.PrimitiveTypes.Int32},
		{Name: "mdv", Type: arrow.FixedWidthTypes.Boolean}, {Name: "dv", Type: arrow.PrimitiveTypes.Float64},
		{Name: "blq", Type: arrow.FixedWidthTypes.Boolean}, {Name: "pred", Type: arrow.PrimitiveTypes.Float64},
		{Name: "ipred", Type: arrow.PrimitiveTypes.Float64}, {Name: "iwres", Type: arrow.PrimitiveTypes.Float64}}
	if pop != nil { // population fits: the FOCE population prediction, CWRES and NPDE
		cols = append(cols, results.Column{Name: "cpred", Type: arrow.PrimitiveTypes.Float64}, results.Column{Name: "cwres", Type: arrow.PrimitiveTypes.Float64},
			results.Column{Name: "npde", Type: arrow.PrimitiveTypes.Float64})
	}
	w, err := results.Create(path, cols, prov.Metadata("records"), 0)
	if err != nil {
		return err
	}
	f64 := func(i int, v float64, ok bool) {
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			w.Null(i)
		} else {
			w.F64(i, v)
		}
	}
	for si, s := range ds.Subjects {
		e := res.Estimates[si]
		for ri, r := range s.Records {
			w.Str(0, s.ID)
			w.I32(1, int32(r.Row))
			w.F64(2, r.Time)
			w.I32(3, int32(r.EVID))
			w.Bool(4, r.MDV)
			f64(5, r.DV, r.EVID == fit.EvidObservation && !r.MDV && !r.BLQ)
			w.Bool(6, r.BLQ)
			f64(7, e.PRED[ri], true)
			f64(8, e.IPRED[ri], true)
			f64(9, e.IWRES[ri], true)
			if pop != nil {
				f64(10, pop.PRED[si][ri], true)
				f64(11, pop.CWRES[si][ri], true)
				f64(12, pop.NPDE[si][ri], true)
			}
			if err := w.EndRow(); err != nil {
				w.Abort()
				return err
			}
		}
	}
	return w.Close()
}

// fitReport writes the HTML report: estimates, shrinkage and OFV (with a
// population fit, popReport's estimates, goodness-of-fit plots and pcVPC), and per
// subject the IPRED curve with its 90% credible band (posterior draws), the
// PRED curve and the observations.
func fitReport(path string, spec *scripts.FitSpec, ds *fit.DataSet, res *fit.Result, rec *fitRecommendation, pop *fit.PopResult) error {
	m := spec.Model
	r := &plot.Report{Title: "medtwin fit: " + spec.Name}
	r.Heading("Population", fmt.Sprintf("%d subjects from %s; MAP objective %.4f, OFV (Laplace) %.4f.", len(ds.Subjects), ds.Source, res.Objective, res.OFV))
	var shr [][]string
	for k, e := range m.Etas {
		shr = append(shr, []string{e, fmt.Sprintf("%.4g", m.Omega.At(k, k)), fmt.Sprintf("%.1f%%", 100*res.Shrinkage[k])})
	}
	r.Table([]string{"η", "ω²", "η-shrinkage"}, shr)
	if pop != nil {
		if err := popReport(r, filepath.Dir(path), ds, pop, res, spec.Seed); err != nil {
			return err
		}
	}
	names, idx := givenParams(m)
	head := []string{"ID"}
	head = append(head, m.Etas...)
	head = append(head, names...)
	head = append(head, "OFV", "converged")
	var rows [][]string
	for _, e := range res.Estimates {
		row := []string{e.ID}
		for _, v := range e.Eta {
			row = append(row, fmt.Sprintf("%.4f", v))
		}
		for _, i := range idx {
			row = append(row, fmt.Sprintf("%.4g", e.Params[i]))
		}
		conv := "yes"
		if !e.Converged || e.Warning != "" {
			conv = e.Warning
		}
		row = append(row, fmt.Sprintf("%.3f", e.OFV), conv)
		rows = append(rows, row)
	}
	r.Heading("Individual estimates", "MAP η given the population values (NONMEM's POSTHOC step); parameters at η̂.")
	r.Table(head, rows)
	if rec != nil {
		r.Heading("Dose recommendation for subject "+rec.Subject, fmt.Sprintf("Target %s in [%g, %g]; probability of attainment over %d posterior draws (%s).",
			rec.Target.Metric, rec.Target.Min, rec.Target.Max, rec.Draws, rec.Method))
		cs := append([]fit.Candidate(nil), rec.Candidates...)
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].PTA > cs[b].PTA })
		var crow [][]string
		for i, c := range cs {
			if i == 10 {
				break
			}
			crow = append(crow, []string{fmt.Sprintf("%g mg every %g h (infusion %g h)", c.DoseMg, c.IntervalH, c.InfusionH),
				fmt.Sprintf("%.1f%%", 100*c.PTA), fmt.Sprintf("%.4g", c.Median), fmt.Sprintf("[%.4g, %.4g]", c.P5, c.P95)})
		}
		r.Table([]string{"regimen", "P(target)", "median", "90% interval"}, crow)
	}
	r.Heading("Individual fits", "Blue: IPRED with its 90% credible band (Laplace posterior draws); red: PRED; black: observations (BLQ at LLOQ, hollow).")
	for si := range ds.Subjects {
		svg, err := subjectFigure(m, ds, &ds.Subjects[si], res.Estimates[si], spec.Seed, uint64(si))
		if err != nil {
			return err
		}
		r.Figure(svg, "subject "+ds.Subjects[si].ID)
	}
	return r.Write(path)
}

func subjectFigure(m *fit.Model, ds *fit.DataSet, s *fit.Subject, e *fit.Estimate, seed, id uint64) (string, error) {
	last := 0.0
	for _, r := range s.Records {
		last = math.Max(last, r.Time)
	}
	if last <= 0 {
		last = 24
	}
	const n = 121
	grid := make([]float64, n)
	for i := range grid {
		grid[i] = last * 1.05 * float64(i) / (n - 1)
	}
	ipred, err := m.Curve(ds, s, e.Eta, grid)
	if err != nil {
		return "", err
	}
	pred, err := m.Curve(ds, s, nil, grid)
	if err != nil {
		return "", err
	}
	lo, hi := append([]float64(nil), ipred...), append([]float64(nil), ipred...)
	if draws, err := fit.PosteriorDraws(e, 200, seed, id); err == nil {
		per := make([][]float64, n)
		for _, eta := range draws {
			c, err := m.Curve(ds, s, eta, grid)
			if err != nil {
				return "", err
			}
			for i, v := range c {
				per[i] = append(per[i], v)
			}
		}
		for i := range per {
			sort.Float64s(per[i])
			lo[i], hi[i] = per[i][len(per[i])*5/100], per[i][len(per[i])*95/100]
		}
	}
	p, err := plot.Band("subject "+s.ID, "time (h)", "concentration (mg/L)", grid, ipred, lo, hi)
	if err != nil {
		return "", err
	}
	pts := make(plotter.XYs, n)
	for i := range grid {
		pts[i] = plotter.XY{X: grid[i], Y: pred[i]}
	}
	if l, err := plotter.NewLine(pts); err == nil {
		l.Color = color.RGBA{R: 214, G: 39, B: 40, A: 255}
		l.Dashes = []vg.Length{4, 2}
		p.Add(l)
	}
	var obs, blq plotter.XYs
	for _, r := range s.Records {
		switch {
		case r.Observed() && r.BLQ:
			blq = append(blq, plotter.XY{X: r.Time, Y: r.LLOQ})
		case r.Observed():
			obs = append(obs, plotter.XY{X: r.Time, Y: r.DV})
		}
	}
	for i, xy := range []plotter.XYs{obs, blq} {
		if len(xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return "", err
		}
		if i == 0 {
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
		}
		p.Add(sc)
	}
	return plot.SVG(p)
}

type fitSubjectJSON struct {
	ID        string             `json:"id"`
	Eta       map[string]float64 `json:"eta"`
	Params    map[string]float64 `json:"params"`
	OFV       any                `json:"ofv"`
	Converged bool               `json:"converged"`
	Warning   string             `json:"warning,omitempty"`
}

func fitSummary(m *fit.Model, res *fit.Result, rec *fitRecommendation, out string) any {
	shr := map[string]any{}
	for k, e := range m.Etas {
		shr[e] = finiteOrNil(res.Shrinkage[k])
	}
	var subs []fitSubjectJSON
	for _, e := range res.Estimates {
		s := fitSubjectJSON{ID: e.ID, Eta: map[string]float64{}, Params: map[string]float64{}, OFV: finiteOrNil(e.OFV), Converged: e.Converged, Warning: e.Warning}
		for k, n := range m.Etas {
			s.Eta[n] = e.Eta[k]
		}
		for k, n := range m.Structure.ParamNames() {
			s.Params[n] = e.Params[k]
		}
		subs = append(subs, s)
	}
	return map[string]any{"out": out, "ofv": finiteOrNil(res.OFV), "objective": finiteOrNil(res.Objective), "shrinkage": shr, "subjects": subs, "recommendation": rec}
}

// finiteOrNil is v, or nil (JSON null) when v is NaN or infinite.
func finiteOrNil(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// givenParams returns the structure's parameters the spec gives a typical
// value (the others keep their defaults, e.g. F = 1, and are not printed).
func givenParams(m *fit.Model) (names []string, idx []int) {
	for i, n := range m.Structure.ParamNames() {
		for _, p := range m.Params {
			if strings.EqualFold(p.Name, n) {
				names, idx = append(names, n), append(idx, i)
				break
			}
		}
	}
	return names, idx
}

func printFit(w io.Writer, m *fit.Model, res *fit.Result, rec *fitRecommendation, out string) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	names, idx := givenParams(m)
	fmt.Fprintf(tw, "ID\t%s\t%s\tOFV\tstatus\n", strings.Join(m.Etas, "\t"), strings.Join(names, "\t"))
	for _, e := range res.Estimates {
		var cells []string
		for _, v := range e.Eta {
			cells = append(cells, fmt.Sprintf("%.4f", v))
		}
		for _, i := range idx {
			cells = append(cells, fmt.Sprintf("%.4g", e.Params[i]))
		}
		status := "ok"
		if e.Warning != "" {
			status = e.Warning
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%s\n", e.ID, strings.Join(cells, "\t"), e.OFV, status)
	}
	tw.Flush()
	for k, e := range m.Etas {
		if math.IsNaN(res.Shrinkage[k]) {
			fmt.Fprintf(w, "shrinkage %s: n/a (one subject)\n", e)
			continue
		}
		fmt.Fprintf(w, "shrinkage %s: %.1f%%\n", e, 100*res.Shrinkage[k])
	}
	fmt.Fprintf(w, "OFV (Laplace, sum over subjects): %.4f\n", res.OFV)
	if rec != nil {
		b := rec.Best
		fmt.Fprintf(w, "recommendation for subject %s: %g mg every %g h (infusion %g h): P(%s in [%g, %g]) = %.1f%%, median %.4g (90%% interval %.4g–%.4g)\n",
			rec.Subject, b.DoseMg, b.IntervalH, b.InfusionH, rec.Target.Metric, rec.Target.Min, rec.Target.Max, 100*b.PTA, b.Median, b.P5, b.P95)
	}
	fmt.Fprintf(w, "wrote %s\n", out)
}

package plan

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/results"
)

// SweepColumns are the fixed columns of sweep.arrow; a column param_<name>
// for each grid parameter follows combo: float64 where every grid value is a
// number (or a boolean, stored as 0/1), the value itself as a string where
// any is not (a choice such as shift_policy=finish,preempt).
var SweepColumns = []results.Column{
	{Name: "combo", Type: arrow.PrimitiveTypes.Int32, Doc: "combination index (first grid axis varies slowest)"},
	{Name: "kpi", Type: arrow.BinaryTypes.String, Doc: "KPI name"},
	{Name: "kind", Type: arrow.BinaryTypes.String, Doc: "tally, counter, gauge or value"},
	{Name: "replications", Type: arrow.PrimitiveTypes.Int32, Doc: "replications with a value"},
	{Name: "mean", Type: arrow.PrimitiveTypes.Float64, Doc: "mean across replications"},
	{Name: "sd", Type: arrow.PrimitiveTypes.Float64, Doc: "standard deviation"},
	{Name: "ci_low", Type: arrow.PrimitiveTypes.Float64, Doc: "95% CI lower end"},
	{Name: "ci_high", Type: arrow.PrimitiveTypes.Float64, Doc: "95% CI upper end"},
}

func init() {
	cols := append([]results.Column{SweepColumns[0], {Name: "param_<name>", Type: arrow.PrimitiveTypes.Float64,
		Doc: "one per grid parameter, in grid order: its value in this combination (booleans as 0/1)"}}, SweepColumns[1:]...)
	results.Document(results.TableDoc{File: "sweep.arrow", Writers: "sweep", Doc: "one row per combination and KPI; " +
		"metadata adds medtwin.grid and medtwin.combos (from-to of total)", Columns: cols})
}

// Sweep runs every combination of a grid.
type Sweep struct {
	Scenario Model
	Axes     []Axis
	Dir      string
	Version  string
	// Shard runs combinations [From, To) of the grid (0, 0: all).
	From, To int
	Shard    string
	Workers  int
	// Progress is called after each combination (may be nil).
	Progress func(done, total int, skipped bool)
}

func (s *Sweep) columns() []results.Column {
	cols := []results.Column{SweepColumns[0]}
	for _, ax := range s.Axes {
		if numericAxis(ax) {
			cols = append(cols, results.Column{Name: "param_" + ax.Name, Type: arrow.PrimitiveTypes.Float64, Doc: "grid value of " + ax.Name})
		} else {
			cols = append(cols, results.Column{Name: "param_" + ax.Name, Type: arrow.BinaryTypes.String, Doc: "grid value of " + ax.Name + " (a choice)"})
		}
	}
	return append(cols, SweepColumns[1:]...)
}

// numericAxis reports whether every value of an axis reads as a number or
// a boolean.
func numericAxis(ax Axis) bool {
	for _, v := range ax.Values {
		if math.IsNaN(numeric(v)) {
			return false
		}
	}
	return true
}

func (s *Sweep) meta(from, to int, shard string) map[string]string {
	d := s.Scenario.Describe()
	var grid []string
	for _, ax := range s.Axes {
		grid = append(grid, ax.Name+"="+strings.Join(ax.Values, ","))
	}
	prov := results.Provenance{Version: s.Version, Scenario: sourceName(d), ScenarioSHA256: d.SHA256, Params: d.Values(),
		Seed: d.Seed, From: 0, To: d.Replications, Total: d.Replications, Shard: "1/1", Horizon: d.Horizon, Warmup: d.Warmup}
	m := prov.Metadata("sweep")
	m["medtwin.grid"] = strings.Join(grid, " ")
	m["medtwin.combos"] = fmt.Sprintf("%d-%d of %d", from, to, len(Combos(s.Axes)))
	m["medtwin.shard"] = shard
	return m
}

// sourceName is the model's file name for provenance, or its name for a Go model.
func sourceName(d Description) string {
	if d.Source == "" {
		return d.Name
	}
	return filepath.Base(d.Source)
}

func numeric(v string) float64 {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		if b, err := strconv.ParseBool(v); err == nil {
			if b {
				return 1
			}
			return 0
		}
		return math.NaN()
	}
	return f
}

// Run runs the combinations not yet done (a part file per combination under
// Dir/parts makes a killed sweep resumable) and writes Dir/sweep.arrow.
func (s *Sweep) Run(ctx context.Context) (string, error) {
	combos := Combos(s.Axes)
	from, to := s.From, s.To
	if to == 0 {
		to = len(combos)
	}
	shard := s.Shard
	if shard == "" {
		shard = "1/1"
	}
	parts := filepath.Join(s.Dir, "parts")
	if err := os.MkdirAll(parts, 0o755); err != nil {
		return "", err
	}
	cols := s.columns()
	for k := from; k < to; k++ {
		path := filepath.Join(parts, fmt.Sprintf("combo-%05d.arrow", k))
		meta := s.meta(k, k+1, "1/1")
		if t, err := results.Read(path); err == nil {
			same := t.Meta()["medtwin.grid"] == meta["medtwin.grid"] && t.Meta()["medtwin.scenario_sha256"] == meta["medtwin.scenario_sha256"] &&
				t.Meta()["medtwin.seed"] == meta["medtwin.seed"] && t.Meta()["medtwin.replications"] == meta["medtwin.replications"] &&
				t.Meta()["medtwin.params"] == meta["medtwin.params"] &&
				t.Meta()["medtwin.horizon_s"] == meta["medtwin.horizon_s"] && t.Meta()["medtwin.warmup_s"] == meta["medtwin.warmup_s"]
			t.Release()
			if same {
				if s.Progress != nil {
					s.Progress(k-from+1, to-from, true)
				}
				continue
			}
			return "", fmt.Errorf("sweep: %s belongs to another sweep (grid, scenario, seed, replications or horizon differ); use another --out", path)
		}
		sc, err := Apply(s.Scenario, s.Axes, combos[k])
		if err != nil {
			return "", err
		}
		reps, err := Replicate(ctx, sc, 0, sc.Describe().Replications, s.Workers)
		if err != nil {
			return "", fmt.Errorf("combination %d (%s): %w", k, describe(s.Axes, combos[k]), err)
		}
		w, err := results.Create(path, cols, meta, 0)
		if err != nil {
			return "", err
		}
		for _, sum := range engine.Summaries(reps, 0.95) {
			w.I32(0, int32(k))
			for i, v := range combos[k] {
				if cols[1+i].Type == arrow.PrimitiveTypes.Float64 { // numericAxis, decided once in columns
					w.F64(1+i, numeric(v))
				} else {
					w.Str(1+i, v)
				}
			}
			c := 1 + len(s.Axes)
			w.Str(c, sum.Name)
			w.Str(c+1, sum.Kind.String())
			w.I32(c+2, int32(sum.N))
			w.F64(c+3, sum.Mean)
			w.F64(c+4, sum.SD)
			w.F64(c+5, sum.Low)
			w.F64(c+6, sum.High)
			if err := w.EndRow(); err != nil {
				w.Abort()
				return "", err
			}
		}
		if err := w.Close(); err != nil {
			return "", err
		}
		if s.Progress != nil {
			s.Progress(k-from+1, to-from, false)
		}
	}
	out := filepath.Join(s.Dir, "sweep.arrow")
	var paths []string
	for k := from; k < to; k++ {
		paths = append(paths, filepath.Join(parts, fmt.Sprintf("combo-%05d.arrow", k)))
	}
	return out, results.Concat(out, paths, cols, s.meta(from, to, shard))
}

func describe(axes []Axis, c []string) string {
	var parts []string
	for i, ax := range axes {
		parts = append(parts, ax.Name+"="+c[i])
	}
	return strings.Join(parts, " ")
}

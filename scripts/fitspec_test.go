package scripts

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/fit"
)

func TestLoadFitSpec(t *testing.T) {
	fs, err := LoadFitSpec("../scenarios/vancomycin_map.lua")
	if err != nil {
		t.Fatal(err)
	}
	m := fs.Model
	if fs.Name != "vancomycin_map" || len(m.Params) != 2 || m.Params[0].Name != "CL" || m.Params[0].Eta != "eta_cl" {
		t.Fatalf("spec %+v, params %+v", fs, m.Params)
	}
	if m.Omega.At(0, 1) != 0.01 || m.Error.Kind != fit.Combined || m.Error.Add != 1 || m.Error.Prop != 0.1 {
		t.Errorf("omega %v, error %+v", m.Omega, m.Error)
	}
	if c := m.Params[0].Covariates; len(c) != 1 || c[0].Covariate != "CRCL" || c[0].Relation != fit.Linear || c[0].Coef != 0.006 {
		t.Errorf("CL covariates %+v", c)
	}
	if r := fs.Recommend; r == nil || len(r.Regimens) != 24 || r.Target.Metric != "auc24" || r.Draws != 2000 || r.Regimens[0].InfusionH != 1 {
		t.Errorf("recommend %+v", fs.Recommend)
	}
	th, err := LoadFitSpec("../scenarios/theophylline_fit.lua")
	if err != nil {
		t.Fatal(err)
	}
	// V = CL/ke = exp(lCl − lKe) (Pinheiro & Bates' SSfol parameterisation)
	if v := th.Model.Params[1].Typical; math.Abs(v-math.Exp(-3.227222+2.454703)) > 1e-12 {
		t.Errorf("theophylline V1 %v", v)
	}
}

// TestFitSpecErrors: each bad spec is refused naming the file, line and field.
func TestFitSpecErrors(t *testing.T) {
	base := "model = { compartments = 1 }, theta = { CL = 1, V1 = 10 }, eta = { CL = 'e' }, omega = { names = { 'e' }, diag = { 0.1 } }, sigma = { additive = 1 }"
	for _, c := range []struct{ src, want string }{
		{"return fit { name = 'x', " + base + ", colour = 1 }", "spec.lua:1: fit: unknown key 'colour'"},
		{"return fit { " + base + " }", "needs a name"},
		{"return fit { name = 'x', model = { compartments = 4 }, theta = { CL = 1 }, omega = { names = { 'e' }, diag = { 1 } }, sigma = { additive = 1 } }", "4 disposition compartments"},
		{"return fit { name = 'x', model = { compartments = 1 }, theta = { CL = 1, V = 10 }, omega = { names = { 'e' }, diag = { 1 } }, sigma = { additive = 1 } }", "theta: unknown key 'V'"},
		{"return fit { name = 'x', model = { compartments = 1 }, theta = { CL = 1, V1 = 10 }, omega = { names = { 'e' }, diag = { 1, 2 } }, sigma = { additive = 1 } }", "omega.diag has 2 entries, want 1"},
		{"return fit { name = 'x', model = { compartments = 1 }, theta = { CL = 1, V1 = 10 }, omega = { names = { 'a', 'b' }, matrix = { { 1, 0.5 }, { 0.4, 1 } } }, sigma = { additive = 1 } }", "not symmetric"},
		{"return fit { name = 'x', model = { compartments = 1 }, theta = { CL = 1, V1 = 10 }, omega = { names = { 'e' }, diag = { 1 } } }", "needs sigma"},
		{"return fit { name = 'x', " + base + ", recommend = { target = { metric = 'auc24', min = 1, max = 2 }, doses = { 1 } } }", "recommend needs doses"},
		{"return { name = 'x' }", "must end with `return fit { ... }`"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "spec.lua")
		os.WriteFile(path, []byte(c.src), 0o644)
		_, err := LoadFitSpec(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n  error %v, want %q", c.src, err, c.want)
		}
	}
}

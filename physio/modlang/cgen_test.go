package modlang

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The generated C (the CUDA backend's source, compiled here for the host)
// gives the same right-hand side and outputs as the tapes for every library
// model and the all-operators model, at random states, within 1e-13
// relative (the C library's exp, log and pow may differ from Go's in the
// last bit). Skipped where no C compiler is installed.
func TestCSourceParity(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	models := map[string]*Model{"ops": opsModel(t)}
	for _, name := range LibraryNames() {
		m, err := Library(name)
		if err != nil {
			t.Fatal(err)
		}
		models[name] = m
	}
	// one program for all models (one compilation): argv[1] picks the model
	names := sortedKeys(models)
	var src, cases strings.Builder
	src.WriteString("#include <stdio.h>\n#include <stdlib.h>\n")
	for i, name := range names {
		m := models[name]
		pre := fmt.Sprintf("M%d", i)
		src.WriteString(m.CSource(pre))
		fmt.Fprintf(&cases, `  if (which == %[1]d) {
    double p[%[2]s_NPARAMS + 1], y[%[2]s_NSTATES], rate[%[2]s_NSTATES], dy[%[2]s_NSTATES], out[%[2]s_NOUTPUTS + 1], s[%[2]s_NSTATIC];
    for (int k = 0; k < %[2]s_NPARAMS; k++) p[k] = strtod(argv[i++], 0);
    double t = strtod(argv[i++], 0);
    for (int k = 0; k < %[2]s_NSTATES; k++) y[k] = strtod(argv[i++], 0);
    for (int k = 0; k < %[2]s_NSTATES; k++) rate[k] = strtod(argv[i++], 0);
    %[2]s_static(p, s);
    %[2]s_rhs(t, y, p, s, rate, dy);
    %[2]s_outputs(t, y, p, s, out);
    for (int k = 0; k < %[2]s_NSTATES; k++) printf("%%.17g\n", dy[k]);
    for (int k = 0; k < %[2]s_NOUTPUTS; k++) printf("%%.17g\n", out[k]);
  }
`, i, pre)
	}
	src.WriteString("int main(int argc, char **argv) {\n  int which = atoi(argv[1]), i = 2;\n  (void)argc;\n")
	src.WriteString(cases.String())
	src.WriteString("  return 0;\n}\n")
	dir := t.TempDir()
	cfile, bin := filepath.Join(dir, "models.c"), filepath.Join(dir, "models")
	if err := os.WriteFile(cfile, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-std=c99", "-Wall", "-Werror", "-Wno-unused-function", "-o", bin, cfile, "-lm").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for i, name := range names {
		m := models[name]
		n, no := m.NumStates(), len(m.Spec.Outputs)
		in := m.NewInstance()
		r := rand.New(rand.NewPCG(3, uint64(i)))
		for trial := 0; trial < 3; trial++ {
			p := m.Defaults()
			for k := range p {
				p[k] *= 0.5 + r.Float64()
			}
			y, rate := make([]float64, n), make([]float64, n)
			for k := range y {
				y[k] = 0.3 + 2*r.Float64()
				rate[k] = r.Float64()
			}
			tt := 5 * r.Float64()
			args := []string{strconv.Itoa(i)}
			for _, v := range append(append(append(append([]float64{}, p...), tt), y...), rate...) {
				args = append(args, strconv.FormatFloat(v, 'g', -1, 64))
			}
			out, err := exec.Command(bin, args...).Output()
			if err != nil {
				t.Fatal(err)
			}
			fields := strings.Fields(string(out))
			if err := in.SetParams(p); err != nil {
				t.Fatal(err)
			}
			in.SetRates(rate)
			want := make([]float64, n+no)
			in.RHS(tt, y, want[:n])
			in.Outputs(tt, y, want[n:])
			if len(fields) != len(want) {
				t.Fatalf("%s: %d values from C, want %d", name, len(fields), len(want))
			}
			for k, f := range fields {
				got, _ := strconv.ParseFloat(f, 64)
				if math.Abs(got-want[k]) > 1e-13*math.Max(1e-300, math.Abs(want[k])) {
					t.Errorf("%s: value %d: C %.17g, Go %.17g", name, k, got, want[k])
				}
			}
		}
	}
}

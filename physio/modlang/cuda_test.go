package modlang

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// cArray writes a C array definition.
func cArray[T int32 | float64](typ, name string, v []T) string {
	var b strings.Builder
	fmt.Fprintf(&b, "static const %s %s[] = {", typ, name)
	for i, x := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		switch x := any(x).(type) {
		case float64:
			b.WriteString(cFloat(x))
		default:
			fmt.Fprint(&b, x)
		}
	}
	if len(v) == 0 {
		b.WriteString("0")
	}
	b.WriteString("};\n")
	return b.String()
}

// The generated CUDA kernel, compiled for the host (the text NVRTC compiles
// on the device), gives every library model's outputs through doses
// (boluses with ADDL, an infusion, oral doses with F and ALAG) as modlang
// does, within 1e-10 of each output's scale, for subjects with their own
// parameters. The device itself is not exercised here. Skipped where no C
// compiler is installed.
func TestCUDASourceParity(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	const nsub, nt = 4, 25
	times := make([]float64, nt)
	for k := range times {
		times[k] = 2 * float64(k)
	}
	var src, cases strings.Builder
	src.WriteString("#include <stdio.h>\n#include <stdlib.h>\n")
	names := LibraryNames()
	type ref struct {
		m    *Model
		want [][]float64 // [subject][k*nout+j]
	}
	refs := make([]ref, len(names))
	for mi, name := range names {
		m, err := Library(name)
		if err != nil {
			t.Fatal(err)
		}
		pre := fmt.Sprintf("M%d", mi)
		src.WriteString(m.CUDASource(pre))
		var params, y0, evt, evval []float64
		var evoff, evkind, evidx []int32
		refs[mi].m = m
		for i := 0; i < nsub; i++ {
			p := m.Defaults()
			for k := range p {
				p[k] *= 1 + 0.2*math.Sin(float64(3*i+k+1))
			}
			in := m.NewInstance()
			if err := in.SetParams(p); err != nil {
				t.Fatal(err)
			}
			last := m.Spec.States[m.NumStates()-1].Name
			doses := []Dose{{Time: 0, Amt: 10 * float64(i+1), II: 12, ADDL: 2}, {Time: 5, Amt: 7, Rate: 3.5, Cmt: last}}
			ev, err := in.KernelEvents(doses)
			if err != nil {
				t.Fatal(err)
			}
			y := make([]float64, m.NumStates())
			in.Init(y)
			params, y0 = append(params, p...), append(y0, y...)
			evoff = append(evoff, int32(len(evt)))
			evt, evkind, evidx, evval = append(evt, ev.T...), append(evkind, ev.Kind...), append(evidx, ev.Idx...), append(evval, ev.Val...)
			var want []float64
			out := make([]float64, len(m.Spec.Outputs))
			err = in.Simulate(doses, times, SimOptions{Path: Dopri5Path, RTol: 1e-13, ATol: 1e-15}, func(_ int, tt float64, y []float64) {
				in.Outputs(tt, y, out)
				want = append(want, out...)
			})
			if err != nil {
				t.Fatal(err)
			}
			refs[mi].want = append(refs[mi].want, want)
		}
		evoff = append(evoff, int32(len(evt)))
		for _, a := range []string{
			cArray("double", pre+"_p", params), cArray("double", pre+"_y0", y0), cArray("int", pre+"_evoff", evoff),
			cArray("double", pre+"_evt", evt), cArray("int", pre+"_evkind", evkind), cArray("int", pre+"_evidx", evidx),
			cArray("double", pre+"_evval", evval), cArray("double", pre+"_times", times)} {
			src.WriteString(a)
		}
		fmt.Fprintf(&cases, `  if (which == %[4]d) {
    static double out[%[2]d * %[3]d * %[1]s_NOUTPUTS];
    for (int i = 0; i < %[2]d; i++)
      %[1]s_kernel(%[2]d, %[1]s_p, %[1]s_y0, %[1]s_evoff, %[1]s_evt, %[1]s_evkind, %[1]s_evidx, %[1]s_evval, %[3]d, %[1]s_times, 1e-13, 1e-15, 1000000, out, i);
    for (int k = 0; k < %[2]d * %[3]d * %[1]s_NOUTPUTS; k++) printf("%%.17g\n", out[k]);
  }
`, pre, nsub, nt, mi)
	}
	src.WriteString("int main(int argc, char **argv) {\n  int which = atoi(argv[1]);\n  (void)argc;\n" + cases.String() + "  return 0;\n}\n")
	dir := t.TempDir()
	cfile, bin := filepath.Join(dir, "kernels.c"), filepath.Join(dir, "kernels")
	if err := os.WriteFile(cfile, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-std=c99", "-O2", "-Wall", "-Werror", "-Wno-unused-function", "-o", bin, cfile, "-lm").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for mi, name := range names {
		out, err := exec.Command(bin, strconv.Itoa(mi)).Output()
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(out))
		no := len(refs[mi].m.Spec.Outputs)
		if len(f) != nsub*nt*no {
			t.Fatalf("%s: %d values, want %d", name, len(f), nsub*nt*no)
		}
		for i, want := range refs[mi].want {
			scale := make([]float64, no)
			for k, v := range want {
				scale[k%no] = math.Max(scale[k%no], math.Abs(v))
			}
			for k, w := range want {
				got, _ := strconv.ParseFloat(f[i*nt*no+k], 64)
				if !(math.Abs(got-w) <= 1e-10*math.Max(math.Abs(w), scale[k%no])) {
					t.Errorf("%s subject %d, t = %v, output %s: kernel %.17g, modlang %.17g", name, i, times[k/no], refs[mi].m.Spec.Outputs[k%no], got, w)
				}
			}
		}
	}
}

// The generated source takes its device branch (__CUDACC__ and
// __CUDACC_RTC__ defined, as NVRTC does) and compiles as C++ there, checked
// with the host's C++ compiler against stand-ins for CUDA's built-ins
// (NVRTC itself is not run here). Skipped where no C++ compiler is
// installed.
func TestCUDASourceDeviceBranchCompiles(t *testing.T) {
	cxx, err := exec.LookPath("c++")
	if err != nil {
		t.Skip("no C++ compiler")
	}
	stub := `#include <cmath>
#include <cstring>
#undef NAN
#undef HUGE_VAL
#define __device__
#define __global__
struct medtwin_dim { unsigned x; };
static medtwin_dim blockIdx, blockDim, threadIdx;
static double __longlong_as_double(unsigned long long v) { double d; std::memcpy(&d, &v, 8); return d; }
`
	var src strings.Builder
	src.WriteString(stub)
	for i, name := range LibraryNames() {
		m, err := Library(name)
		if err != nil {
			t.Fatal(err)
		}
		src.WriteString(m.CUDASource(fmt.Sprintf("M%d", i)))
		src.WriteString("#undef MEDTWIN_FN\n#undef MEDTWIN_GLOBAL\n#undef MEDTWIN_INDEX\n#undef MEDTWIN_HOST_ARG\n#undef MEDTWIN_NAN\n#undef NAN\n#undef HUGE_VAL\n")
	}
	file := filepath.Join(t.TempDir(), "kernels.cu.cpp")
	if err := os.WriteFile(file, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cxx, "-x", "c++", "-fsyntax-only", "-Wall", "-Werror", "-Wno-unused-function", "-Wno-unused-variable", "-D__CUDACC__", "-D__CUDACC_RTC__", file).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

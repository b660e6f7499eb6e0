package modlang

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/ode"
)

// every operator, as a function of the states x, y, z (away from kinks)
const allOps = `
u = x*y - z/x + x^2.5 + y^P + x^y
v = exp(0.3*x) + log(y) + sqrt(z) + abs(x - 2*y) + min(x, y) + max(y, z)
w = ifelse(x < y, x*z, y/z) - -z
if (z > 1.5) { s = z^3 } else { s = z*y }
d/dt(x) = u + t*x
d/dt(y) = v * w
d/dt(z) = s - u/v
`

func opsModel(t testing.TB) *Model {
	m, err := Compile(Spec{Name: "ops", Params: []Param{{Name: "P", Value: 1.7}},
		States: []State{{Name: "x"}, {Name: "y"}, {Name: "z"}}, Equations: allOps})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The forward-mode Jacobian agrees with central finite differences (step
// 1e-6·|y|, error O(h²) ≈ 1e-10 relative) at points on either side of each
// kink (abs, min, max, ifelse, if/else), for every operator.
func TestJacobianFiniteDifferences(t *testing.T) {
	m := opsModel(t)
	if m.Linear() {
		t.Fatal("a nonlinear model recognised as linear")
	}
	in := m.NewInstance()
	for _, y := range [][]float64{{0.7, 1.3, 2.1}, {1.9, 0.6, 1.2}, {1.2, 1.1, 0.8}, {3.1, 1.4, 2.9}} {
		if worst := in.JacobianCheck(0.4, y); worst > 1e-7 {
			t.Errorf("y=%v: Jacobian differs from finite differences by %.3g", y, worst)
		}
	}
	jac := make([]float64, 9)
	if a := testing.AllocsPerRun(50, func() { in.Jacobian(0.4, []float64{1, 1, 1}, jac) }); a != 0 {
		t.Errorf("Jacobian allocates %v times", a)
	}
}

// binom is the generalised binomial coefficient C(r, k).
func binom(r float64, k int) float64 {
	c := 1.0
	for j := 0; j < k; j++ {
		c *= (r - float64(j)) / float64(j+1)
	}
	return c
}

// Taylor-mode coefficients of each operator applied to x(t) = t + x0 (a state
// with d/dt(x) = 1) against the closed forms of the Taylor series about x0:
// with d/dt(z) = w(x), the jet's coefficient k+1 of z is w_k/(k+1).
func TestTaylorCoefficientsClosedForms(t *testing.T) {
	const x0 = 1.3
	const p = 12
	fact := func(k int) float64 { return math.Gamma(float64(k) + 1) }
	cases := []struct {
		expr string
		coef func(k int) float64
	}{
		{"x*x", func(k int) float64 { return []float64{x0 * x0, 2 * x0, 1}[min(k, 2)] * b2f(k <= 2) }},
		{"1/x", func(k int) float64 { return math.Pow(-1, float64(k)) / math.Pow(x0, float64(k+1)) }},
		{"(x+1)/(x-3)", func(k int) float64 { // 1 + 4/(x−3)
			v := 4 * math.Pow(-1, float64(k)) / math.Pow(x0-3, float64(k+1))
			if k == 0 {
				v += 1
			}
			return v
		}},
		{"exp(2*x)", func(k int) float64 { return math.Exp(2*x0) * math.Pow(2, float64(k)) / fact(k) }},
		{"log(x)", func(k int) float64 {
			if k == 0 {
				return math.Log(x0)
			}
			return math.Pow(-1, float64(k+1)) / (float64(k) * math.Pow(x0, float64(k)))
		}},
		{"sqrt(x)", func(k int) float64 { return binom(0.5, k) * math.Pow(x0, 0.5-float64(k)) }},
		{"x^2.7", func(k int) float64 { return binom(2.7, k) * math.Pow(x0, 2.7-float64(k)) }},
		{"x^P", func(k int) float64 { return binom(-1.4, k) * math.Pow(x0, -1.4-float64(k)) }},
		{"x - 3*x", func(k int) float64 { return []float64{-2 * x0, -2}[min(k, 1)] * b2f(k <= 1) }},
		{"abs(x - 2)", func(k int) float64 { return []float64{2 - x0, -1}[min(k, 1)] * b2f(k <= 1) }},
		{"min(x, 2) + max(x, 1)", func(k int) float64 { return []float64{2 * x0, 2}[min(k, 1)] * b2f(k <= 1) }},
		{"ifelse(x < 2, exp(x), x)", func(k int) float64 { return math.Exp(x0) / fact(k) }},
		{"(x > 1) + (x < 1)", func(k int) float64 { return b2f(k == 0) }},
		// x^x = exp(x·ln x): a variable exponent; first two derivatives by hand
		{"x^x", func(k int) float64 {
			v := math.Pow(x0, x0)
			l := 1 + math.Log(x0)
			return []float64{v, v * l, v * (l*l + 1/x0) / 2}[k]
		}},
	}
	for _, c := range cases {
		m, err := Compile(Spec{Name: "c", Params: []Param{{Name: "P", Value: -1.4}}, States: []State{{Name: "x", Init: "1"}, {Name: "z"}},
			Equations: "w = " + c.expr + "\nd/dt(x) = 1\nd/dt(z) = w", Outputs: []string{"w"}})
		if err != nil {
			t.Fatal(err)
		}
		in := m.NewInstance()
		cs := make([][]float64, p+1)
		for k := range cs {
			cs[k] = make([]float64, 2)
		}
		cs[0][0] = x0
		in.Jet(0, cs)
		if cs[1][0] != 1 || cs[2][0] != 0 {
			t.Fatalf("x coefficients %v", cs)
		}
		kmax := p - 1
		if c.expr == "x^x" {
			kmax = 2
		}
		for k := 0; k <= kmax; k++ {
			got, want := cs[k+1][1]*float64(k+1), c.coef(k)
			if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: coefficient %d = %.15g, want %.15g", c.expr, k, got, want)
			}
		}
	}
}

// The jet drives ode.Taylor on y' = y² (y = 1/(1−t), a pole at 1), y' = −k·y
// (exponential decay) and the forced oscillator, against their closed forms.
func TestJetWithTaylorIntegrator(t *testing.T) {
	cases := []struct {
		eq    string
		y0    []float64
		tEnd  float64
		exact func(t float64) float64
	}{
		{"d/dt(y) = y^2\nd/dt(v) = 0", []float64{1, 0}, 0.99, func(t float64) float64 { return 1 / (1 - t) }},
		{"d/dt(y) = -0.7*y\nd/dt(v) = 0", []float64{2, 0}, 10, func(t float64) float64 { return 2 * math.Exp(-0.7*t) }},
		{"d/dt(y) = v\nd/dt(v) = -y + 1", []float64{3, -2}, 30, func(t float64) float64 { return ode.ForcedOscillator(3, -2, t) }},
	}
	for _, c := range cases {
		m, err := Compile(Spec{Name: "j", States: []State{{Name: "y"}, {Name: "v"}}, Equations: c.eq})
		if err != nil {
			t.Fatal(err)
		}
		s := ode.NewTaylor(m.NewInstance().Jet, 2, 0, ode.Options{RTol: 1e-11, ATol: 1e-12})
		s.Reset(0, c.y0)
		if err := s.Integrate(c.tEnd, nil, nil); err != nil {
			t.Fatal(err)
		}
		if e := c.exact(c.tEnd); math.Abs(s.Y[0]-e) > 1e-8*math.Abs(e) {
			t.Errorf("%q: y(%g) = %.12g, want %.12g", c.eq, c.tEnd, s.Y[0], e)
		}
	}
}

package modlang

import (
	"math"
	"strings"
	"testing"
)

const oral2 = `
$PROB oral2
Two compartments with first-order absorption
$TIME h
$PARAM
CL [L/h] = 3.5 ; clearance
V1 [L] = 20
Q [L/h] = 7
V2 [L] = 40
KA [1/h] = 1.2
$STATE
depot [mg] = 0
central [mg] = 0
periph [mg] = 0
$ODE
# rates
k10 = CL / V1
k12 = Q/V1; k21 = Q/V2
cp = central / V1
d/dt(depot) = -KA*depot
d/dt(central) = KA*depot - (k10 + k12)*central + k21*periph
d/dt(periph) = k12*central - k21*periph
$OUTPUT cp
`

func mustCompile(t testing.TB, src string) *Model {
	t.Helper()
	s, err := ParseFile("test.model", src)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The compiled right-hand side equals the equations written out by hand, the
// units were checked, and the model is recognised as linear.
func TestCompileOral2(t *testing.T) {
	m := mustCompile(t, oral2)
	if !m.UnitsChecked || !m.Linear() {
		t.Fatalf("units checked %v, linear %v", m.UnitsChecked, m.Linear())
	}
	in := m.NewInstance()
	y := []float64{10, 5, 2}
	dy := make([]float64, 3)
	in.RHS(0, y, dy)
	CL, V1, Q, V2, KA := 3.5, 20.0, 7.0, 40.0, 1.2
	want := []float64{-KA * 10, KA*10 - (CL/V1+Q/V1)*5 + Q/V2*2, Q/V1*5 - Q/V2*2}
	for i := range want {
		if math.Abs(dy[i]-want[i]) > 1e-15*math.Abs(want[i]) {
			t.Errorf("dy[%d] = %v, want %v", i, dy[i], want[i])
		}
	}
	if c := in.Output(0, 0, y); c != 5/V1 {
		t.Errorf("cp = %v", c)
	}
	if n := testing.AllocsPerRun(100, func() { in.RHS(1, y, dy) }); n != 0 {
		t.Errorf("RHS allocates %v times", n)
	}
}

// Every operator evaluates as Go's math does, including piecewise if/else
// (with else if), ifelse, comparisons and the logical operators; constants
// are folded and common subexpressions shared.
func TestOperators(t *testing.T) {
	src := `
a = exp(x) + log(x) + sqrt(x) + abs(-x) + x^2.5 + x**3 + min(x, 2, y) + max(x, y)
b = ifelse(x < y, 1, 2) + (x <= y) + (x > y) + (x >= y) + (x == y) + (x != y) + (x < 1 && y > 1) + (x < 1 || y > 1) + !(x < 1)
if (x > 1) {
  c = 10
} else if (y > 1) {
  c = 20
} else {
  c = 30
}
e = -x^2 + 2^3^2 + t*0
d/dt(x) = a
d/dt(y) = b + c + e
`
	s := Spec{Name: "ops", Params: nil, States: []State{{Name: "x"}, {Name: "y"}}, Equations: src}
	m, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if m.UnitsChecked {
		t.Error("units checked without units")
	}
	in := m.NewInstance()
	for _, xy := range [][2]float64{{0.7, 1.6}, {1.3, 0.4}, {0.5, 0.5}, {2, 3}} {
		x, y := xy[0], xy[1]
		dy := make([]float64, 2)
		in.RHS(0.3, []float64{x, y}, dy)
		a := math.Exp(x) + math.Log(x) + math.Sqrt(x) + math.Abs(-x) + math.Pow(x, 2.5) + x*x*x + math.Min(x, math.Min(2, y)) + math.Max(x, y)
		bf := func(c bool) float64 {
			if c {
				return 1
			}
			return 0
		}
		b := 2 - bf(x < y) + bf(x <= y) + bf(x > y) + bf(x >= y) + bf(x == y) + bf(x != y) + bf(x < 1 && y > 1) + bf(x < 1 || y > 1) + bf(!(x < 1))
		c := 30.0
		if x > 1 {
			c = 10
		} else if y > 1 {
			c = 20
		}
		e := -x*x + 512
		if math.Abs(dy[0]-a) > 1e-14*math.Abs(a) || math.Abs(dy[1]-(b+c+e)) > 1e-13 {
			t.Errorf("x=%v y=%v: got %v, want %v %v", x, y, dy, a, b+c+e)
		}
	}
	// 2^3^2 is folded to one constant, t*0 to 0
	for _, n := range m.nodes {
		if n.op == opTime && len(m.dynamic) > 0 {
			for _, in := range m.dynamic {
				if in.a == m.timeNode || in.b == m.timeNode {
					t.Error("t*0 was not folded away")
				}
			}
		}
	}
}

// A 2-state model with a dose property and initial values that are
// expressions of the parameters.
func TestInitAndDose(t *testing.T) {
	m := mustCompile(t, `
$PROB d
$PARAM
BASE [mg] = 4
FR [1] = 0.6
TLAG [h] = 0.5
$STATE
depot [mg] = 0
central [mg] = BASE*2
$ODE
F(depot) = FR
ALAG(depot) = TLAG
d/dt(depot) = -depot/TLAG
d/dt(central) = depot/TLAG
`)
	in := m.NewInstance()
	y := make([]float64, 2)
	in.Init(y)
	if y[0] != 0 || y[1] != 8 {
		t.Errorf("init = %v", y)
	}
	if f, ok := in.Dose(0, DoseF); !ok || f != 0.6 {
		t.Errorf("F = %v %v", f, ok)
	}
	if l, ok := in.Dose(0, DoseALAG); !ok || l != 0.5 {
		t.Errorf("ALAG = %v %v", l, ok)
	}
	if _, ok := in.Dose(1, DoseF); ok {
		t.Error("F(central) set")
	}
}

// The file format round-trips through Spec.Source.
func TestSourceRoundTrip(t *testing.T) {
	s, err := ParseFile("a", oral2)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ParseFile("a", s.Source())
	if err != nil {
		t.Fatal(err)
	}
	s2.EqLine, s.EqLine = 0, 0
	if s.Source() != s2.Source() || !strings.Contains(s.Source(), "CL [L/h] = 3.5 ; clearance") {
		t.Errorf("round trip:\n%s\n---\n%s", s.Source(), s2.Source())
	}
}

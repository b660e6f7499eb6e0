package modlang

import (
	"strings"
	"testing"
)

// Each kind of bad model gives an error with its place (file line and column
// where the model comes from a file) and what was expected, with the nearest
// name where one is near.
func TestErrors(t *testing.T) {
	head := "$PROB bad\n$PARAM\nCL [L/h] = 1\nV [L] = 10\n$STATE\ncentral [mg] = 0\nperiph [mg] = 0\n$ODE\n"
	// the equations start on line 9
	cases := []struct{ eq, want string }{
		{"d/dt(central) = -CL/Vd*central\nd/dt(periph) = 0", `f.model:9:21: model bad: undefined symbol "Vd" (did you mean "V"?)`},
		{"CL = 3\nd/dt(central) = 0\nd/dt(periph) = 0", `f.model:9:1: model bad: cannot assign to "CL": it is a parameter`},
		{"d/dt(centrl) = 0\nd/dt(periph) = 0", `f.model:9:6: model bad: d/dt of "centrl", which is not a declared state (did you mean "central"?)`},
		{"d/dt(central) = 0", `model bad: equations: state "periph" has no equation: write d/dt(periph) = ...`},
		{"d/dt(central) = -CL*central\nd/dt(periph) = 0", `f.model:9:15: model bad: unit mismatch: d/dt(central) is 2.77778e-07 g*L/s, want 2.77778e-07 g/s`},
		{"x = CL + V\nd/dt(central) = 0\nd/dt(periph) = 0", `f.model:9:8: model bad: unit mismatch: 0.000277778 L/s + L`},
		{"d/dt(central) = -CL/V*central +\nd/dt(periph) = 0", `f.model:9:32: model bad: an expression expected, got the end of the line`},
		{"d/dt(central) = (1\nd/dt(periph) = 0", `f.model:9:19: model bad: ")" expected to close the parenthesis`},
		{"d/dt(central) = exp(V)\nd/dt(periph) = 0", `f.model:9:17: model bad: unit mismatch: the argument of exp must be dimensionless, got L`},
		{"d/dt(central) = epx(1)\nd/dt(periph) = 0", `f.model:9:17: model bad: unknown function "epx" (did you mean "exp"?)`},
		{"if (central > 1) { x = 1 }\nd/dt(central) = x\nd/dt(periph) = 0", `x is set in one branch of an if but not in its else branch`},
		{"central = 1\nd/dt(central) = 0\nd/dt(periph) = 0", `cannot assign to state "central": write d/dt(central) = ...`},
		{"d/dt(central) = 0 $\nd/dt(periph) = 0", `f.model:9:19: model bad: unexpected character '$'`},
		{"ALAG(central) = t\nd/dt(central) = 0\nd/dt(periph) = 0", `ALAG(central) depends on a state or on time`},
		{"d/dt(central) = 0 0\nd/dt(periph) = 0", `end of statement expected, got number 0`},
	}
	for _, c := range cases {
		s, err := ParseFile("f.model", head+c.eq)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(s)
		if err == nil {
			t.Errorf("%q: no error", c.eq)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %s", c.eq, err, c.want)
		}
	}
}

// Without a file line (a Lua long string), the line and column inside the
// block are named.
func TestErrorInBlock(t *testing.T) {
	_, err := Compile(Spec{Name: "m", File: "s.lua", States: []State{{Name: "x"}}, Equations: "\n  d/dt(x) = xx"})
	if err == nil || err.Error() != `s.lua: model m: equations line 2, column 13: undefined symbol "xx" (did you mean "x"?)` {
		t.Errorf("got %v", err)
	}
}

// Declarations: a bad unit, a duplicate name, a reserved name, an unknown
// output, a bad file block.
func TestDeclarationErrors(t *testing.T) {
	cases := []struct {
		s    Spec
		want string
	}{
		{Spec{Name: "m", Params: []Param{{Name: "CL", Unit: "L/hr"}}, States: []State{{Name: "x"}}, Equations: "d/dt(x)=0"}, `unknown unit "hr"`},
		{Spec{Name: "m", Params: []Param{{Name: "x"}}, States: []State{{Name: "x"}}, Equations: "d/dt(x)=0"}, `"x" is declared twice`},
		{Spec{Name: "m", States: []State{{Name: "exp"}}, Equations: "d/dt(x)=0"}, `"exp" is reserved`},
		{Spec{Name: "m", States: []State{{Name: "x"}}, Equations: "d/dt(x)=0", Outputs: []string{"xx"}}, `output "xx" is not assigned in the equations nor a state (did you mean "x"?)`},
		{Spec{Name: "m", States: []State{{Name: "x", Init: "k*"}}, Equations: "d/dt(x)=0"}, `initial value of x line 1, column 1: undefined symbol "k"`},
		{Spec{Name: "m", TimeUnit: "mg", States: []State{{Name: "x"}}, Equations: "d/dt(x)=0"}, `"mg" is not a unit of time`},
	}
	for _, c := range cases {
		_, err := Compile(c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %s", err, c.want)
		}
	}
	if _, err := ParseFile("f", "$PROB x\n$FOO\n"); err == nil || !strings.Contains(err.Error(), "f:2: model x: unknown block $FOO") {
		t.Errorf("got %v", err)
	}
}

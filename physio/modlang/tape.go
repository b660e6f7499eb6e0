package modlang

import (
	"fmt"
	"math"
)

// Instance evaluates a compiled model for one parameter set. Its methods do
// not allocate; an Instance is not safe for concurrent use (make one per
// goroutine: they share the Model).
type Instance struct {
	M      *Model
	regs   []float64 // one register per graph node
	params []float64
	tan    []float64 // tangents (Jacobian)
	taylor []float64 // Taylor coefficients, node-major: taylor[id*(p+1)+k]
	order  int
	forced []int8 // comparisons decided by their series (Jet)
	rates  []float64
	// the affine part K·y + r of the derivatives (Taylor path), recomputed
	// after SetParams
	kAff, rAff []float64
	affDirty   bool
	offs       []tinstr // the dynamic tape with offsets into the Taylor buffer
}

// NewInstance returns an evaluator with the model's default parameters.
func (m *Model) NewInstance() *Instance {
	in := &Instance{M: m, regs: make([]float64, len(m.nodes)), params: make([]float64, len(m.paramNode)),
		rates: make([]float64, len(m.stateNode))}
	for _, c := range m.consts {
		in.regs[c] = m.nodes[c].val
	}
	if err := in.SetParams(m.Defaults()); err != nil {
		panic(err)
	}
	return in
}

// SetParams binds parameter values (in declaration order) and evaluates
// everything that depends on them only.
func (in *Instance) SetParams(p []float64) error {
	m := in.M
	if len(p) != len(m.paramNode) {
		return fmt.Errorf("model %s: %d parameter values, want %d", m.Spec.Name, len(p), len(m.paramNode))
	}
	copy(in.params, p)
	for i, id := range m.paramNode {
		in.regs[id] = p[i]
	}
	run(m.static, in.regs)
	in.affDirty = true
	return nil
}

// SetRates sets the zero-order infusion rates into each state (amount per
// time unit), added to the states' derivatives (a constant addend: in a jet
// it enters the first coefficient only).
func (in *Instance) SetRates(r []float64) { copy(in.rates, r) }

// Param returns the value of parameter i.
func (in *Instance) Param(i int) float64 { return in.params[i] }

// run executes a tape on the registers.
func run(tape []instr, r []float64) {
	for _, in := range tape {
		var v float64
		a := r[in.a]
		switch in.op {
		case opAdd:
			v = a + r[in.b]
		case opSub:
			v = a - r[in.b]
		case opMul, opMulS:
			v = a * r[in.b]
		case opDiv, opDivS:
			v = a / r[in.b]
		case opNeg:
			v = -a
		case opExp:
			v = math.Exp(a)
		case opLog:
			v = math.Log(a)
		case opSqrt:
			v = math.Sqrt(a)
		case opSelect:
			if a != 0 {
				v = r[in.b]
			} else {
				v = r[in.c]
			}
		default:
			var b float64
			if in.op.arity() > 1 {
				b = r[in.b]
			}
			v = apply(in.op, a, b, 0)
		}
		r[in.dst] = v
	}
}

// load puts (t, y) into the registers.
func (in *Instance) load(t float64, y []float64) {
	r := in.regs
	r[in.M.timeNode] = t
	for i, id := range in.M.stateNode {
		r[id] = y[i]
	}
}

// RHS writes dy/dt at (t, y) into dy (an ode.Func).
func (in *Instance) RHS(t float64, y, dy []float64) {
	in.load(t, y)
	run(in.M.dynamic, in.regs)
	r := in.regs
	for i, id := range in.M.deriv {
		dy[i] = r[id] + in.rates[i]
	}
}

// Output returns output k (Spec.Outputs[k]) at (t, y).
func (in *Instance) Output(k int, t float64, y []float64) float64 {
	in.load(t, y)
	run(in.M.dynamic, in.regs)
	return in.regs[in.M.outputs[k]]
}

// Outputs writes every output at (t, y) into out.
func (in *Instance) Outputs(t float64, y, out []float64) {
	in.load(t, y)
	run(in.M.dynamic, in.regs)
	for k, id := range in.M.outputs {
		out[k] = in.regs[id]
	}
}

// Value returns a named quantity (an assigned name or a state) at (t, y).
func (in *Instance) Value(name string, t float64, y []float64) (float64, error) {
	id, ok := in.M.varNames[name]
	if !ok {
		return 0, fmt.Errorf("model %s: no quantity %q%s", in.M.Spec.Name, name, suggest(name, sortedKeys(in.M.varNames)))
	}
	in.load(t, y)
	run(in.M.dynamic, in.regs)
	return in.regs[id], nil
}

// Init writes the initial state into y.
func (in *Instance) Init(y []float64) {
	for i, id := range in.M.init {
		y[i] = in.regs[id]
	}
}

// Dose returns dosing property k (DoseF, DoseALAG, DoseR, DoseD) of state i
// and whether the model sets it.
func (in *Instance) Dose(i, k int) (float64, bool) {
	id := in.M.dose[i][k]
	if id < 0 {
		return 0, false
	}
	return in.regs[id], true
}

// bioavail is state i's bioavailability F (1 where the model sets none).
func (in *Instance) bioavail(i int) float64 {
	if f, ok := in.Dose(i, DoseF); ok {
		return f
	}
	return 1
}

// lagTime is state i's lag time ALAG (0 where the model sets none).
func (in *Instance) lagTime(i int) float64 {
	lag, _ := in.Dose(i, DoseALAG)
	return lag
}

// CheckFinite evaluates dy/dt at (t, y) and, when a derivative is NaN or
// infinite, returns an error that names the model, the time and the
// equation (its state and line in the block).
func (in *Instance) CheckFinite(t float64, y []float64) error {
	in.load(t, y)
	run(in.M.dynamic, in.regs)
	for i, id := range in.M.deriv {
		if v := in.regs[id]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("model %s: d/dt(%s) (equations line %d) is %v at t = %g", in.M.Spec.Name, in.M.Spec.States[i].Name, in.M.derivLine[i], v, t)
		}
	}
	return nil
}

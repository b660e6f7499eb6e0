package modlang

import (
	"fmt"
	"math"
	"strings"
)

// Param is a model parameter: its typical value, unit, meaning and source.
type Param struct {
	Name   string
	Value  float64
	Unit   string // e.g. "L/h"; "" when not declared
	Doc    string
	Source string // the literature the value comes from
}

// State is a state variable (a compartment amount, a concentration).
type State struct {
	Name string
	// Init is the initial value as an expression of the parameters ("" is 0).
	Init string
	Unit string
	Doc  string
}

// Spec is a model as written: the declarations and the equation block.
type Spec struct {
	Name        string
	Description string
	Citation    string
	// TimeUnit is the unit of the model's time ("h" when empty).
	TimeUnit  string
	Params    []Param
	States    []State
	Equations string
	// Outputs name assigned quantities (or states) a simulation reports.
	Outputs []string
	// File and EqLine place errors: the file the model comes from and the
	// line there of the equation block's first line (0: not known).
	File   string
	EqLine int
}

// Dosing property indices into Model.Dose.
const (
	DoseF    = iota // bioavailable fraction
	DoseALAG        // lag time
	DoseR           // zero-order infusion rate (amount per time unit)
	DoseD           // infusion duration
	nDoseProps
)

var doseNames = [nDoseProps]string{"F", "ALAG", "R", "D"}

// Model is a compiled model: the expression graph and its evaluation tapes.
// It is immutable and safe for concurrent use; each goroutine evaluates it
// through its own Instance.
type Model struct {
	Spec Spec
	// UnitsChecked reports whether every parameter and state declared a
	// unit, so that the equations' dimensions were checked.
	UnitsChecked bool

	nodes     []node
	paramNode []int32
	stateNode []int32
	timeNode  int32
	deriv     []int32 // per state
	derivLine []int   // line of each d/dt in the block
	outputs   []int32
	init      []int32
	dose      [][nDoseProps]int32 // per state, -1: not set
	static    []instr             // parameter-only nodes, run once per parameter set
	dynamic   []instr             // nodes that depend on states or time
	consts    []int32
	linear    bool
	affTerms  [][]term         // per state: the affine summands of its derivative
	nlTerms   [][]term         // per state: the other summands
	nlTape    []instr          // the dynamic nodes the other summands need
	varNames  map[string]int32 // every assigned name, for Output lookup
}

// instr is one tape instruction: regs[dst] = op(regs[a], regs[b], regs[c]).
type instr struct {
	op           op
	dst, a, b, c int32
}

// Compile parses and checks a model and compiles its tapes.
func Compile(s Spec) (*Model, error) {
	m, err := compile(s)
	if err != nil {
		err.File, err.Model = s.File, s.Name
		if s.EqLine > 0 && err.Section == "equations" && err.Line > 0 {
			err.FileLine = s.EqLine + err.Line - 1
		}
		return nil, err
	}
	return m, nil
}

func compile(s Spec) (*Model, *Error) {
	if s.TimeUnit == "" {
		s.TimeUnit = "h"
	}
	if len(s.States) == 0 {
		return nil, &Error{Section: "states", Msg: "a model needs at least one state"}
	}
	g := newGraph()
	sym := &symbols{params: map[string]value{}, states: map[string]value{}, sdims: map[string]Dim{}, units: true}
	tDim, err := ParseUnit(s.TimeUnit)
	if err != nil || tDim.Exp != (Dim{Exp: [nDims]int8{dimTime: 1}}).Exp {
		return nil, &Error{Section: "time unit", Msg: fmt.Sprintf("%q is not a unit of time (s, min, h, d, week)", s.TimeUnit)}
	}
	sym.tDim = tDim
	sym.time = value{g.add(node{op: opTime}), tDim}
	m := &Model{Spec: s, timeNode: sym.time.id}
	seen := map[string]string{}
	declare := func(kind, name string) *Error {
		if !validName(name) {
			return &Error{Section: kind + " " + name, Msg: fmt.Sprintf("%q is not a valid name (letters, digits and _, starting with a letter)", name)}
		}
		if name == "t" || name == "time" || functions[name] != 0 || name == "if" || name == "else" {
			return &Error{Section: kind + " " + name, Msg: fmt.Sprintf("%q is reserved", name)}
		}
		if prev, ok := seen[name]; ok {
			return &Error{Section: kind + " " + name, Msg: fmt.Sprintf("%q is declared twice (as a %s and as a %s)", name, prev, kind)}
		}
		seen[name] = kind
		return nil
	}
	unitOf := func(kind, name, unit string) (Dim, *Error) {
		if unit == "" {
			sym.units = false
			return Dim{}, nil
		}
		d, err := ParseUnit(unit)
		if err != nil {
			return d, &Error{Section: kind + " " + name, Msg: err.Error()}
		}
		return d, nil
	}
	for i, p := range s.Params {
		if err := declare("param", p.Name); err != nil {
			return nil, err
		}
		d, err := unitOf("param", p.Name, p.Unit)
		if err != nil {
			return nil, err
		}
		id := g.add(node{op: opParam, a: int32(i)})
		m.paramNode = append(m.paramNode, id)
		sym.params[p.Name] = value{id, d}
	}
	for i, st := range s.States {
		if err := declare("state", st.Name); err != nil {
			return nil, err
		}
		d, err := unitOf("state", st.Name, st.Unit)
		if err != nil {
			return nil, err
		}
		id := g.add(node{op: opState, a: int32(i)})
		m.stateNode = append(m.stateNode, id)
		sym.states[st.Name] = value{id, d}
		sym.sdims[st.Name] = d
		sym.order = append(sym.order, st.Name)
	}
	m.UnitsChecked = sym.units
	if !sym.units {
		// dimensions of undeclared units are unknown: check nothing
		for k, v := range sym.params {
			sym.params[k] = value{v.id, anyDim}
		}
		for k, v := range sym.states {
			sym.states[k] = value{v.id, anyDim}
		}
		sym.time.dim = anyDim
	}

	toks, lerr := lex(s.Equations)
	if lerr != nil {
		lerr.Section = "equations"
		return nil, lerr
	}
	p := &parser{toks: toks, g: g, sym: sym, env: map[string]binding{}}
	if err := p.block(true); err != nil {
		return nil, err
	}
	m.varNames = map[string]int32{}
	for k, b := range p.env {
		if !strings.Contains(k, "(") {
			m.varNames[k] = b.id
		}
	}
	for _, st := range s.States {
		b, ok := p.env["d/dt("+st.Name+")"]
		if !ok {
			return nil, &Error{Section: "equations", Msg: fmt.Sprintf("state %q has no equation: write d/dt(%s) = ...", st.Name, st.Name)}
		}
		m.deriv = append(m.deriv, b.id)
		m.derivLine = append(m.derivLine, b.line)
		m.varNames[st.Name] = sym.states[st.Name].id
		var dp [nDoseProps]int32
		for k := range dp {
			dp[k] = -1
			if b, ok := p.env[doseNames[k]+"("+st.Name+")"]; ok {
				dp[k] = b.id
			}
		}
		m.dose = append(m.dose, dp)
	}
	for _, o := range s.Outputs {
		id, ok := m.varNames[o]
		if !ok {
			return nil, &Error{Section: "outputs", Msg: fmt.Sprintf("output %q is not assigned in the equations nor a state%s", o, suggest(o, sortedKeys(m.varNames)))}
		}
		m.outputs = append(m.outputs, id)
	}
	// initial values: expressions of the parameters
	for _, st := range s.States {
		src := st.Init
		if strings.TrimSpace(src) == "" {
			src = "0"
		}
		toks, lerr := lex(src)
		if lerr != nil {
			lerr.Section = "initial value of " + st.Name
			return nil, lerr
		}
		ip := &parser{toks: toks, g: g, sym: &symbols{params: sym.params, states: map[string]value{}, units: sym.units, tDim: sym.tDim, time: sym.time}, env: map[string]binding{}}
		v, err := ip.expr()
		if err == nil && ip.peek().kind != tEOF {
			err = ip.errAt(ip.peek(), "end of the expression expected, got %s", ip.peek())
		}
		if err != nil {
			err.Section = "initial value of " + st.Name
			return nil, err
		}
		if sym.units && !v.dim.Any && !v.dim.same(sym.sdims[st.Name]) {
			return nil, &Error{Section: "initial value of " + st.Name, Msg: fmt.Sprintf("unit mismatch: %s, want %s", v.dim, sym.sdims[st.Name])}
		}
		m.init = append(m.init, v.id)
	}
	m.nodes = g.nodes
	dyn := g.dynamic()
	// dosing properties and initial values must be fixed for a subject
	for i, dp := range m.dose {
		for k, id := range dp {
			if id >= 0 && dyn[id] {
				return nil, &Error{Section: "equations", Msg: fmt.Sprintf("%s(%s) depends on a state or on time; dosing properties may depend on parameters only", doseNames[k], s.States[i].Name)}
			}
		}
	}
	for i, id := range m.init {
		if dyn[id] {
			return nil, &Error{Section: "initial value of " + s.States[i].Name, Msg: "an initial value may depend on parameters only"}
		}
	}
	m.buildTapes(dyn)
	m.linear = m.detectLinear(dyn)
	return m, nil
}

func validName(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

// buildTapes lays the reachable operation nodes out as the static and the
// dynamic tape.
func (m *Model) buildTapes(dyn []bool) {
	roots := append(append([]int32{}, m.deriv...), m.outputs...)
	roots = append(roots, m.init...)
	for _, dp := range m.dose {
		roots = append(roots, dp[:]...)
	}
	for _, id := range m.varNames {
		roots = append(roots, id)
	}
	need := (&graph{nodes: m.nodes}).reachable(roots)
	for i, n := range m.nodes {
		if !need[i] {
			continue
		}
		switch n.op {
		case opConst:
			m.consts = append(m.consts, int32(i))
		case opParam, opState, opTime:
		default:
			in := instr{op: n.op, dst: int32(i), a: n.a, b: n.b, c: n.c}
			switch {
			case !dyn[i]:
			case n.op == opMul && !dyn[n.a]:
				in.op, in.a, in.b = opMulS, n.b, n.a
			case n.op == opMul && !dyn[n.b]:
				in.op = opMulS
			case n.op == opDiv && !dyn[n.b]:
				in.op = opDivS
			}
			if dyn[i] {
				m.dynamic = append(m.dynamic, in)
			} else {
				m.static = append(m.static, in)
			}
		}
	}
}

// NumStates returns the number of states.
func (m *Model) NumStates() int { return len(m.stateNode) }

// NumParams returns the number of parameters.
func (m *Model) NumParams() int { return len(m.paramNode) }

// ParamIndex returns the index of the named parameter, or -1.
func (m *Model) ParamIndex(name string) int {
	for i, p := range m.Spec.Params {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// StateIndex returns the index of the named state, or -1.
func (m *Model) StateIndex(name string) int {
	for i, s := range m.Spec.States {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// Defaults returns the parameters' declared values.
func (m *Model) Defaults() []float64 {
	out := make([]float64, len(m.Spec.Params))
	for i, p := range m.Spec.Params {
		out[i] = p.Value
	}
	return out
}

// Linear reports whether every derivative is affine in the states with
// coefficients that depend on parameters only (not on time): dy/dt = K·y + r,
// which the exact matrix-exponential path solves.
func (m *Model) Linear() bool { return m.linear }

// Size returns the number of instructions in the static and dynamic tapes.
func (m *Model) Size() (static, dynamic int) { return len(m.static), len(m.dynamic) }

// Params returns the parameter values of a map over the defaults; an unknown
// name is an error that suggests the nearest known one.
func (m *Model) Params(over map[string]float64) ([]float64, error) {
	p := m.Defaults()
	names := make([]string, len(m.Spec.Params))
	for i, q := range m.Spec.Params {
		names[i] = q.Name
	}
	for _, k := range sortedKeys(over) {
		i := m.ParamIndex(k)
		if i < 0 {
			return nil, fmt.Errorf("model %s: unknown parameter %q%s", m.Spec.Name, k, suggest(k, names))
		}
		if math.IsNaN(over[k]) || math.IsInf(over[k], 0) {
			return nil, fmt.Errorf("model %s: parameter %s = %v, want a finite number", m.Spec.Name, k, over[k])
		}
		p[i] = over[k]
	}
	return p, nil
}

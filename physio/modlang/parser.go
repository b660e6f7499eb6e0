package modlang

import (
	"fmt"
	"strings"
)

// value is a parsed expression: its graph node and its dimension.
type value struct {
	id  int32
	dim Dim
}

// binding is what a name in the block currently stands for.
type binding struct {
	value
	line, col int
}

// symbols are the names the block can read besides its own assignments.
type symbols struct {
	params map[string]value
	states map[string]value
	order  []string // states in declaration order
	time   value
	units  bool // check dimensions
	tDim   Dim  // the model's time unit
	sdims  map[string]Dim
}

// doseProps maps the names of dosing properties, in NONMEM's and rxode2's
// spellings, to their canonical names.
var doseProps = map[string]string{
	"F": "F", "f": "F", "ALAG": "ALAG", "alag": "ALAG", "R": "R", "rate": "R", "D": "D", "dur": "D",
}

// functions are the built-in functions and their arities (-1: two or more).
var functions = map[string]int{"exp": 1, "log": 1, "sqrt": 1, "abs": 1, "min": -1, "max": -1, "ifelse": 3,
	"sin": 1, "cos": 1, "floor": 1}

// parser builds the graph of an equation block as it reads it. Assignments
// bind names to nodes (a name assigned twice is rebound: SSA form);
// derivatives and dosing properties are bound under the keys "d/dt(x)" and
// "F(x)".
type parser struct {
	toks []token
	pos  int
	g    *graph
	sym  *symbols
	env  map[string]binding
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }

func (p *parser) errAt(t token, format string, args ...any) *Error {
	return &Error{Line: t.line, Col: t.col, Section: "equations", Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) isOp(s string) bool { t := p.peek(); return t.kind == tOp && t.text == s }

func (p *parser) expect(s, what string) (token, *Error) {
	t := p.next()
	if t.kind != tOp || t.text != s {
		return t, p.errAt(t, "%q expected %s, got %s", s, what, t)
	}
	return t, nil
}

func (p *parser) skipNewlines() {
	for p.peek().kind == tNewline || p.isOp(";") {
		p.pos++
	}
}

// block parses statements up to the end (top level) or a closing brace.
func (p *parser) block(top bool) *Error {
	for {
		p.skipNewlines()
		t := p.peek()
		if t.kind == tEOF {
			if !top {
				return p.errAt(t, "\"}\" expected to close the if block")
			}
			return nil
		}
		if p.isOp("}") {
			if top {
				return p.errAt(t, "unexpected \"}\" (no if block is open)")
			}
			return nil
		}
		if err := p.statement(); err != nil {
			return err
		}
		t = p.peek()
		if !(t.kind == tNewline || t.kind == tEOF || p.isOp(";") || p.isOp("}")) {
			return p.errAt(t, "end of statement expected, got %s", t)
		}
	}
}

func (p *parser) statement() *Error {
	t := p.next()
	if t.kind != tIdent {
		return p.errAt(t, "a statement expected (name = expression, d/dt(state) = expression or if), got %s", t)
	}
	if t.text == "if" {
		return p.ifStatement()
	}
	// d/dt(x) = ...
	if t.text == "d" && p.isOp("/") {
		p.pos++
		dt := p.next()
		if dt.kind != tIdent || dt.text != "dt" {
			return p.errAt(dt, "d/dt expected")
		}
		if _, err := p.expect("(", "after d/dt"); err != nil {
			return err
		}
		st := p.next()
		if st.kind != tIdent {
			return p.errAt(st, "a state name expected in d/dt(...), got %s", st)
		}
		if _, ok := p.sym.states[st.text]; !ok {
			return p.errAt(st, "d/dt of %q, which is not a declared state%s", st.text, suggest(st.text, p.sym.order))
		}
		if _, err := p.expect(")", "after the state name"); err != nil {
			return err
		}
		eq, err := p.expect("=", "after d/dt("+st.text+")")
		if err != nil {
			return err
		}
		v, err := p.expr()
		if err != nil {
			return err
		}
		if p.sym.units {
			want := p.sym.sdims[st.text].div(p.sym.tDim)
			if !v.dim.Any && !v.dim.same(want) {
				return p.errAt(eq, "unit mismatch: d/dt(%s) is %s, want %s (the unit of %s per model time unit)", st.text, v.dim, want, st.text)
			}
		}
		p.env["d/dt("+st.text+")"] = binding{v, t.line, t.col}
		return nil
	}
	// F(x) = ..., ALAG(x) = ..., R(x), D(x)
	if prop, ok := doseProps[t.text]; ok && p.isOp("(") {
		p.pos++
		st := p.next()
		if st.kind != tIdent {
			return p.errAt(st, "a state name expected in %s(...), got %s", t.text, st)
		}
		if _, ok := p.sym.states[st.text]; !ok {
			return p.errAt(st, "%s(%s): %q is not a declared state%s", t.text, st.text, st.text, suggest(st.text, p.sym.order))
		}
		if _, err := p.expect(")", "after the state name"); err != nil {
			return err
		}
		eq, err := p.expect("=", "after "+t.text+"("+st.text+")")
		if err != nil {
			return err
		}
		v, err := p.expr()
		if err != nil {
			return err
		}
		if p.sym.units && !v.dim.Any {
			want := dimless
			switch prop {
			case "ALAG", "D":
				want = p.sym.tDim
			case "R":
				want = p.sym.sdims[st.text].div(p.sym.tDim)
			}
			if !v.dim.same(want) {
				return p.errAt(eq, "unit mismatch: %s(%s) is %s, want %s", prop, st.text, v.dim, want)
			}
		}
		p.env[prop+"("+st.text+")"] = binding{v, t.line, t.col}
		return nil
	}
	if p.isOp("(") {
		return p.errAt(p.peek(), "%q is not a dosing property (F, ALAG, R, D) or d/dt: \"=\" expected after a name", t.text)
	}
	// name = expr
	_, isParam := p.sym.params[t.text]
	_, isState := p.sym.states[t.text]
	switch {
	case isParam:
		return p.errAt(t, "cannot assign to %q: it is a parameter (an input; give the derived quantity a new name)", t.text)
	case isState:
		return p.errAt(t, "cannot assign to state %q: write d/dt(%s) = ... for its equation", t.text, t.text)
	case t.text == "t" || t.text == "time":
		return p.errAt(t, "cannot assign to %q: it is the time", t.text)
	case functions[t.text] != 0 || t.text == "else":
		return p.errAt(t, "cannot assign to %q: it is a reserved word", t.text)
	}
	if _, err := p.expect("=", "after "+t.text); err != nil {
		return err
	}
	v, err := p.expr()
	if err != nil {
		return err
	}
	p.env[t.text] = binding{v, t.line, t.col}
	return nil
}

// ifStatement parses if (cond) { ... } [else { ... } | else if ...] and
// merges the branches: every name bound in a branch becomes
// select(cond, then, else), its value before the if standing in for a branch
// that does not bind it.
func (p *parser) ifStatement() *Error {
	if _, err := p.expect("(", "after if"); err != nil {
		return err
	}
	cond, err := p.expr()
	if err != nil {
		return err
	}
	if _, err := p.expect(")", "after the if condition"); err != nil {
		return err
	}
	p.skipNewlines()
	before := p.env
	thenEnv, err := p.branch(before)
	if err != nil {
		return err
	}
	elseEnv := before
	save := p.pos
	p.skipNewlines()
	if t := p.peek(); t.kind == tIdent && t.text == "else" {
		p.pos++
		p.skipNewlines()
		if t := p.peek(); t.kind == tIdent && t.text == "if" {
			p.pos++
			p.env = copyEnv(before)
			if err := p.ifStatement(); err != nil {
				return err
			}
			elseEnv = p.env
		} else if elseEnv, err = p.branch(before); err != nil {
			return err
		}
	} else {
		p.pos = save
	}
	merged := copyEnv(before)
	for _, name := range unionKeys(thenEnv, elseEnv) {
		a, aok := thenEnv[name]
		b, bok := elseEnv[name]
		if !aok || !bok {
			miss := "else"
			at := a
			if !aok {
				miss, at = "then", b
			}
			return &Error{Line: at.line, Col: at.col, Section: "equations",
				Msg: fmt.Sprintf("%s is set in one branch of an if but not in its %s branch, nor before the if", name, miss)}
		}
		if a.id == b.id {
			merged[name] = a
			continue
		}
		d := a.dim
		if p.sym.units {
			var ok bool
			if d, ok = sumDim(a.dim, b.dim); !ok {
				return &Error{Line: b.line, Col: b.col, Section: "equations",
					Msg: fmt.Sprintf("unit mismatch: %s is %s in one branch and %s in the other", name, a.dim, b.dim)}
			}
		}
		merged[name] = binding{value{p.g.op(opSelect, cond.id, a.id, b.id), d}, a.line, a.col}
	}
	p.env = merged
	return nil
}

// branch parses { statements } on a copy of env and returns the copy.
func (p *parser) branch(env map[string]binding) (map[string]binding, *Error) {
	if _, err := p.expect("{", "to open the if block"); err != nil {
		return nil, err
	}
	p.env = copyEnv(env)
	if err := p.block(false); err != nil {
		return nil, err
	}
	if _, err := p.expect("}", "to close the if block"); err != nil {
		return nil, err
	}
	out := p.env
	p.env = env
	return out, nil
}

func copyEnv(e map[string]binding) map[string]binding {
	c := make(map[string]binding, len(e))
	for k, v := range e {
		c[k] = v
	}
	return c
}

func unionKeys(a, b map[string]binding) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	return sortedKeys(set)
}

// binary operator precedence, lowest first
var precedence = []map[string]op{
	{"||": opOr},
	{"&&": opAnd},
	{"<": opLt, "<=": opLe, ">": opGt, ">=": opGe, "==": opEq, "!=": opNe},
	{"+": opAdd, "-": opSub},
	{"*": opMul, "/": opDiv},
}

func (p *parser) expr() (value, *Error) { return p.binary(0) }

func (p *parser) binary(level int) (value, *Error) {
	if level == len(precedence) {
		return p.unary()
	}
	left, err := p.binary(level + 1)
	if err != nil {
		return left, err
	}
	for {
		t := p.peek()
		o, ok := precedence[level][t.text]
		if t.kind != tOp || !ok {
			return left, nil
		}
		p.pos++
		right, err := p.binary(level + 1)
		if err != nil {
			return right, err
		}
		if left, err = p.combine(o, t, left, right); err != nil {
			return left, err
		}
	}
}

func (p *parser) unary() (value, *Error) {
	t := p.peek()
	if t.kind == tOp && (t.text == "-" || t.text == "+" || t.text == "!") {
		p.pos++
		v, err := p.unary()
		if err != nil || t.text == "+" {
			return v, err
		}
		if t.text == "!" {
			return value{p.g.op(opNot, v.id), dimless}, nil
		}
		return value{p.g.op(opNeg, v.id), v.dim}, nil
	}
	return p.power()
}

// power parses a ^ b (right associative, binding tighter than unary minus:
// -x^2 is -(x^2)).
func (p *parser) power() (value, *Error) {
	base, err := p.primary()
	if err != nil {
		return base, err
	}
	if t := p.peek(); t.kind == tOp && (t.text == "^" || t.text == "**") {
		p.pos++
		ex, err := p.unary()
		if err != nil {
			return ex, err
		}
		return p.combine(opPow, t, base, ex)
	}
	return base, nil
}

func (p *parser) primary() (value, *Error) {
	t := p.next()
	switch t.kind {
	case tNum:
		return value{p.g.constant(t.num), anyDim}, nil
	case tOp:
		if t.text == "(" {
			v, err := p.expr()
			if err != nil {
				return v, err
			}
			_, err = p.expect(")", "to close the parenthesis")
			return v, err
		}
		return value{}, p.errAt(t, "an expression expected, got %s", t)
	case tIdent:
		if p.isOp("(") {
			return p.call(t)
		}
		if b, ok := p.env[t.text]; ok {
			return b.value, nil
		}
		if v, ok := p.sym.states[t.text]; ok {
			return v, nil
		}
		if v, ok := p.sym.params[t.text]; ok {
			return v, nil
		}
		if t.text == "t" || t.text == "time" {
			return p.sym.time, nil
		}
		return value{}, p.errAt(t, "undefined symbol %q%s", t.text, suggest(t.text, p.known()))
	}
	return value{}, p.errAt(t, "an expression expected, got %s", t)
}

// known lists every name an expression can read here.
func (p *parser) known() []string {
	var out []string
	for k := range p.env {
		if !strings.Contains(k, "(") {
			out = append(out, k)
		}
	}
	out = append(out, sortedKeys(p.sym.params)...)
	out = append(out, p.sym.order...)
	return append(out, "t")
}

func (p *parser) call(name token) (value, *Error) {
	arity, ok := functions[name.text]
	if !ok {
		var fs []string
		for k := range functions {
			fs = append(fs, k)
		}
		return value{}, p.errAt(name, "unknown function %q%s (functions: exp log sqrt abs sin cos floor min max ifelse)", name.text, suggest(name.text, fs))
	}
	p.pos++ // (
	var args []value
	for !p.isOp(")") {
		if len(args) > 0 {
			if _, err := p.expect(",", "between arguments"); err != nil {
				return value{}, err
			}
		}
		v, err := p.expr()
		if err != nil {
			return v, err
		}
		args = append(args, v)
	}
	p.pos++ // )
	if (arity > 0 && len(args) != arity) || (arity < 0 && len(args) < 2) {
		want := fmt.Sprint(arity)
		if arity < 0 {
			want = "at least 2"
		}
		return value{}, p.errAt(name, "%s takes %s arguments, got %d", name.text, want, len(args))
	}
	switch name.text {
	case "min", "max":
		o := opMin
		if name.text == "max" {
			o = opMax
		}
		v := args[0]
		for _, a := range args[1:] {
			var err *Error
			if v, err = p.combine(o, name, v, a); err != nil {
				return v, err
			}
		}
		return v, nil
	case "ifelse":
		d := args[1].dim
		if p.sym.units {
			var ok bool
			if d, ok = sumDim(args[1].dim, args[2].dim); !ok {
				return value{}, p.errAt(name, "unit mismatch: ifelse branches are %s and %s", args[1].dim, args[2].dim)
			}
		}
		return value{p.g.op(opSelect, args[0].id, args[1].id, args[2].id), d}, nil
	}
	o := map[string]op{"exp": opExp, "log": opLog, "sqrt": opSqrt, "abs": opAbs, "sin": opSin, "cos": opCos, "floor": opFloor}[name.text]
	a := args[0]
	d := a.dim
	if p.sym.units {
		switch o {
		case opExp, opLog, opSin, opCos:
			if a.dim.Exp != dimless.Exp {
				return value{}, p.errAt(name, "unit mismatch: the argument of %s must be dimensionless, got %s", name.text, a.dim)
			}
			if !a.dim.Any {
				d = dimless
			}
		case opSqrt:
			if !a.dim.Any {
				var ok bool
				if d, ok = a.dim.pow(0.5); !ok {
					return value{}, p.errAt(name, "unit mismatch: sqrt of %s has no unit", a.dim)
				}
			}
		}
	}
	return value{p.g.op(o, a.id), d}, nil
}

// combine builds a binary operation and its dimension.
func (p *parser) combine(o op, at token, a, b value) (value, *Error) {
	var d Dim
	if p.sym.units {
		ok := true
		switch o {
		case opAdd, opSub, opMin, opMax:
			d, ok = sumDim(a.dim, b.dim)
		case opLt, opLe, opGt, opGe, opEq, opNe:
			_, ok = sumDim(a.dim, b.dim)
			d = dimless
		case opAnd, opOr:
			d = dimless
		case opMul:
			d = mulDim(a.dim, b.dim)
		case opDiv:
			d = divDim(a.dim, b.dim)
		case opPow:
			if b.dim.Exp != dimless.Exp {
				return value{}, p.errAt(at, "unit mismatch: an exponent must be dimensionless, got %s", b.dim)
			}
			switch {
			case a.dim.Any:
				d = anyDim
			case a.dim.Exp == dimless.Exp && p.g.nodes[b.id].op != opConst:
				d = dimless
			case p.g.nodes[b.id].op == opConst:
				d, ok = a.dim.pow(p.g.nodes[b.id].val)
				if !ok {
					return value{}, p.errAt(at, "unit mismatch: %s to the power %g has no unit", a.dim, p.g.nodes[b.id].val)
				}
			default:
				return value{}, p.errAt(at, "unit mismatch: %s raised to a variable power", a.dim)
			}
		}
		if !ok {
			return value{}, p.errAt(at, "unit mismatch: %s %s %s", a.dim, at.text, b.dim)
		}
	}
	return value{p.g.op(o, a.id, b.id), d}, nil
}

func sumDim(a, b Dim) (Dim, bool) {
	switch {
	case a.Any:
		return b, true
	case b.Any:
		return a, true
	}
	return a, a.same(b)
}

func mulDim(a, b Dim) Dim {
	switch {
	case a.Any && b.Any:
		return anyDim
	case a.Any:
		return b
	case b.Any:
		return a
	}
	return a.mul(b)
}

func divDim(a, b Dim) Dim {
	switch {
	case a.Any && b.Any:
		return anyDim
	case b.Any:
		return a
	case a.Any:
		return dimless.div(b)
	}
	return a.div(b)
}

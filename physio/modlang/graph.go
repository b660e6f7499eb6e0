package modlang

import "math"

// op is an operation of the expression graph.
type op uint8

const (
	opConst op = iota
	opParam
	opState
	opTime
	opAdd
	opSub
	opMul
	opDiv
	opNeg
	opPow // a^b
	opExp
	opLog
	opSqrt
	opAbs
	opMin
	opMax
	opLt
	opLe
	opGt
	opGe
	opEq
	opNe
	opAnd
	opOr
	opNot
	opSelect // a ? b : c
	// tape-only forms, chosen when compiling: b depends on parameters only
	// (constant within a subject), so its Taylor series is b_0 alone
	opMulS // a·b
	opDivS // a/b
	// trigonometric and rounding functions (periodic inputs such as a
	// heartbeat's ejection)
	opSin
	opCos
	opFloor
)

var opNames = [...]string{"const", "param", "state", "t", "+", "-", "*", "/", "neg", "^", "exp", "log", "sqrt", "abs",
	"min", "max", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "!", "select", "*s", "/s", "sin", "cos", "floor"}

func (o op) String() string { return opNames[o] }

// arity returns the number of operands.
func (o op) arity() int {
	switch o {
	case opConst, opParam, opState, opTime:
		return 0
	case opNeg, opExp, opLog, opSqrt, opAbs, opNot, opSin, opCos, opFloor:
		return 1
	case opSelect:
		return 3
	}
	return 2
}

// node is one vertex of the graph: an operation on earlier nodes (a, b, c),
// a constant (val) or an input (index in a: parameter or state number).
// Nodes only refer to earlier ones, so the slice is in evaluation order.
type node struct {
	op      op
	a, b, c int32
	val     float64
}

// graph is an SSA-like expression graph: every node is created once
// (structurally equal nodes are shared), and operations on constants are
// folded as they are built.
type graph struct {
	nodes []node
	memo  map[node]int32
	dyn   []bool // the node depends on a state or on time
}

func newGraph() *graph { return &graph{memo: map[node]int32{}} }

func (g *graph) add(n node) int32 {
	if id, ok := g.memo[n]; ok {
		return id
	}
	id := int32(len(g.nodes))
	d := n.op == opState || n.op == opTime
	for _, x := range n.operands() {
		d = d || g.dyn[x]
	}
	g.nodes = append(g.nodes, n)
	g.dyn = append(g.dyn, d)
	g.memo[n] = id
	return id
}

func (g *graph) constant(v float64) int32 { return g.add(node{op: opConst, val: v}) }

func (g *graph) isConst(id int32, v float64) bool {
	n := g.nodes[id]
	return n.op == opConst && n.val == v
}

// apply evaluates one operation on values (the folding and the tapes share it).
func apply(o op, a, b, c float64) float64 {
	switch o {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul, opMulS:
		return a * b
	case opDiv, opDivS:
		return a / b
	case opNeg:
		return -a
	case opPow:
		return math.Pow(a, b)
	case opExp:
		return math.Exp(a)
	case opLog:
		return math.Log(a)
	case opSqrt:
		return math.Sqrt(a)
	case opAbs:
		return math.Abs(a)
	case opSin:
		return math.Sin(a)
	case opCos:
		return math.Cos(a)
	case opFloor:
		return math.Floor(a)
	case opMin:
		return math.Min(a, b)
	case opMax:
		return math.Max(a, b)
	case opLt:
		return b2f(a < b)
	case opLe:
		return b2f(a <= b)
	case opGt:
		return b2f(a > b)
	case opGe:
		return b2f(a >= b)
	case opEq:
		return b2f(a == b)
	case opNe:
		return b2f(a != b)
	case opAnd:
		return b2f(a != 0 && b != 0)
	case opOr:
		return b2f(a != 0 || b != 0)
	case opNot:
		return b2f(a == 0)
	case opSelect:
		if a != 0 {
			return b
		}
		return c
	}
	panic("modlang: apply of " + o.String())
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// op builds the operation o on the operands, folding constants and the
// identities x+0, x−0, x·1, x·0 (for finite x), x/1, x^1, x^0, −(−x), and
// rewriting small integer powers as products (x^2 = x·x, x^−1 = 1/x) and
// x^0.5 as √x, which the Taylor recurrences handle at x = 0 where the general
// power's does not.
func (g *graph) op(o op, args ...int32) int32 {
	var a, b, c int32 = -1, -1, -1
	if len(args) > 0 {
		a = args[0]
	}
	if len(args) > 1 {
		b = args[1]
	}
	if len(args) > 2 {
		c = args[2]
	}
	allConst := true
	for _, x := range args {
		if g.nodes[x].op != opConst {
			allConst = false
		}
	}
	if allConst {
		var v [3]float64
		for i, x := range args {
			v[i] = g.nodes[x].val
		}
		return g.constant(apply(o, v[0], v[1], v[2]))
	}
	switch o {
	case opAdd:
		if g.isConst(a, 0) {
			return b
		}
		if g.isConst(b, 0) {
			return a
		}
		if a > b {
			a, b = b, a // commutative: one canonical order, so a+b and b+a are one node
		}
	case opSub:
		if g.isConst(b, 0) {
			return a
		}
		if g.isConst(a, 0) {
			return g.op(opNeg, b)
		}
	case opMul:
		if g.isConst(a, 1) {
			return b
		}
		if g.isConst(b, 1) {
			return a
		}
		if g.isConst(a, 0) || g.isConst(b, 0) {
			return g.constant(0)
		}
		if g.isConst(a, -1) {
			return g.op(opNeg, b)
		}
		if g.isConst(b, -1) {
			return g.op(opNeg, a)
		}
		if a > b {
			a, b = b, a
		}
	case opDiv:
		if g.isConst(b, 1) {
			return a
		}
	case opNeg:
		if g.nodes[a].op == opNeg {
			return g.nodes[a].a
		}
	case opPow:
		if n := g.nodes[b]; n.op == opConst {
			switch n.val {
			case 0:
				return g.constant(1)
			case 1:
				return a
			case 2:
				return g.op(opMul, a, a)
			case 3:
				return g.op(opMul, g.op(opMul, a, a), a)
			case 4:
				sq := g.op(opMul, a, a)
				return g.op(opMul, sq, sq)
			case -1:
				return g.op(opDiv, g.constant(1), a)
			case -2:
				return g.op(opDiv, g.constant(1), g.op(opMul, a, a))
			case 0.5:
				return g.op(opSqrt, a)
			}
		}
		if g.dyn[b] {
			// a variable exponent: a^b = exp(b·ln a), whose Taylor
			// recurrences are those of exp and log
			return g.op(opExp, g.op(opMul, b, g.op(opLog, a)))
		}
	case opMin, opMax, opAnd, opOr, opEq, opNe:
		if a > b {
			a, b = b, a
		}
	case opSelect:
		if n := g.nodes[a]; n.op == opConst {
			if n.val != 0 {
				return b
			}
			return c
		}
		if b == c {
			return b
		}
	}
	return g.add(node{op: o, a: a, b: b, c: c})
}

// dynamic marks the nodes that depend on a state or on time; the others
// depend on parameters and constants only and are evaluated once per
// parameter set.
func (g *graph) dynamic() []bool { return g.dyn }

// operands returns the operand ids of n.
func (n node) operands() []int32 {
	switch n.op.arity() {
	case 1:
		return []int32{n.a}
	case 2:
		return []int32{n.a, n.b}
	case 3:
		return []int32{n.a, n.b, n.c}
	}
	return nil
}

// reachable marks the nodes that the roots need.
func (g *graph) reachable(roots []int32) []bool {
	need := make([]bool, len(g.nodes))
	for _, r := range roots {
		if r >= 0 {
			need[r] = true
		}
	}
	for i := len(g.nodes) - 1; i >= 0; i-- {
		if need[i] {
			for _, x := range g.nodes[i].operands() {
				need[x] = true
			}
		}
	}
	return need
}

package modlang

// detectLinear classifies every node as constant between doses (0: depends
// on parameters only), affine in the states (1) or anything else (2: a
// product of states, a function of a state, or a function of time), and
// reports whether every derivative is of class 0 or 1.
func (m *Model) detectLinear(dyn []bool) bool {
	class := make([]uint8, len(m.nodes))
	defer m.splitAffine(class)
	for i, n := range m.nodes {
		if !dyn[i] {
			continue
		}
		switch n.op {
		case opState:
			class[i] = 1
		case opTime:
			class[i] = 2
		case opAdd, opSub:
			class[i] = max(class[n.a], class[n.b])
		case opNeg:
			class[i] = class[n.a]
		case opMul:
			switch {
			case class[n.a] == 0:
				class[i] = class[n.b]
			case class[n.b] == 0:
				class[i] = class[n.a]
			default:
				class[i] = 2
			}
		case opDiv:
			if class[n.b] == 0 {
				class[i] = class[n.a]
			} else {
				class[i] = 2
			}
		default:
			class[i] = 2
		}
	}
	for _, d := range m.deriv {
		if class[d] > 1 {
			return false
		}
	}
	return true
}

// term is a summand of a derivative: sign·node.
type term struct {
	id   int32
	sign float64
}

// splitAffine writes each derivative as the sum of its affine summands
// (class 0 or 1: K·y + r with K and r fixed for a subject) and its others,
// and keeps the tape of the nodes the others need: the Taylor path
// propagates the affine part by the matrix K (as pk's hand-written jet does)
// and runs only that tape order by order.
func (m *Model) splitAffine(class []uint8) {
	var split func(id int32, sign float64, i int)
	split = func(id int32, sign float64, i int) {
		n := m.nodes[id]
		if class[id] <= 1 {
			m.affTerms[i] = append(m.affTerms[i], term{id, sign})
			return
		}
		switch n.op {
		case opAdd:
			split(n.a, sign, i)
			split(n.b, sign, i)
		case opSub:
			split(n.a, sign, i)
			split(n.b, -sign, i)
		case opNeg:
			split(n.a, -sign, i)
		default:
			m.nlTerms[i] = append(m.nlTerms[i], term{id, sign})
		}
	}
	m.affTerms = make([][]term, len(m.deriv))
	m.nlTerms = make([][]term, len(m.deriv))
	var roots []int32
	for i, d := range m.deriv {
		split(d, 1, i)
		for _, t := range m.nlTerms[i] {
			roots = append(roots, t.id)
		}
	}
	m.nlTape = m.tapeFor(m.dynamic, roots)
}

// tapeFor returns the instructions of tape that the roots need.
func (m *Model) tapeFor(tape []instr, roots []int32) []instr {
	need := (&graph{nodes: m.nodes}).reachable(roots)
	var out []instr
	for _, in := range tape {
		if need[in.dst] {
			out = append(out, in)
		}
	}
	return out
}

// affine computes K and r of the derivatives' affine summands for the
// current parameters: r at y = 0, the columns of K by forward-mode tangents.
func (in *Instance) affine() {
	m := in.M
	n := len(m.stateNode)
	if in.kAff == nil {
		in.kAff, in.rAff = make([]float64, n*n), make([]float64, n)
		in.tan = make([]float64, len(m.nodes))
	}
	for _, id := range m.stateNode {
		in.regs[id] = 0
	}
	in.regs[m.timeNode] = 0
	run(m.dynamic, in.regs)
	for i, ts := range m.affTerms {
		r := 0.0
		for _, t := range ts {
			r += t.sign * in.regs[t.id]
		}
		in.rAff[i] = r
	}
	d := in.tan
	for j := 0; j < n; j++ {
		for i, id := range m.stateNode {
			d[id] = b2f(i == j)
		}
		tangents(m.dynamic, in.regs, d)
		for i, ts := range m.affTerms {
			k := 0.0
			for _, t := range ts {
				k += t.sign * d[t.id]
			}
			in.kAff[i*n+j] = k
		}
	}
	in.affDirty = false
}

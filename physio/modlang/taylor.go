package modlang

import "math"

// Jet fills the normalised Taylor coefficients c[k] = y⁽ᵏ⁾(t)/k!, k = 1..p,
// of the solution through (t, c[0]) (an ode.Jet), by Taylor-mode automatic
// differentiation of the dynamic tape: order by order, each node's k-th
// coefficient follows from its operands' coefficients up to k by the
// recurrences of Jorba & Zou 2005 (Exp Math 14:99, §2.1) and Griewank &
// Walther 2008 (Evaluating Derivatives, 2nd ed., §13.2, Table 13.1):
//
//	v = a·b:   v_k = Σ_{j=0..k} a_j·b_{k−j}
//	v = a/b:   v_k = (a_k − Σ_{j=1..k} b_j·v_{k−j}) / b_0
//	v = exp a: v_k = (1/k) Σ_{j=1..k} j·a_j·v_{k−j}
//	v = ln a:  v_k = (a_k − (1/k) Σ_{j=1..k−1} j·v_j·a_{k−j}) / a_0
//	v = √a:    v_k = (a_k − Σ_{j=1..k−1} v_j·v_{k−j}) / (2·v_0)
//	v = a^r:   v_k = (1/(k·a_0)) Σ_{j=0..k−1} (r·(k−j) − j)·a_{k−j}·v_j  (r fixed)
//
// and the states' next coefficient is c[k+1] = f_k/(k+1). abs, min, max and
// if/else follow the branch that holds just after t: where the operands of a
// comparison are equal at t (a drug amount of 0 at the start of a dose
// interval, compared with 0), the jet is computed again with the comparison
// decided by the first coefficient in which the operands' series differ.
// The work buffers are allocated on the first call for a given order.
func (in *Instance) Jet(t float64, c [][]float64) {
	m := in.M
	p := len(c) - 1
	w := p + 1
	if in.order != p || in.taylor == nil {
		in.taylor = make([]float64, len(m.nodes)*w)
		in.forced = make([]int8, len(m.nodes))
		in.order = p
	}
	for i := range in.forced {
		in.forced[i] = 0
	}
	for pass := 0; pass < 8; pass++ {
		in.jet(t, c)
		if !in.resolveTies(p) {
			return
		}
	}
}

// resolveTies decides the comparisons whose operands were equal at t by
// their series up to order p−1 and reports whether a decision changed.
func (in *Instance) resolveTies(p int) bool {
	w := p + 1
	T := in.taylor
	changed := false
	for _, ins := range in.M.dynamic {
		switch ins.op {
		case opLt, opLe, opGt, opGe, opEq, opNe:
		default:
			continue
		}
		a := T[int(ins.a)*w : int(ins.a)*w+p]
		b := T[int(ins.b)*w : int(ins.b)*w+p]
		if a[0] != b[0] || in.forced[ins.dst] != 0 {
			continue
		}
		s := lexCompare(a, b)
		var v bool
		switch ins.op {
		case opLt:
			v = s < 0
		case opLe:
			v = s <= 0
		case opGt:
			v = s > 0
		case opGe:
			v = s >= 0
		case opEq:
			v = s == 0
		case opNe:
			v = s != 0
		}
		in.forced[ins.dst] = -1
		if v {
			in.forced[ins.dst] = 1
		}
		if b2f(v) != T[int(ins.dst)*w] {
			changed = true
		}
	}
	return changed
}

// jet is one pass of Jet with the comparisons decided so far.
func (in *Instance) jet(t float64, c [][]float64) {
	m := in.M
	p := len(c) - 1
	w := p + 1
	T := in.taylor
	for id := range m.nodes { // static nodes: their value at order 0, 0 above
		T[id*w] = in.regs[id]
	}
	tn := int(m.timeNode) * w
	T[tn] = t
	if p >= 1 {
		T[tn+1] = 1
	}
	for k := 0; k < p; k++ {
		for i, id := range m.stateNode {
			T[int(id)*w+k] = c[k][i]
		}
		in.taylorOrder(T, w, k)
		inv := 1 / float64(k+1)
		for i, id := range m.deriv {
			c[k+1][i] = T[int(id)*w+k] * inv
		}
	}
}

// taylorOrder computes coefficient k of every node of the tape.
func (inst *Instance) taylorOrder(T []float64, w, k int) {
	fk := float64(k)
	for _, in := range inst.M.dynamic {
		a := T[int(in.a)*w : int(in.a)*w+k+1]
		v := T[int(in.dst)*w : int(in.dst)*w+k+1]
		var b []float64
		if in.op.arity() > 1 {
			b = T[int(in.b)*w : int(in.b)*w+k+1]
		}
		var x float64
		switch in.op {
		case opAdd:
			x = a[k] + b[k]
		case opSub:
			x = a[k] - b[k]
		case opNeg:
			x = -a[k]
		case opMul:
			for j := 0; j <= k; j++ {
				x += a[j] * b[k-j]
			}
		case opDiv:
			x = a[k]
			for j := 1; j <= k; j++ {
				x -= b[j] * v[k-j]
			}
			x /= b[0]
		case opExp:
			if k == 0 {
				x = math.Exp(a[0])
			} else {
				for j := 1; j <= k; j++ {
					x += float64(j) * a[j] * v[k-j]
				}
				x /= fk
			}
		case opLog:
			if k == 0 {
				x = math.Log(a[0])
			} else {
				for j := 1; j < k; j++ {
					x += float64(j) * v[j] * a[k-j]
				}
				x = (a[k] - x/fk) / a[0]
			}
		case opSqrt:
			if k == 0 {
				x = math.Sqrt(a[0])
			} else {
				for j := 1; j < k; j++ {
					x += v[j] * v[k-j]
				}
				x = (a[k] - x) / (2 * v[0])
			}
		case opPow: // the exponent is fixed for the subject (variable ones became exp(b·ln a))
			r := b[0]
			if k == 0 {
				x = math.Pow(a[0], r)
			} else {
				for j := 0; j < k; j++ {
					x += (r*float64(k-j) - float64(j)) * a[k-j] * v[j]
				}
				x /= fk * a[0]
			}
		case opAbs:
			if sign(a) < 0 {
				x = -a[k]
			} else {
				x = a[k]
			}
		case opMin, opMax:
			s := lexCompare(a, b)
			if (in.op == opMin) == (s <= 0) {
				x = a[k]
			} else {
				x = b[k]
			}
		case opSelect:
			if a[0] != 0 {
				x = T[int(in.b)*w+k]
			} else {
				x = T[int(in.c)*w+k]
			}
		default: // comparisons and logic: constant within the step
			if f := inst.forced[in.dst]; k == 0 && f != 0 {
				x = b2f(f > 0)
			} else if k == 0 {
				var bv float64
				if b != nil {
					bv = b[0]
				}
				x = apply(in.op, a[0], bv, 0)
			}
		}
		v[k] = x
	}
}

// sign returns the sign of the series a near its point: that of its first
// non-zero coefficient.
func sign(a []float64) int {
	for _, x := range a {
		if x > 0 {
			return 1
		}
		if x < 0 {
			return -1
		}
	}
	return 0
}

// lexCompare compares two series near their point: by the first coefficient
// in which they differ.
func lexCompare(a, b []float64) int {
	for j := range a {
		if a[j] < b[j] {
			return -1
		}
		if a[j] > b[j] {
			return 1
		}
	}
	return 0
}

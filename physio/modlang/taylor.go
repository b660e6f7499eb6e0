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
//	s = sin a, c = cos a (each carries the other in a work series):
//	           s_k = (1/k) Σ_{j=1..k} j·a_j·c_{k−j},  c_k = −(1/k) Σ_{j=1..k} j·a_j·s_{k−j}
//	floor a:   its value at order 0, 0 above (piecewise constant)
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
		aux := 0 // sin and cos carry their partner series after the nodes'
		for _, x := range m.nlTape {
			if x.op == opSin || x.op == opCos {
				aux++
			}
		}
		in.taylor = make([]float64, (len(m.nodes)+aux)*w)
		in.forced = make([]int8, len(m.nodes))
		in.order = p
		in.offs = make([]tinstr, len(m.nlTape))
		aux = len(m.nodes)
		for i, x := range m.nlTape {
			in.offs[i] = tinstr{op: x.op, a: x.a * int32(w), b: x.b * int32(w), c: x.c * int32(w), v: x.dst * int32(w), dst: x.dst}
			if x.op == opSin || x.op == opCos {
				in.offs[i].c = int32(aux * w)
				aux++
			}
		}
	}
	for i := range in.forced {
		in.forced[i] = 0
	}
	if in.affDirty || in.kAff == nil {
		in.affine()
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
	for _, ins := range in.M.nlTape {
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
	n := len(m.stateNode)
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
		x, next := c[k], c[k+1]
		for i := range next {
			s := 0.0
			for j, kij := range in.kAff[i*n : i*n+n] {
				s += kij * x[j]
			}
			for _, tm := range m.nlTerms[i] {
				s += tm.sign * T[int(tm.id)*w+k]
			}
			if k == 0 {
				s += in.rAff[i] + in.rates[i]
			}
			next[i] = s * inv
		}
	}
}

// taylorOrder computes coefficient k of every node of the tape (T is
// node-major: node id's coefficients are T[id·w : id·w+w]).
func (inst *Instance) taylorOrder(T []float64, w, k int) {
	fk := float64(k)
	for _, in := range inst.offs {
		ia, ib, iv := int(in.a), int(in.b), int(in.v)
		var x float64
		switch in.op {
		case opAdd:
			x = T[ia+k] + T[ib+k]
		case opSub:
			x = T[ia+k] - T[ib+k]
		case opNeg:
			x = -T[ia+k]
		case opMulS:
			x = T[ia+k] * T[ib]
		case opDivS:
			x = T[ia+k] / T[ib]
		case opMul:
			a, b := T[ia:ia+k+1], T[ib:ib+k+1]
			for j, aj := range a {
				x += aj * b[k-j]
			}
		case opDiv:
			b, v := T[ib:ib+k+1], T[iv:iv+k+1]
			x = T[ia+k]
			for j := 1; j <= k; j++ {
				x -= b[j] * v[k-j]
			}
			x /= b[0]
		case opExp:
			if k == 0 {
				x = math.Exp(T[ia])
			} else {
				a, v := T[ia:ia+k+1], T[iv:iv+k+1]
				for j := 1; j <= k; j++ {
					x += float64(j) * a[j] * v[k-j]
				}
				x /= fk
			}
		case opLog:
			if k == 0 {
				x = math.Log(T[ia])
			} else {
				a, v := T[ia:ia+k+1], T[iv:iv+k+1]
				for j := 1; j < k; j++ {
					x += float64(j) * v[j] * a[k-j]
				}
				x = (a[k] - x/fk) / a[0]
			}
		case opSqrt:
			if k == 0 {
				x = math.Sqrt(T[ia])
			} else {
				v := T[iv : iv+k+1]
				for j := 1; j < k; j++ {
					x += v[j] * v[k-j]
				}
				x = (T[ia+k] - x) / (2 * v[0])
			}
		case opPow: // the exponent is fixed for the subject (variable ones became exp(b·ln a))
			r := T[ib]
			if k == 0 {
				x = math.Pow(T[ia], r)
			} else {
				a, v := T[ia:ia+k+1], T[iv:iv+k+1]
				for j := 0; j < k; j++ {
					x += (r*float64(k-j) - float64(j)) * a[k-j] * v[j]
				}
				x /= fk * a[0]
			}
		case opSin, opCos:
			// v is this node's series, u its partner's (cos for sin, sin for cos)
			ic := int(in.c)
			if k == 0 {
				s, c := math.Sincos(T[ia])
				x, T[ic] = s, c
				if in.op == opCos {
					x, T[ic] = c, s
				}
			} else {
				a, v, u := T[ia:ia+k+1], T[iv:iv+k+1], T[ic:ic+k+1]
				var sv, su float64
				for j := 1; j <= k; j++ {
					sv += float64(j) * a[j] * u[k-j]
					su += float64(j) * a[j] * v[k-j]
				}
				if in.op == opSin { // s_k from c, c_k from s
					x, T[ic+k] = sv/fk, -su/fk
				} else { // c_k from s, s_k from c
					x, T[ic+k] = -sv/fk, su/fk
				}
			}
		case opFloor:
			if k == 0 {
				x = math.Floor(T[ia])
			}
		case opAbs:
			if sign(T[ia:ia+k+1]) < 0 {
				x = -T[ia+k]
			} else {
				x = T[ia+k]
			}
		case opMin, opMax:
			s := lexCompare(T[ia:ia+k+1], T[ib:ib+k+1])
			if (in.op == opMin) == (s <= 0) {
				x = T[ia+k]
			} else {
				x = T[ib+k]
			}
		case opSelect:
			if T[ia] != 0 {
				x = T[ib+k]
			} else {
				x = T[int(in.c)+k]
			}
		default: // comparisons and logic: constant within the step
			if f := inst.forced[in.dst]; k == 0 && f != 0 {
				x = b2f(f > 0)
			} else if k == 0 {
				var bv float64
				if in.op.arity() > 1 {
					bv = T[ib]
				}
				x = apply(in.op, T[ia], bv, 0)
			}
		}
		T[iv+k] = x
	}
}

// tinstr is a dynamic tape instruction with its operands' offsets into the
// Taylor buffer (node id · (order+1)).
type tinstr struct {
	op         op
	a, b, c, v int32
	dst        int32
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

package modlang

// detectLinear classifies every node as constant between doses (0: depends
// on parameters only), affine in the states (1) or anything else (2: a
// product of states, a function of a state, or a function of time), and
// reports whether every derivative is of class 0 or 1.
func (m *Model) detectLinear(dyn []bool) bool {
	class := make([]uint8, len(m.nodes))
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

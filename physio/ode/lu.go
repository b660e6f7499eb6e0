package ode

import (
	"math"
	"math/cmplx"
)

// scalar is the element type of the dense LU factorisations: real for
// Radau5's E1 = γ/h·I − J and complex for its E2 = (α + iβ)/h·I − J.
type scalar interface{ ~float64 | ~complex128 }

func absScalar[T scalar](x T) float64 {
	switch v := any(x).(type) {
	case float64:
		return math.Abs(v)
	case complex128:
		return cmplx.Abs(v)
	}
	return 0
}

// luFactor factorises the row-major n×n matrix a in place by Gaussian
// elimination with partial pivoting (Golub & Van Loan 2013, Alg. 3.4.1); piv
// receives the row interchanges. It reports false for a singular matrix. It
// does not allocate, unlike gonum's LU, and the small systems of patient
// models are solved faster without blocking.
func luFactor[T scalar](a []T, n int, piv []int) bool {
	for k := 0; k < n; k++ {
		p, best := k, absScalar(a[k*n+k])
		for i := k + 1; i < n; i++ {
			if v := absScalar(a[i*n+k]); v > best {
				p, best = i, v
			}
		}
		piv[k] = p
		if best == 0 {
			return false
		}
		if p != k {
			for j := 0; j < n; j++ {
				a[k*n+j], a[p*n+j] = a[p*n+j], a[k*n+j]
			}
		}
		inv := 1 / a[k*n+k]
		for i := k + 1; i < n; i++ {
			l := a[i*n+k] * inv
			a[i*n+k] = l
			if l == 0 {
				continue
			}
			for j := k + 1; j < n; j++ {
				a[i*n+j] -= l * a[k*n+j]
			}
		}
	}
	return true
}

// luSolve solves a·x = b in place in b with the factors of luFactor.
func luSolve[T scalar](a []T, n int, piv []int, b []T) {
	for k := 0; k < n; k++ {
		if p := piv[k]; p != k {
			b[k], b[p] = b[p], b[k]
		}
		for i := k + 1; i < n; i++ {
			b[i] -= a[i*n+k] * b[k]
		}
	}
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < n; j++ {
			s -= a[i*n+j] * b[j]
		}
		b[i] = s / a[i*n+i]
	}
}

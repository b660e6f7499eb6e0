//go:build !unix

package fit

import "math"

// cpuSeconds is unknown here.
func cpuSeconds() float64 { return math.NaN() }

//go:build !cuda

package cuda

import "testing"

// The GPU parity tests and benchmark (backend_test.go) need the cuda build
// tag and a device; without the tag they are not compiled, and this says so.
func TestGPUParity(t *testing.T) {
	t.Skip("GPU parity tests need -tags cuda and an NVIDIA device: `make cuda`, then `make cuda-check` on the GPU machine (README, \"GPU cohorts\")")
}

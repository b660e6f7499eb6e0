package cohort

import (
	"errors"
	"strings"
	"testing"
)

// probeBackend is a Prober whose readiness the test sets.
type probeBackend struct {
	name string
	err  error
}

func (p probeBackend) Name() string          { return p.name }
func (p probeBackend) Simulate(*Batch) error { return errors.New("not for simulation") }
func (p probeBackend) Probe() error          { return p.err }

// register adds backends for one test and removes them after it.
func register(t *testing.T, bs ...Backend) {
	t.Helper()
	for _, b := range bs {
		Register(b)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, b := range bs {
			delete(backends, b.Name())
		}
	})
}

// "auto" takes a registered backend because it is ready, not because of its
// name: a backend called "cuda" that cannot run leaves auto on the CPU (the
// core named "cuda" and took it unprobed before issue 19), and the reason is
// reported.
func TestAutoSkipsBackendThatIsNotReady(t *testing.T) {
	register(t, probeBackend{name: "cuda", err: errors.New("no device")})
	b, err := Get("auto")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name() != "cpu" {
		t.Fatalf(`Get("auto") = %s, want cpu when the only Prober is not ready`, b.Name())
	}
	_, skipped := Auto()
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "cuda") || !strings.Contains(skipped[0].Error(), "no device") {
		t.Fatalf("skipped = %v, want one error naming cuda and its reason", skipped)
	}
}

// A ready Prober of any name is chosen; Probers are tried in name order.
func TestAutoTakesFirstReadyProber(t *testing.T) {
	register(t, probeBackend{name: "accel-b"}, probeBackend{name: "accel-a", err: errors.New("absent")}, probeBackend{name: "accel-c"})
	b, skipped := Auto()
	if b.Name() != "accel-b" {
		t.Fatalf("Auto() = %s, want accel-b (accel-a not ready, accel-b before accel-c)", b.Name())
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "accel-a") {
		t.Fatalf("skipped = %v, want accel-a", skipped)
	}
	if _, err := Get("accel-a"); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Fatalf(`Get("accel-a") = %v, want the reason it cannot run`, err)
	}
	if _, err := Get("no-such"); err == nil || !strings.Contains(err.Error(), "accel-a") {
		t.Fatalf("Get of an unknown name: %v, want an error listing the registered backends", err)
	}
}

package vv

import (
	"context"
	"testing"

	"github.com/medtwin/medtwin/engine/verify"
)

func TestPhysiologyChecksPass(t *testing.T) {
	res := verify.Run(context.Background(), []string{"ode", "pk"}, false)
	if len(res) < 15 {
		t.Fatalf("only %d checks registered", len(res))
	}
	for _, r := range res {
		if !r.Pass {
			t.Errorf("%s/%s: %+v", r.Suite, r.Name, r)
		}
	}
}

//go:build cuda

package cuda

import (
	"fmt"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
)

// Acceptance (issue 20, item 5): model-language jobs as a trial mixes them
// (modelJobs: two models, two grids, declared outputs and other quantities,
// an infusion), compiled at run time by NVRTC in the worker and run by the
// generated kernel on the GPU, agree with the CPU backend within 1e-10 of
// each curve's scale. (The stiff-path job runs on the CPU, as it says.)
func TestGPUModelParity(t *testing.T) {
	mr, ok := gpu(t).(cohort.ModelRunner)
	if !ok {
		t.Fatal("the cuda backend does not run model-language jobs")
	}
	got, want := againstCPU(t, mr, len(modelJobs(t)))
	for j := range want {
		sameToScale(t, fmt.Sprintf("job %d", j), got[j].Values, want[j].Values, 1e-10)
	}
}

package fit

import (
	"math"
	"reflect"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// vpcCoverage is the fraction of (bin, quantile) cells whose observed
// percentile lies inside the simulated 90% interval of that percentile.
func vpcCoverage(v *VPC) float64 {
	in, n := 0, 0
	for _, b := range v.Bins {
		for q := range VPCQuantiles {
			n++
			if b.Obs[q] >= b.Sim[q][0] && b.Obs[q] <= b.Sim[q][2] {
				in++
			}
		}
	}
	return float64(in) / float64(n)
}

// TestPCVPC: data simulated from the model itself fall inside the pcVPC's
// intervals (about 90% of the cells by construction; at least 75% asked),
// while a model with clearance halved does not (below 50%); the same seed
// gives the same VPC on 1 and 2 cores (named streams per subject).
func TestPCVPC(t *testing.T) {
	truth := oralModel()
	ds := simulateDataSet(t, truth, 60, 11, 500, 1, 0, oralSampleTimes)
	if err := truth.Check(ds.Covariates); err != nil {
		t.Fatal(err)
	}
	v, err := truth.PCVPC(ds, 8, 200, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Bins) != 8 {
		t.Fatalf("%d bins, want 8", len(v.Bins))
	}
	good := vpcCoverage(v)
	prev := runtime.GOMAXPROCS(1)
	v1, err := truth.PCVPC(ds, 8, 200, 5)
	runtime.GOMAXPROCS(prev)
	if err != nil || !reflect.DeepEqual(v, v1) {
		t.Errorf("GOMAXPROCS 1 gives another VPC (%v)", err)
	}
	wrong := oralModel()
	wrong.Params[0].Typical /= 2
	if err := wrong.Check(ds.Covariates); err != nil {
		t.Fatal(err)
	}
	vw, err := wrong.PCVPC(ds, 8, 200, 5)
	if err != nil {
		t.Fatal(err)
	}
	bad := vpcCoverage(vw)
	t.Logf("coverage: true model %.2f, CL halved %.2f", good, bad)
	if good < 0.75 || bad > 0.5 {
		t.Errorf("coverage %.2f (true model, want >= 0.75), %.2f (CL halved, want <= 0.5)", good, bad)
	}
}

// TestPCVPCCorrection: with (almost) no variability every observation equals
// its PRED, so every prediction-corrected value is the bin's median PRED
// (Bergstrand et al. 2011, eq. 1: pcY = Y·PRED_bin/PRED).
func TestPCVPCCorrection(t *testing.T) {
	m := oralModel()
	m.Omega = mat.NewSymDense(3, []float64{1e-12, 0, 0, 0, 1e-12, 0, 0, 0, 1e-12})
	m.Error = ErrorModel{Kind: Additive, Add: 1e-9}
	ds := simulateDataSet(t, m, 5, 3, 500, 1, 0, oralSampleTimes)
	if err := m.Check(ds.Covariates); err != nil {
		t.Fatal(err)
	}
	v, err := m.PCVPC(ds, 4, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range v.Bins {
		for q := range VPCQuantiles {
			if math.Abs(b.Obs[q]-b.PredMedian) > 1e-4*b.PredMedian || math.Abs(b.Sim[q][1]-b.PredMedian) > 1e-4*b.PredMedian {
				t.Errorf("bin %g–%g h: quantile %d observed %g, simulated %g, PRED_bin %g", b.Lo, b.Hi, q, b.Obs[q], b.Sim[q][1], b.PredMedian)
			}
		}
	}
}

package cuda

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"unsafe"

	"github.com/medtwin/medtwin/physio/cohort"
)

// Parameter rows of the packed layout; the order is kernels.h's MT_KA..MT_KM.
const (
	pKA = iota
	pCL
	pV1
	pQ2
	pV2
	pQ3
	pV3
	pVMax
	pKM
	pNCmt
	pDepot
	nParam
)

// DefaultSubSteps is the number of RK4 steps per output-grid step of the
// nonlinear kernel: at the hourly grid of the reference cohort, steps of
// 1/32 h keep RK4 within 1e-7 relative of the CPU ODE path (see emu_test.go).
const DefaultSubSteps = 32

// Packed is subjects [lo, hi) of a cohort.Batch in the kernels' layout (what
// the CUDA worker receives):
// parameters subject-minor (P[q*n+i]), dose grid steps, and the
// subject-major output (Out[i*NT+h], outLen long), which the launch fills.
type Packed struct {
	N, NT, NCmt int
	DT          float64
	P           []float64
	DoseStep    []int32
	DoseAmt     float64
	Nonlinear   bool
	Sub         int
	Out         []float64
}

// pack lays out subjects [lo, hi) of b. Dose times become grid steps; the
// batch must already have passed its checks (cohort's CPU backend rules).
func pack(b *cohort.Batch, lo, hi int) (*Packed, error) {
	if lo < 0 || hi > b.Len() || lo >= hi {
		return nil, fmt.Errorf("cuda: subjects %d-%d of a batch of %d", lo, hi, b.Len())
	}
	n, nt := hi-lo, len(b.Times)
	if nt < 2 {
		return nil, fmt.Errorf("cuda: the output grid needs at least two times")
	}
	dt := b.Times[1] - b.Times[0]
	pk := &Packed{N: n, NT: nt, NCmt: b.NCmt, DT: dt, DoseAmt: b.DoseAmt, Nonlinear: b.Nonlinear(), Sub: DefaultSubSteps,
		P: make([]float64, nParam*n)}
	rows := [nParam][]float64{pKA: b.KA, pCL: b.CL, pV1: b.V1, pQ2: b.Q2, pV2: b.V2, pQ3: b.Q3, pV3: b.V3, pVMax: b.VMax, pKM: b.KM}
	for q, v := range rows {
		for i := 0; i < n && lo+i < len(v); i++ {
			pk.P[q*n+i] = v[lo+i]
		}
	}
	for i := 0; i < n; i++ {
		pk.P[pNCmt*n+i], pk.P[pDepot*n+i] = float64(b.NCmt), 1
	}
	for _, t := range b.DoseTimes {
		s := math.Round(t / dt)
		if math.Abs(t/dt-s) > 1e-9 || s < 0 || s > math.MaxInt32 {
			return nil, fmt.Errorf("cuda: dose at %v h is not on the output grid", t)
		}
		pk.DoseStep = append(pk.DoseStep, int32(s))
	}
	return pk, nil
}

// outLen is the number of outputs a launch fills (Out's length): the
// sender allocates Out only where the results do not arrive in shared
// memory.
func (pk *Packed) outLen() int { return pk.N * pk.NT }

// copyChunk is the number of float64s one core copies at a time.
const copyChunk = 1 << 20

// unpack copies the output (subject-major, as b.Conc) into b.Conc at
// subjects [lo, lo+N), large outputs split among the cores (a copy: the
// result does not depend on how it is divided).
func (pk *Packed) unpack(b *cohort.Batch, lo int) {
	dst := b.Conc[lo*pk.NT : (lo+pk.N)*pk.NT]
	parts := min(runtime.GOMAXPROCS(0), (len(dst)+copyChunk-1)/copyChunk)
	if parts <= 1 {
		copy(dst, pk.Out)
		return
	}
	var wg sync.WaitGroup
	for w := range parts {
		a, z := w*len(dst)/parts, (w+1)*len(dst)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			copy(dst[a:z], pk.Out[a:z])
		}()
	}
	wg.Wait()
}

// bytesPerSubject is the device memory a subject needs: its parameters and
// its output column.
func bytesPerSubject(nt int) int64 { return int64(nParam+nt) * 8 }

// chunks splits n subjects into contiguous ranges that fit a device memory
// budget (bytes, after the dose table), at most maxN subjects each.
func chunks(n, nt int, budget int64, maxN int) ([][2]int, error) {
	per := bytesPerSubject(nt)
	size := int(budget / per)
	if size > maxN {
		size = maxN
	}
	if size < 1 {
		return nil, fmt.Errorf("cuda: %d bytes of device memory hold no subject (%d bytes each)", budget, per)
	}
	var out [][2]int
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	return out, nil
}

// runChunked simulates b chunk by chunk with run (the device, or the CPU
// emulation) and fills b.Conc; a subject's numbers do not depend on its chunk.
func runChunked(b *cohort.Batch, budget int64, maxN int, run func(*Packed) error) error {
	nt := len(b.Times)
	if cap(b.Conc) >= b.Len()*nt {
		b.Conc = b.Conc[:b.Len()*nt]
	} else {
		b.Conc = make([]float64, b.Len()*nt)
	}
	parts, err := chunks(b.Len(), nt, budget, maxN)
	if err != nil {
		return err
	}
	for _, c := range parts {
		laps := StartLaps("batch of %d subjects x %d times", c[1]-c[0], nt)
		pk, err := pack(b, c[0], c[1])
		if err != nil {
			return err
		}
		laps.Lap("pack")
		if err := run(pk); err != nil {
			return err
		}
		laps.Lap("launch")
		pk.unpack(b, c[0])
		laps.Lap("unpack")
		laps.Done()
	}
	return nil
}

// f64s and i32s give the address and byte length of a slice's elements, for
// device copies and the C emulation (nil and 0 for an empty slice).
func f64s(v []float64) (unsafe.Pointer, int64) {
	if len(v) == 0 {
		return nil, 0
	}
	return unsafe.Pointer(&v[0]), int64(len(v)) * 8
}

func i32s(v []int32) (unsafe.Pointer, int64) {
	if len(v) == 0 {
		return nil, 0
	}
	return unsafe.Pointer(&v[0]), int64(len(v)) * 4
}

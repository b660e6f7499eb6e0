//go:build cuda

package device

import (
	"unsafe"

	"github.com/medtwin/medtwin/plugins/cuda"
	"gorgonia.org/cu"
)

// modelArch is the virtual architecture NVRTC compiles generated models for
// (that of kernels.ptx: sm_90, H100/H200; the driver JITs the PTX).
const modelArch = "--gpu-architecture=compute_90"

// CompileModel compiles a generated model's CUDA source (modlang.CUDASource)
// to PTX with NVRTC, at run time: no toolkit is needed on the user's
// machine beyond the driver and libnvrtc (opened when first needed,
// nvrtc.go). A compilation error carries NVRTC's log.
func CompileModel(source, name string) (string, error) {
	return nvrtcCompile(source, name+".cu", modelArch, "--fmad=false", "-default-device")
}

// modelKernel returns the kernel of a generated source, compiled and loaded
// once per source (on the context's thread).
func (d *Device) modelKernel(source, kernel string) (cu.Function, error) {
	if f, ok := d.models[source]; ok {
		return f, nil
	}
	ptx, err := CompileModel(source, kernel)
	if err != nil {
		return cu.Function{}, err
	}
	mod, err := cu.LoadData(ptx)
	if err != nil {
		return cu.Function{}, err
	}
	f, err := mod.Function(kernel)
	if err != nil {
		return cu.Function{}, err
	}
	if d.models == nil {
		d.models = map[string]cu.Function{}
	}
	d.models[source] = f
	return f, nil
}

// LaunchModel fills pm.Out on the device: the generated kernel, compiled by
// NVRTC on first use, one thread per subject.
func (d *Device) LaunchModel(pm *cuda.PackedModel) error {
	return d.on(func() error { return d.launchModel(pm) })
}

func (d *Device) launchModel(pm *cuda.PackedModel) (err error) {
	if pm.N == 0 || pm.NT == 0 {
		return nil
	}
	laps := cuda.StartLaps("device: %d model subjects x %d times", pm.N, pm.NT)
	pm.Room()
	fn, err := d.modelKernel(pm.Source, pm.Kernel)
	if err != nil {
		return err
	}
	laps.Lap("compile")
	var m devMem
	defer func() {
		if e := m.free(); e != nil && err == nil {
			err = e
		}
	}()
	ptr, err := m.upload(buf(f64s(pm.P)), buf(f64s(pm.Y0)), buf(i32s(pm.EvOff)), buf(f64s(pm.EvT)), buf(i32s(pm.EvKind)),
		buf(i32s(pm.EvIdx)), buf(f64s(pm.EvVal)), buf(f64s(pm.Times)), room(f64s(pm.Out)))
	if err != nil {
		return err
	}
	laps.Lap("upload")
	// cu copies 8 bytes per argument: integers go in int64s (little endian,
	// the kernel reads the low 4 bytes)
	n, nt, maxSteps := int64(pm.N), int64(pm.NT), int64(pm.MaxSteps)
	rtol, atol := pm.RTol, pm.ATol
	args := []unsafe.Pointer{unsafe.Pointer(&n)}
	for k := 0; k < 7; k++ {
		args = append(args, unsafe.Pointer(&ptr[k]))
	}
	args = append(args, unsafe.Pointer(&nt), unsafe.Pointer(&ptr[7]), unsafe.Pointer(&rtol), unsafe.Pointer(&atol), unsafe.Pointer(&maxSteps), unsafe.Pointer(&ptr[8]))
	dst, bytes := f64s(pm.Out)
	return finish(laps, fn, pm.N, args, dst, ptr[8], bytes)
}

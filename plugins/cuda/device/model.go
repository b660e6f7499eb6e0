//go:build cuda

package device

import (
	"fmt"
	"unsafe"

	"github.com/medtwin/medtwin/plugins/cuda"
	"gorgonia.org/cu"
	"gorgonia.org/cu/nvrtc"
)

// modelArch is the virtual architecture NVRTC compiles generated models for
// (that of kernels.ptx: sm_90, H100/H200; the driver JITs the PTX).
const modelArch = "--gpu-architecture=compute_90"

// CompileModel compiles a generated model's CUDA source (modlang.CUDASource)
// to PTX with NVRTC, at run time: no toolkit is needed on the user's
// machine beyond the driver and libnvrtc. A compilation error carries
// NVRTC's log.
func CompileModel(source, name string) (string, error) {
	prog, err := nvrtc.CreateProgram(source, name+".cu")
	if err != nil {
		return "", fmt.Errorf("nvrtc: %v", err)
	}
	defer prog.Destroy()
	if err := prog.Compile(modelArch, "--fmad=false", "-default-device"); err != nil {
		log, _ := prog.GetLog()
		return "", fmt.Errorf("nvrtc: compiling model %s: %v\n%s", name, err, log)
	}
	return prog.GetPTX()
}

// modelKernel returns the kernel of a generated source, compiled and loaded
// once per source (on the context's thread).
func (d *Device) modelKernel(source, kernel string) (cu.Function, error) {
	if f, ok := d.models[source]; ok {
		return f, nil
	}
	ptx, err := CompileModel(source, kernel)
	if err != nil {
		return cu.Function(0), err
	}
	mod, err := cu.LoadData(ptx)
	if err != nil {
		return cu.Function(0), err
	}
	f, err := mod.Function(kernel)
	if err != nil {
		return cu.Function(0), err
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
	fn, err := d.modelKernel(pm.Source, pm.Kernel)
	if err != nil {
		return err
	}
	var m devMem
	defer func() {
		if e := m.free(); e != nil && err == nil {
			err = e
		}
	}()
	var ptr [9]cu.DevicePtr
	for k, src := range []func() (unsafe.Pointer, int64){
		func() (unsafe.Pointer, int64) { return f64s(pm.P) },
		func() (unsafe.Pointer, int64) { return f64s(pm.Y0) },
		func() (unsafe.Pointer, int64) { return i32s(pm.EvOff) },
		func() (unsafe.Pointer, int64) { return f64s(pm.EvT) },
		func() (unsafe.Pointer, int64) { return i32s(pm.EvKind) },
		func() (unsafe.Pointer, int64) { return i32s(pm.EvIdx) },
		func() (unsafe.Pointer, int64) { return f64s(pm.EvVal) },
		func() (unsafe.Pointer, int64) { return f64s(pm.Times) },
		func() (unsafe.Pointer, int64) { _, n := f64s(pm.Out); return nil, n },
	} {
		p, n := src()
		if ptr[k], err = m.put(p, n); err != nil {
			return err
		}
	}
	// cu copies 8 bytes per argument: integers go in int64s (little endian,
	// the kernel reads the low 4 bytes)
	n, nt, maxSteps := int64(pm.N), int64(pm.NT), int64(pm.MaxSteps)
	rtol, atol := pm.RTol, pm.ATol
	args := []unsafe.Pointer{unsafe.Pointer(&n)}
	for k := 0; k < 7; k++ {
		args = append(args, unsafe.Pointer(&ptr[k]))
	}
	args = append(args, unsafe.Pointer(&nt), unsafe.Pointer(&ptr[7]), unsafe.Pointer(&rtol), unsafe.Pointer(&atol), unsafe.Pointer(&maxSteps), unsafe.Pointer(&ptr[8]))
	blocks := (pm.N + blockSize - 1) / blockSize
	if err := fn.Launch(blocks, 1, 1, blockSize, 1, 1, 0, cu.NoStream, args); err != nil {
		return err
	}
	if err := cu.Synchronize(); err != nil {
		return err
	}
	dst, bytes := f64s(pm.Out)
	return cu.MemcpyDtoH(dst, ptr[8], bytes)
}

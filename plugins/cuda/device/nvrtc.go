//go:build cuda

package device

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

// NVRTC's C API (nvrtc.h, stable from CUDA 7 to 13): nvrtcProgram is an
// opaque pointer and nvrtcResult an int enum, so the prototypes below need
// no header from the toolkit.
typedef int (*nvrtc_create_t)(void **, const char *, const char *, int, const char *const *, const char *const *);
typedef int (*nvrtc_compile_t)(void *, int, const char *const *);
typedef int (*nvrtc_size_t)(void *, size_t *);
typedef int (*nvrtc_get_t)(void *, char *);
typedef int (*nvrtc_destroy_t)(void **);
typedef const char *(*nvrtc_errstr_t)(int);

static nvrtc_create_t  mt_create;
static nvrtc_compile_t mt_compile;
static nvrtc_size_t    mt_ptx_size, mt_log_size;
static nvrtc_get_t     mt_ptx, mt_log;
static nvrtc_destroy_t mt_destroy;
static nvrtc_errstr_t  mt_errstr;

// mt_nvrtc_open loads NVRTC from path and resolves its functions; it returns
// NULL, or what failed (the library kept open only on success).
static const char *mt_nvrtc_open(const char *path) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) return dlerror();
#define SYM(v, name) if (!(*(void **)&v = dlsym(h, name))) { dlclose(h); return "a symbol is missing: " name; }
	SYM(mt_create, "nvrtcCreateProgram")
	SYM(mt_compile, "nvrtcCompileProgram")
	SYM(mt_ptx_size, "nvrtcGetPTXSize")
	SYM(mt_ptx, "nvrtcGetPTX")
	SYM(mt_log_size, "nvrtcGetProgramLogSize")
	SYM(mt_log, "nvrtcGetProgramLog")
	SYM(mt_destroy, "nvrtcDestroyProgram")
	SYM(mt_errstr, "nvrtcGetErrorString")
#undef SYM
	return NULL;
}

static int mt_nvrtc_create(void **prog, const char *src, const char *name) { return mt_create(prog, src, name, 0, NULL, NULL); }
static int mt_nvrtc_compile(void *prog, int n, char **opts) { return mt_compile(prog, n, (const char *const *)opts); }
static int mt_nvrtc_ptx_size(void *prog, size_t *n) { return mt_ptx_size(prog, n); }
static int mt_nvrtc_ptx(void *prog, char *buf) { return mt_ptx(prog, buf); }
static int mt_nvrtc_log_size(void *prog, size_t *n) { return mt_log_size(prog, n); }
static int mt_nvrtc_log(void *prog, char *buf) { return mt_log(prog, buf); }
static int mt_nvrtc_destroy(void **prog) { return mt_destroy(prog); }
static const char *mt_nvrtc_errstr(int r) { return mt_errstr(r); }
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"
)

// NVRTC is opened at run time (dlopen), not linked: linking it, as
// gorgonia.org/cu/nvrtc does (-lnvrtc), makes one toolkit's libnvrtc.so.N a
// load-time dependency of the worker, so the worker would not even start -
// built-in kernels included - on a machine whose driver came with another
// CUDA release (the GPU machines here have CUDA 13's libnvrtc.so.13; the
// worker is built against Debian's CUDA 11.8). The C API used here is
// unchanged across those releases. $MEDTWIN_NVRTC names the library when it
// is elsewhere.
var nvrtc struct {
	once sync.Once
	path string
	err  error
}

// nvrtcCandidates lists where NVRTC is looked for, in order.
func nvrtcCandidates() []string {
	var c []string
	if p := os.Getenv("MEDTWIN_NVRTC"); p != "" {
		c = append(c, p)
	}
	names := []string{"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"}
	c = append(c, names...)
	for _, env := range []string{"CUDA_HOME", "CUDA_PATH"} {
		if d := os.Getenv(env); d != "" {
			for _, n := range names {
				c = append(c, filepath.Join(d, "lib64", n))
			}
		}
	}
	for _, n := range names {
		c = append(c, filepath.Join("/usr/local/cuda/lib64", n))
	}
	return c
}

// loadNVRTC opens the first NVRTC found, once per process.
func loadNVRTC() error {
	nvrtc.once.Do(func() {
		var tried []string
		for _, p := range nvrtcCandidates() {
			cp := C.CString(p)
			msg := C.mt_nvrtc_open(cp)
			C.free(unsafe.Pointer(cp))
			if msg == nil {
				nvrtc.path = p
				return
			}
			tried = append(tried, C.GoString(msg))
		}
		nvrtc.err = fmt.Errorf("language models on the GPU are compiled at run time by NVRTC (libnvrtc.so from CUDA 11.2 or later, or the file named in $MEDTWIN_NVRTC), and none loaded:\n  %s", strings.Join(tried, "\n  "))
	})
	return nvrtc.err
}

// nvrtcError turns a non-zero nvrtcResult into an error.
func nvrtcError(what string, r C.int) error {
	return fmt.Errorf("nvrtc: %s: %s (%d)", what, C.GoString(C.mt_nvrtc_errstr(r)), int(r))
}

// nvrtcCompile compiles one CUDA C source to PTX with options; a
// compilation error carries NVRTC's log.
func nvrtcCompile(source, name string, opts ...string) (string, error) {
	if err := loadNVRTC(); err != nil {
		return "", err
	}
	csrc, cname := C.CString(source), C.CString(name)
	defer C.free(unsafe.Pointer(csrc))
	defer C.free(unsafe.Pointer(cname))
	var prog unsafe.Pointer
	if r := C.mt_nvrtc_create(&prog, csrc, cname); r != 0 {
		return "", nvrtcError("creating the program", r)
	}
	defer C.mt_nvrtc_destroy(&prog)
	copts := C.malloc(C.size_t(len(opts)+1) * C.size_t(unsafe.Sizeof(uintptr(0))))
	defer C.free(copts)
	arr := unsafe.Slice((**C.char)(copts), len(opts)+1)
	for k, o := range opts {
		arr[k] = C.CString(o)
		defer C.free(unsafe.Pointer(arr[k]))
	}
	if r := C.mt_nvrtc_compile(prog, C.int(len(opts)), (**C.char)(copts)); r != 0 {
		return "", fmt.Errorf("%v\n%s", nvrtcError("compiling "+name, r), nvrtcLog(prog))
	}
	var n C.size_t
	if r := C.mt_nvrtc_ptx_size(prog, &n); r != 0 {
		return "", nvrtcError("PTX size", r)
	}
	buf := make([]byte, int(n)+1)
	if r := C.mt_nvrtc_ptx(prog, (*C.char)(unsafe.Pointer(&buf[0]))); r != 0 {
		return "", nvrtcError("PTX", r)
	}
	return strings.TrimRight(string(buf), "\x00"), nil
}

// nvrtcLog is the program's compilation log ("" when it has none).
func nvrtcLog(prog unsafe.Pointer) string {
	var n C.size_t
	if C.mt_nvrtc_log_size(prog, &n) != 0 || n <= 1 {
		return ""
	}
	buf := make([]byte, int(n))
	if C.mt_nvrtc_log(prog, (*C.char)(unsafe.Pointer(&buf[0]))) != 0 {
		return ""
	}
	return strings.TrimRight(string(buf), "\x00")
}

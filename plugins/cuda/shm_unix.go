//go:build unix

package cuda

import (
	"os"
	"syscall"
)

// shmDir holds the shared output file: /dev/shm (memory) where there is one.
func shmDir() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

// newShmFile returns an unlinked file for the worker's outputs: the worker
// gets it as fd 3, and it vanishes with the last process that holds it, so a
// crash leaves nothing behind.
func newShmFile() (*os.File, error) {
	f, err := os.CreateTemp(shmDir(), "medtwin-cuda-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}

// mapShared maps the first n bytes of f, shared with the other process.
func mapShared(f *os.File, n int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}

func unmap(b []byte) error { return syscall.Munmap(b) }

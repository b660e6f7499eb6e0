//go:build linux

package cuda

import (
	"os"
	"syscall"
)

// fSetPipeSize is Linux's F_SETPIPE_SZ (fcntl.h).
const fSetPipeSize = 1031

// growPipe asks for a 1 MiB pipe buffer (the default unprivileged maximum,
// /proc/sys/fs/pipe-max-size) instead of 64 KiB, so that a launch's inputs
// cross in fewer, larger writes; where it is refused the pipe works as it is.
func growPipe(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, 1<<20) })
	}
}

package scripts

import (
	"fmt"
	"io"
	"os"
)

// maxSource bounds a scenario or trial spec file (64 MiB: far past any script).
const maxSource = 64 << 20

// readSource reads a scenario or trial spec: a regular file (a FIFO would
// block and /dev/zero never end) of at most maxSource bytes.
func readSource(path string) ([]byte, error) {
	// looked at before opening: opening a FIFO for reading already blocks
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSource+1))
	if err == nil && len(b) > maxSource {
		err = fmt.Errorf("%s is larger than %d bytes", path, maxSource)
	}
	return b, err
}

package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// readKey reads a secret key from file (when given) or else from the
// environment variable env; what names the key in errors. A key file must be a
// regular file that only its owner can read or write (mode 0600 or 0400): a key
// that others can read is no secret, so such a file is refused rather than
// used with a warning. Both the FHIR pseudonym key and the audit key come
// through here. It returns nil when neither is set.
func readKey(file, env, what string) ([]byte, error) {
	if file == "" {
		if v := os.Getenv(env); v != "" {
			return []byte(v), nil
		}
		return nil, nil
	}
	// looked at before opening: opening a FIFO for reading already blocks
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %s is not a regular file", what, file)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s: %s can be read or written by others (mode %04o); make it private with `chmod 600 %s`", what, file, perm, file)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return []byte(strings.TrimSpace(string(b))), nil
}

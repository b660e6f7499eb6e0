package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain lets a test run this test binary as the medtwin command itself
// (MEDTWIN_AS_MAIN=1), to kill it and interrupt it like a real process.
func TestMain(m *testing.M) {
	if os.Getenv("MEDTWIN_AS_MAIN") == "1" {
		main()
		return
	}
	// the tests' audit entries go to a log of their own, not the user's
	if os.Getenv("MEDTWIN_AUDIT_LOG") == "" {
		dir, err := os.MkdirTemp("", "medtwin-audit")
		if err != nil {
			panic(err)
		}
		os.Setenv("MEDTWIN_AUDIT_LOG", filepath.Join(dir, "audit.log"))
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

package main

import (
	"os"
	"testing"
)

// TestMain lets a test run this test binary as the medtwin command itself
// (MEDTWIN_AS_MAIN=1), to kill it and interrupt it like a real process.
func TestMain(m *testing.M) {
	if os.Getenv("MEDTWIN_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

//go:build cuda

package main

import (
	"github.com/medtwin/medtwin/plugins/cuda"
	"github.com/medtwin/medtwin/plugins/cuda/device"
)

// openDevice opens device 0 through gorgonia.org/cu (whose package init has
// already loaded the driver, or exited with its own message).
func openDevice() (cuda.Device, error) { return device.Open() }

//go:build !cuda

package main

import (
	"errors"

	"github.com/medtwin/medtwin/plugins/cuda"
)

// openDevice refuses: without the cuda build tag the worker has no driver
// code (`make cuda` builds the real one).
func openDevice() (cuda.Device, error) {
	return nil, errors.New("this medtwin-cuda-worker was built without the cuda build tag (make cuda)")
}

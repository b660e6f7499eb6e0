//go:build cuda

package main

import (
	_ "embed"

	"github.com/medtwin/medtwin/plugins/cuda"
)

// cudaWorker is cmd/medtwin-cuda-worker built with the cuda tag, which `make
// cuda` copies here (an ignored file) before it builds medtwin with the tag:
// one medtwin binary that carries its CUDA worker, writes it to the user's
// cache directory and starts it only when a device is asked for. medtwin
// itself links no CUDA either way (README, "GPU cohorts").
//
//go:embed medtwin-cuda-worker
var cudaWorker []byte

func init() { cuda.EmbeddedWorker = cudaWorker }

//go:build cuda

package main

// The CUDA backend registers itself as "cuda" when a device is present
// (`make cuda`; README, "GPU cohorts").
import _ "github.com/medtwin/medtwin/plugins/cuda"

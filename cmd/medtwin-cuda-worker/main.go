// Command medtwin-cuda-worker runs medtwin's CUDA kernels for a medtwin
// process that started it: it opens device 0, says hello on stdout and
// answers launch requests from stdin until stdin closes (plugins/cuda,
// protocol.go). It is the only program linked with gorgonia.org/cu and
// libcuda: medtwin starts it when a device is asked for (`--backend cuda`,
// or `auto`), so that medtwin itself runs on machines without a GPU. `make
// cuda` builds it (build tag cuda) and embeds it in bin/medtwin-cuda.
package main

import (
	"fmt"
	"os"

	"github.com/medtwin/medtwin/plugins/cuda"
)

func main() {
	dev, err := openDevice()
	if err != nil {
		cuda.Refuse(os.Stdout, err)
		os.Exit(1)
	}
	if err := cuda.Serve(os.Stdin, os.Stdout, dev); err != nil {
		fmt.Fprintf(os.Stderr, "medtwin-cuda-worker: %v\n", err)
		os.Exit(1)
	}
}

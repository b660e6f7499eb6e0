// Package device drives an NVIDIA GPU through gorgonia.org/cu for the CUDA
// worker (cmd/medtwin-cuda-worker). Its code needs the cuda build tag (and
// cuda.h and libcuda to build, `make cuda`); without the tag the package is
// empty. Only the worker imports it: medtwin never links libcuda.
package device

package main

import (
	"os/exec"
	"strings"
	"testing"
)

// medtwin never links gorgonia.org/cu, with or without the cuda build tag:
// cu's package init exits the process when no driver loads, and linking it
// makes libcuda a load-time dependency. Only the CUDA worker links it (which
// this test also checks, so that it would see cu if medtwin pulled it in).
func TestMedtwinLinksNoCUDA(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list dependencies with")
	}
	deps := func(tags, pkg string) string {
		args := []string{"list", "-e", "-deps", "-f", "{{.ImportPath}}"}
		if tags != "" {
			args = append(args, "-tags", tags)
		}
		out, err := exec.Command(gobin, append(args, pkg)...).Output()
		if err != nil {
			t.Fatalf("go list %s (tags %q): %v", pkg, tags, err)
		}
		return string(out)
	}
	const cu = "gorgonia.org/cu\n"
	for _, tags := range []string{"", "cuda"} {
		if strings.Contains(deps(tags, "github.com/medtwin/medtwin/cmd/medtwin"), cu) {
			t.Errorf("medtwin built with tags %q imports gorgonia.org/cu", tags)
		}
	}
	if !strings.Contains(deps("cuda", "github.com/medtwin/medtwin/cmd/medtwin-cuda-worker"), cu) {
		t.Errorf("the CUDA worker built with the cuda tag does not import gorgonia.org/cu: the check above proves nothing")
	}
}

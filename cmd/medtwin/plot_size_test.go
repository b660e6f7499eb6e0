package main

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// plot's --width/--height (inches) and --dpi set a PNG's pixels: 5 × 3 in at
// 200 dpi is 1000 × 600; the default stays 7 × 4.5 in at 96 dpi, 672 × 432.
func TestPlotSizeAndDPI(t *testing.T) {
	dir := t.TempDir()
	sweep := filepath.Join(dir, "sweep")
	if _, errs, code := medtwin(t, "sweep", "../../scenarios/mmc.lua", "--set", "customers=200", "--warmup", "0", "--replications", "2",
		"--quiet", "--grid", "servers=2,3", "--out", sweep); code != 0 {
		t.Fatal(errs)
	}
	for _, c := range []struct {
		args []string
		w, h int
	}{
		{nil, 672, 432},
		{[]string{"--width", "5", "--height", "3", "--dpi", "200"}, 1000, 600},
	} {
		out := filepath.Join(dir, "p.png")
		args := append([]string{"plot", "sweep", filepath.Join(sweep, "sweep.arrow"), "--kpi", "wait_h", "--x", "servers", "--out", out}, c.args...)
		if _, errs, code := medtwin(t, args...); code != 0 {
			t.Fatal(errs)
		}
		f, _ := os.Open(out)
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != c.w || cfg.Height != c.h {
			t.Errorf("%v: %d × %d (%v), want %d × %d", c.args, cfg.Width, cfg.Height, err, c.w, c.h)
		}
	}
	if _, _, code := medtwin(t, "plot", "sweep", filepath.Join(sweep, "sweep.arrow"), "--kpi", "wait_h", "--x", "servers",
		"--out", filepath.Join(dir, "q.png"), "--dpi", "0"); code != 2 {
		t.Errorf("--dpi 0: exit %d, want 2", code)
	}
}

package scripts

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// MMcThroughput runs `customers` customers of an M/M/c scenario (one that
// declares a `customers` parameter, like scenarios/mmc.lua) in one replication
// without warm-up and returns customers per simulated-run wall second. The
// build is not timed. It is the Lua benchmark `medtwin bench lua` reports.
func MMcThroughput(path string, customers int) (float64, error) {
	sc, err := Load(path, time.Minute)
	if err != nil {
		return 0, err
	}
	if err := sc.Set("customers=" + strconv.Itoa(customers)); err != nil {
		return 0, err
	}
	sc.Horizon, sc.Warmup = math.Inf(1), 0
	ctx, cancel := WithLimits(context.Background(), 30*time.Minute, 0)
	defer cancel()
	s := engine.New(engine.Options{Seed: 1, Context: ctx}) // the kernel checks ctx
	defer s.Close()
	if err := sc.build(ctx, s, true); err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := s.Run(math.Inf(1)); err != nil {
		return 0, err
	}
	return float64(customers) / time.Since(t0).Seconds(), nil
}

package scripts

import (
	"context"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// EventRate runs one replication of a scenario on its defaults (and the given
// --set assignments) and returns kernel events fired per wall second of the run
// (the build is not timed) and the number of events.
func EventRate(path string, sets ...string) (float64, uint64, error) {
	sc, err := Load(path, time.Minute)
	if err != nil {
		return 0, 0, err
	}
	for _, a := range sets {
		if err := sc.Set(a); err != nil {
			return 0, 0, err
		}
	}
	ctx, cancel := WithLimits(context.Background(), 30*time.Minute, 0)
	defer cancel()
	s := engine.New(engine.Options{Seed: sc.Seed})
	defer s.Close()
	if err := s.Warmup(sc.Warmup); err != nil {
		return 0, 0, err
	}
	if err := sc.Build(ctx, s); err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	if err := s.Run(sc.Horizon); err != nil {
		return 0, 0, err
	}
	return float64(s.Fired()) / time.Since(t0).Seconds(), s.Fired(), nil
}

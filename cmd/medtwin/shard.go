package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// shard is a 0-based slice i of n of a run.
type shard struct{ I, N int }

func (s shard) String() string { return fmt.Sprintf("%d/%d", s.I+1, s.N) }

// parseShard reads --shard "i/n" (1-based i). Without the flag it defaults from
// a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, JOB_COMPLETIONS) or a Slurm
// array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT), both 0-based; else 1/1.
func parseShard(flag string) (shard, error) {
	if flag != "" {
		a, b, ok := strings.Cut(flag, "/")
		i, err1 := strconv.Atoi(a)
		n, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
			return shard{}, usagef("--shard %q: want i/n with 1 <= i <= n (e.g. 2/4)", flag)
		}
		return shard{i - 1, n}, nil
	}
	for _, env := range [][2]string{{"JOB_COMPLETION_INDEX", "JOB_COMPLETIONS"}, {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"}} {
		is, ns := os.Getenv(env[0]), os.Getenv(env[1])
		if is == "" || ns == "" {
			continue
		}
		i, err1 := strconv.Atoi(is)
		n, err2 := strconv.Atoi(ns)
		if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
			return shard{}, usagef("%s=%q %s=%q: want 0 <= index < count", env[0], is, env[1], ns)
		}
		return shard{i, n}, nil
	}
	return shard{0, 1}, nil
}

// span returns the contiguous range [lo, hi) of total items that the shard runs.
func (s shard) span(total int) (int, int) {
	return total * s.I / s.N, total * (s.I + 1) / s.N
}

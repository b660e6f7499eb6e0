package verify

import "github.com/medtwin/medtwin/engine/stats"

func summarize(xs []float64) stats.Summary { return stats.Summarize(xs, 0.95) }

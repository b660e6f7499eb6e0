package main

import (
	"sort"

	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/scripts"
)

// trialOut is what `trial --json` prints: per arm and endpoint the mean with
// its 95% CI and the 5th, 50th and 95th percentiles; the probability of target
// attainment per arm with its 95% Wilson interval; the power when the spec
// asks for replicate trials.
type trialOut struct {
	Name       string
	Subjects   int
	Seed       uint64
	Arms       []string
	Results    string
	Endpoints  []trialEndpoint
	Attainment []trialAttainment
	Power      []trialPower
}

type trialEndpoint struct {
	Arm, Endpoint       string
	Mean, CILow, CIHigh float64
	P5, Median, P95     float64
}

type trialAttainment struct {
	Arm           string
	Subjects      int
	Met           int
	Rate          float64
	CILow, CIHigh float64
}

type trialPower struct {
	Arm                 string
	Replicates          int
	MeanDiff            float64
	Power               float64
	PowerLow, PowerHigh float64
	SignificantlyLower  float64
}

func trialJSON(tr *scripts.Trial, res []scripts.SubjectResult, path string, pw []scripts.ArmPower) trialOut {
	out := trialOut{Name: tr.Name, Subjects: tr.Subjects, Seed: tr.Seed, Arms: tr.Arms, Results: path,
		Endpoints: []trialEndpoint{}, Attainment: []trialAttainment{}, Power: []trialPower{}}
	byArm := make([][]scripts.SubjectResult, len(tr.Arms))
	for _, r := range res {
		byArm[r.Arm] = append(byArm[r.Arm], r)
	}
	for a, rs := range byArm {
		for k := range tr.Endpoints {
			out.Endpoints = append(out.Endpoints, endpointStats(tr, a, k, rs))
		}
		if tr.Target.Endpoint != "" {
			k := 0
			for _, r := range rs {
				if r.TargetMet {
					k++
				}
			}
			lo, hi := stats.Wilson(k, len(rs))
			out.Attainment = append(out.Attainment, trialAttainment{Arm: tr.Arms[a], Subjects: len(rs), Met: k,
				Rate: float64(k) / float64(len(rs)), CILow: lo, CIHigh: hi})
		}
	}
	for _, p := range pw {
		lo, hi := stats.Wilson(p.Higher, p.Replicates)
		out.Power = append(out.Power, trialPower{Arm: tr.Arms[p.Arm], Replicates: p.Replicates, MeanDiff: p.MeanDiff,
			Power: float64(p.Higher) / float64(p.Replicates), PowerLow: lo, PowerHigh: hi,
			SignificantlyLower: float64(p.Lower) / float64(p.Replicates)})
	}
	return out
}

// endpointStats summarises endpoint k over the subjects rs of arm a: the mean
// with its 95% CI and the 5th, 50th and 95th percentiles.
func endpointStats(tr *scripts.Trial, a, k int, rs []scripts.SubjectResult) trialEndpoint {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = r.Endpoints[k]
	}
	s := stats.Summarize(v, 0.95)
	sort.Float64s(v)
	return trialEndpoint{Arm: tr.Arms[a], Endpoint: tr.Endpoints[k].Name, Mean: s.Mean, CILow: s.Low, CIHigh: s.High,
		P5: stats.Quantile(0.05, v), Median: stats.Quantile(0.5, v), P95: stats.Quantile(0.95, v)}
}

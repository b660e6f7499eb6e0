package main

import (
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/physio/trial"
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

func trialJSON(tr *trial.Spec, res []trial.Result, path string, pw []trial.ArmPower) trialOut {
	arms := make([]string, len(tr.Arms))
	for a, arm := range tr.Arms {
		arms[a] = arm.Name
	}
	out := trialOut{Name: tr.Name, Subjects: tr.Subjects, Seed: tr.Seed, Arms: arms, Results: path,
		Endpoints: []trialEndpoint{}, Attainment: []trialAttainment{}, Power: []trialPower{}}
	for _, e := range tr.Summaries(res) {
		out.Endpoints = append(out.Endpoints, trialEndpoint{Arm: arms[e.Arm], Endpoint: tr.Endpoints[e.Endpoint].Name,
			Mean: e.Mean.Mean, CILow: e.Mean.Low, CIHigh: e.Mean.High, P5: e.P5, Median: e.Median, P95: e.P95})
	}
	byArm := make([][]trial.Result, len(tr.Arms))
	for _, r := range res {
		byArm[r.Arm] = append(byArm[r.Arm], r)
	}
	for a, rs := range byArm {
		if tr.Target.Endpoint != "" {
			k := 0
			for _, r := range rs {
				if r.TargetMet {
					k++
				}
			}
			lo, hi := stats.Wilson(k, len(rs))
			out.Attainment = append(out.Attainment, trialAttainment{Arm: arms[a], Subjects: len(rs), Met: k,
				Rate: float64(k) / float64(len(rs)), CILow: lo, CIHigh: hi})
		}
	}
	for _, p := range pw {
		lo, hi := stats.Wilson(p.Higher, p.Replicates)
		out.Power = append(out.Power, trialPower{Arm: arms[p.Arm], Replicates: p.Replicates, MeanDiff: p.MeanDiff,
			Power: float64(p.Higher) / float64(p.Replicates), PowerLow: lo, PowerHigh: hi,
			SignificantlyLower: float64(p.Lower) / float64(p.Replicates)})
	}
	return out
}

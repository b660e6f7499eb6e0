package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/fit"
	"github.com/urfave/cli/v2"
)

// checkpointFile is where a FOCE-I or SAEM fit keeps its state after every
// iteration (in the output directory), for --resume.
const checkpointFile = "fit.checkpoint.json"

// fitCheckpoint is fit.checkpoint.json: the fit's state with the hashes of
// the spec and data set it belongs to.
type fitCheckpoint struct {
	SpecSHA256 string          `json:"spec_sha256"`
	DataSHA256 string          `json:"data_sha256"`
	State      *fit.Checkpoint `json:"state"`
}

// checkpointOptions makes a FOCE-I or SAEM fit write its checkpoint after every
// iteration (atomically: an interrupted write leaves the previous one) and,
// with --resume, start from the one in out, refused when it belongs to
// another spec or data set.
func checkpointOptions(c *cli.Context, opt *fit.PopOptions, out, specSHA256, dataSHA256 string) error {
	path := filepath.Join(out, checkpointFile)
	if c.Bool("resume") {
		raw, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--resume: no %s in %s: nothing to resume (run without --resume)", checkpointFile, out)
		}
		if err != nil {
			return err
		}
		var cp fitCheckpoint
		if err := json.Unmarshal(raw, &cp); err != nil || cp.State == nil {
			return fmt.Errorf("--resume: %s is not a fit checkpoint: %v", path, err)
		}
		if cp.SpecSHA256 != specSHA256 || cp.DataSHA256 != dataSHA256 {
			return fmt.Errorf("--resume: %s belongs to another spec or data set (their SHA-256 differ); run without --resume to start afresh", path)
		}
		if cp.State.Method != c.String("method") {
			return fmt.Errorf("--resume: %s is a checkpoint of a %s fit, not %s; run without --resume to start afresh", path, cp.State.Method, c.String("method"))
		}
		opt.Resume = cp.State
		if cp.State.Method == "saem" {
			fmt.Fprintf(c.App.ErrWriter, "fit saem: resuming after iteration %d\n", cp.State.Iteration)
		} else {
			fmt.Fprintf(c.App.ErrWriter, "fit foce-i: resuming after iteration %d (OFV %.4f)\n", cp.State.Iteration, cp.State.F)
		}
	}
	opt.Checkpoint = func(st *fit.Checkpoint) error {
		return results.WriteFileAtomic(path, jsonBytes(fitCheckpoint{SpecSHA256: specSHA256, DataSHA256: dataSHA256, State: st}))
	}
	return nil
}

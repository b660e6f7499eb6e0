package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// FileInfo describes one output file in the manifest.
type FileInfo struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Manifest is manifest.json: what was run, when, where, and what it wrote. It is
// the one place wall-clock time and host information go.
type Manifest struct {
	Medtwin      string            `json:"medtwin_version"`
	Command      []string          `json:"command"`
	Scenario     string            `json:"scenario"`
	ScenarioSHA  string            `json:"scenario_sha256"`
	Params       map[string]string `json:"params"`
	Seed         uint64            `json:"seed"`
	Replications [2]int            `json:"replications"`
	Total        int               `json:"replications_total"`
	Shard        string            `json:"shard"`
	Started      time.Time         `json:"started_at"`
	Finished     time.Time         `json:"finished_at"`
	WallSeconds  float64           `json:"wall_s"`
	Host         string            `json:"host"`
	GoVersion    string            `json:"go_version"`
	GOMAXPROCS   int               `json:"gomaxprocs"`
	Files        []FileInfo        `json:"files"`
}

// NewManifest fills the manifest from the provenance and the host.
func NewManifest(p Provenance, started time.Time) *Manifest {
	host, _ := os.Hostname()
	shard := p.Shard
	if shard == "" {
		shard = "1/1"
	}
	return &Manifest{
		Medtwin: p.Version, Command: os.Args, Scenario: p.Scenario, ScenarioSHA: p.ScenarioSHA256,
		Params: p.Params, Seed: p.Seed, Replications: [2]int{p.From, p.To}, Total: p.Total, Shard: shard,
		Started: started.UTC(), Host: host, GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

// Write hashes the files, stamps the finish time and writes dir/manifest.json.
// The directory then holds what the manifest lists: outputs of an earlier
// command in it that this one did not write are removed (RemoveStale), and so
// are the temporary files of killed commands (RemoveTemps); other files stay.
func (m *Manifest) Write(dir string, files []string) error {
	RemoveTemps(dir)
	if err := RemoveStale(dir, append(files[:len(files):len(files)], "manifest.json")); err != nil {
		return err
	}
	m.Files = m.Files[:0]
	for _, f := range files {
		info, err := HashFile(f)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, info)
	}
	m.Finished = time.Now().UTC()
	m.WallSeconds = m.Finished.Sub(m.Started).Seconds()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "manifest.json"), append(data, '\n'))
}

// HashFile returns the size and SHA-256 of a file.
func HashFile(path string) (FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileInfo{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileInfo{}, err
	}
	return FileInfo{Name: filepath.Base(path), Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

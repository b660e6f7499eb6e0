package plan

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/medtwin/medtwin/engine/results"
)

// MergeSweeps joins the parts of a sweep run as shards into out/sweep.arrow,
// byte-identical to the sweep run on one machine.
func MergeSweeps(out string, dirs []string) (string, error) {
	byCombo := map[int]string{}
	var total int
	var first map[string]string
	var cols []results.Column
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "parts", "combo-*.arrow"))
		for _, f := range files {
			t, err := results.Read(f)
			if err != nil {
				return "", err
			}
			md := t.Meta()
			var k, k1, n int
			if _, err := fmt.Sscanf(md["medtwin.combos"], "%d-%d of %d", &k, &k1, &n); err != nil {
				t.Release()
				return "", fmt.Errorf("merge: %s is not a sweep part", f)
			}
			if first == nil {
				first, total = md, n
				for _, fl := range t.Schema.Fields() {
					cols = append(cols, results.Column{Name: fl.Name, Type: fl.Type})
				}
			} else if md["medtwin.grid"] != first["medtwin.grid"] || md["medtwin.scenario_sha256"] != first["medtwin.scenario_sha256"] ||
				md["medtwin.seed"] != first["medtwin.seed"] || n != total {
				t.Release()
				return "", fmt.Errorf("merge: %s belongs to another sweep", f)
			}
			t.Release()
			byCombo[k] = f
		}
	}
	if first == nil {
		return "", fmt.Errorf("merge: no sweep parts found under %v", dirs)
	}
	var missing []int
	paths := make([]string, 0, total)
	for k := 0; k < total; k++ {
		p, ok := byCombo[k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		paths = append(paths, p)
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("merge: combinations %v of %d are missing", missing, total)
	}
	meta := map[string]string{}
	for k, v := range first {
		meta[k] = v
	}
	meta["medtwin.combos"] = fmt.Sprintf("0-%d of %d", total, total)
	meta["medtwin.shard"] = "1/1"
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(out, "sweep.arrow")
	return path, results.Concat(path, paths, cols, meta)
}

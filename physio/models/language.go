package models

import "sync"

// Retired names the built-in models that are built from their model-language
// files (physio/modlang's library) instead of their Go code: those whose
// file agrees with the Go version (right-hand side and outputs within 1e-12
// relative, physio/modlang's TestLibraryMatches*) and whose swap leaves the
// shipped scenarios' outputs byte-identical. The Go code stays as the
// reference those tests compare against.
var Retired = map[string]bool{"bergman": true, "inflammation": true, "vancomycin": true, "windkessel": true}

var (
	langMu    sync.Mutex
	langBuild func(name string, params map[string]float64) (Model, error)
)

// RegisterLanguage installs the builder of model-language library models
// (physio/modlang registers it in its init, the database/sql pattern: this
// package cannot import the language, which imports it).
func RegisterLanguage(build func(name string, params map[string]float64) (Model, error)) {
	langMu.Lock()
	defer langMu.Unlock()
	langBuild = build
}

// fromLanguage builds a retired model from its file, when the language is
// linked in.
func fromLanguage(name string, params map[string]float64) (Model, bool, error) {
	langMu.Lock()
	build := langBuild
	langMu.Unlock()
	if !Retired[name] || build == nil {
		return nil, false, nil
	}
	m, err := build(name, params)
	return m, true, err
}

package models

import "sync"

// Retired names the built-in models that are built from their model-language
// files (physio/modlang's library) instead of their Go code: those whose
// file agrees with the Go version (right-hand side and outputs within 1e-12
// relative, physio/modlang's TestLibraryMatches*) and whose swap leaves the
// shipped scenarios' outputs byte-identical. The Go code stays as the
// reference those tests compare against.
var Retired = map[string]bool{"bergman": true, "inflammation": true, "pk": true, "vancomycin": true, "windkessel": true}

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
	if err == nil {
		err = Validate(name, paramValues(m))
	}
	return m, true, err
}

// Validate checks parameter values of a built-in model against the
// constraints its Go version states beyond a value each (pk: volumes > 0,
// clearances and rates >= 0, km > 0 wherever vmax > 0), which a model file
// cannot declare: models.New applies it to a retired model, and the
// model-language patient before it keeps a change (Set). params holds every
// parameter; nil is returned for a model with no such constraints.
func Validate(name string, params map[string]float64) error {
	r, ok := registry[name]
	if !ok {
		return nil
	}
	p := map[string]float64{}
	for k, v := range params {
		p[k] = v
	}
	if v, ok := r.make(p).(validator); ok {
		return v.validate()
	}
	return nil
}

// paramValues is a model's parameters by name.
func paramValues(m Model) map[string]float64 {
	p := map[string]float64{}
	for _, q := range m.Info().Params {
		p[q.Name] = q.Value
	}
	return p
}

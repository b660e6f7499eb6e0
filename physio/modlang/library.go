package modlang

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
)

// The built-in models, one model file each with its citation (see ParseFile).
//
//go:embed library/*.model
var libraryFS embed.FS

var (
	libOnce  sync.Once
	libNames []string
)

// LibraryNames returns the names of the built-in models, sorted.
func LibraryNames() []string {
	libOnce.Do(func() {
		entries, _ := libraryFS.ReadDir("library")
		for _, e := range entries {
			libNames = append(libNames, strings.TrimSuffix(e.Name(), ".model"))
		}
		sort.Strings(libNames)
	})
	return libNames
}

// LibrarySource returns the model file of a built-in model, which a user can
// copy and edit (as mrgsolve's modlib).
func LibrarySource(name string) (string, error) {
	b, err := libraryFS.ReadFile(path.Join("library", name+".model"))
	if err != nil {
		return "", fmt.Errorf("no built-in model %q%s (built-in: %s)", name, suggest(name, LibraryNames()), strings.Join(LibraryNames(), ", "))
	}
	return string(b), nil
}

// Library parses and compiles a built-in model.
func Library(name string) (*Model, error) {
	src, err := LibrarySource(name)
	if err != nil {
		return nil, err
	}
	s, err := ParseFile("library/"+name+".model", src)
	if err != nil {
		return nil, err
	}
	return Compile(s)
}

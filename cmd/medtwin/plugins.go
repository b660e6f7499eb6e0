package main

// Plugins register themselves in init (the database/sql driver pattern); only
// cmd imports them.
import (
	_ "github.com/medtwin/medtwin/plugins/cuda" // the "cuda" cohort backend: a CUDA worker process, started when asked for
	_ "github.com/medtwin/medtwin/plugins/fhir" // the "fhir" patient importer
)

package engine

import "os"

func makeTemp() (string, error) { return os.MkdirTemp("", "medtwin-floor-") }

// Package results writes and reads medtwin's output: Arrow IPC files (Feather v2)
// that pyarrow, polars, DuckDB, R and Arrow JS read, plus a manifest.json.
//
// Every file is written under a temporary name in its final directory and
// renamed when complete and synced, so a crash never leaves a truncated file
// under a final name. Rows are buffered into record batches of a fixed size, and
// a batch of a run's table ends where the rows of the next block of RepsPerBatch
// replications begin, so the bytes of a file depend only on its rows: the same
// rows give the same file, however the run was split into shards.
// No wall-clock time goes into the Arrow files; it goes to the manifest.
package results

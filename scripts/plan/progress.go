package plan

import "context"

type progressKey struct{}

// WithProgress returns a context under which every replication that plan
// runs (Compare, Optimizer, Replicate, Evaluate) calls f once when it
// finishes, so that a caller can show progress without plan printing.
func WithProgress(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

func progressOf(ctx context.Context) func() {
	if f, ok := ctx.Value(progressKey{}).(func()); ok && f != nil {
		return f
	}
	return func() {}
}

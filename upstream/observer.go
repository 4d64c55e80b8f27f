package upstream

import (
	"context"
	"time"
)

// Observer hears of the upstream calls the client makes: the one way an
// attempt's facts leave the client, for a request's record, metrics and
// traces alike. Its methods run on the callers' goroutines and must be quick.
type Observer interface {
	// Attempt reports an attempt once its answer has been read (or it
	// failed). ctx is the caller's: whatever the caller put in it (the
	// record of the request the call is made for, say) is there.
	Attempt(ctx context.Context, a Attempt)
	// InFlight reports attempts starting (+1) and ending (-1).
	InFlight(delta int)
}

// Attempt is one attempt at an upstream call.
type Attempt struct {
	Op       string // the spec's operationId
	Retry    bool   // not the call's first attempt
	Status   int    // the answer's HTTP status; 0 when none came
	Err      error  // why no answer came
	Duration time.Duration
}

type noObserver struct{}

func (noObserver) Attempt(context.Context, Attempt) {}
func (noObserver) InFlight(int)                     {}

package loader

import (
	"context"
	"runtime"
	"testing"
	"time"
)

type testKey struct{}

// A call's contexts, derived under values of their own as the upstream
// client derives each attempt's, end with the request's lifetime and start
// no goroutine to watch it.
func TestCallContextsFollowTheLifetimeWithoutAGoroutineEach(t *testing.T) {
	life, end := context.WithCancel(context.Background())
	execution, stop := context.WithCancel(WithLifetime(context.WithoutCancel(life), life))
	defer stop()
	ctx, cancel := callContext(execution)
	defer cancel()

	before := runtime.NumGoroutine()
	var attempts []context.Context
	for range 100 {
		attempt, cancelAttempt := context.WithTimeout(context.WithValue(ctx, testKey{}, 1), time.Minute)
		defer cancelAttempt()
		attempts = append(attempts, attempt)
	}
	if n := runtime.NumGoroutine() - before; n > 10 {
		t.Errorf("100 attempts started %d goroutines", n)
	}
	end()
	for i, attempt := range attempts {
		select {
		case <-attempt.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("attempt %d did not end with the lifetime", i)
		}
	}
	if execution.Err() != nil {
		t.Error("the execution's own context ended with the lifetime")
	}
}

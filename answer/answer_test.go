package answer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/answer"
)

func passThrough(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) }

func resolveTo(v any) graphql.Resolver {
	return func(context.Context) (any, error) { return v, nil }
}

// The field that passes the values limit gets RESPONSE_TOO_LARGE, every
// field after it is cut without a resolver call, and the meter says so.
func TestTheFieldPastTheLimitCutsTheAnswer(t *testing.T) {
	m := answer.New(answer.Limits{Values: 10, Bytes: 1 << 20, Errors: 100}, context.Background())
	defer m.Close()
	resolve := m.Wrap(passThrough)
	ctx := context.Background()
	for i := range 9 {
		if _, err := resolve(ctx, resolveTo("x")); err != nil {
			t.Fatalf("field %d: %v", i, err)
		}
	}
	if _, err := resolve(ctx, resolveTo([]string{"a", "b"})); err == nil || m.Overflow() == nil || m.Overflow().Extensions["code"] != "RESPONSE_TOO_LARGE" {
		t.Fatalf("the field past the limit: %v, overflow %v", err, m.Overflow())
	}
	calls := 0
	counting := func(context.Context) (any, error) { calls++; return "x", nil }
	for range 1000 {
		if _, err := resolve(ctx, counting); !answer.Silent(err) {
			t.Fatalf("a field after the cut: %v", err)
		}
	}
	if calls != 0 {
		t.Errorf("%d resolvers ran after the cut", calls)
	}
}

// Bytes are charged at least what the JSON takes, never more: a string is
// its length and quotes, with 4 for the member's name around it.
func TestBytesAreChargedAsWritten(t *testing.T) {
	m := answer.New(answer.Limits{Values: 1000, Bytes: 1000, Errors: 100}, context.Background())
	defer m.Close()
	resolve := m.Wrap(passThrough)
	long := string(make([]byte, 900))
	if _, err := resolve(context.Background(), resolveTo(long)); err != nil {
		t.Fatal(err)
	}
	if values, bytes := m.Charged(); values != 1 || bytes != 906 {
		t.Errorf("charged %d values, %d bytes", values, bytes)
	}
	type enum string
	if _, err := resolve(context.Background(), resolveTo([]enum{"a", "b", "c"})); err != nil {
		t.Fatal(err)
	}
	if _, err := resolve(context.Background(), resolveTo(long)); err == nil {
		t.Error("a field past the bytes was not cut")
	}
}

// When the request's deadline passes, the fields left are cut: the first
// Limits.Errors say so with REQUEST_TIMEOUT, the rest are silent and
// counted, and none runs its resolver.
func TestTheDeadlineCutsWhatIsLeft(t *testing.T) {
	life, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	m := answer.New(answer.Limits{Values: 1 << 20, Bytes: 1 << 30, Errors: 3}, life)
	defer m.Close()
	<-life.Done()
	resolve := m.Wrap(passThrough)
	var codes []any
	cut, ranAfter := 0, 0
	for cut < 10 {
		_, err := resolve(context.Background(), func(context.Context) (any, error) {
			if cut > 0 {
				ranAfter++
			}
			return "x", nil
		})
		var gqlErr *gqlerror.Error
		switch {
		case err == nil: // the AfterFunc that cuts has not run yet
			time.Sleep(time.Millisecond)
			continue
		case answer.Silent(err):
		case errors.As(err, &gqlErr):
			codes = append(codes, gqlErr.Extensions["code"])
		default:
			t.Fatal(err)
		}
		cut++
	}
	if ranAfter > 0 {
		t.Errorf("%d resolvers ran after the cut", ranAfter)
	}
	if len(codes) != 3 || codes[0] != "REQUEST_TIMEOUT" || m.Silenced() != 7 {
		t.Errorf("codes %v, %d silenced", codes, m.Silenced())
	}
}

// A caller gone: every field left is cut without an error, as no one reads
// them.
func TestACallerGoneCutsSilently(t *testing.T) {
	life, cancel := context.WithCancel(context.Background())
	m := answer.New(answer.Limits{Values: 100, Bytes: 1 << 20, Errors: 100}, life)
	defer m.Close()
	cancel()
	resolve := m.Wrap(passThrough)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := resolve(context.Background(), resolveTo("x"))
		if answer.Silent(err) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("not cut: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
}

// Fields resolve on many goroutines: the meter counts them all.
func TestConcurrentFieldsAreAllCharged(t *testing.T) {
	m := answer.New(answer.Limits{Values: 1 << 20, Bytes: 1 << 30, Errors: 100}, context.Background())
	defer m.Close()
	resolve := m.Wrap(passThrough)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				_, _ = resolve(context.Background(), resolveTo(true))
			}
		})
	}
	wg.Wait()
	if values, _ := m.Charged(); values != 8000 {
		t.Errorf("charged %d values, want 8000", values)
	}
}

// BenchmarkMeter is the meter's cost per field, the price of charging
// every value of every answer.
func BenchmarkMeter(b *testing.B) {
	m := answer.New(answer.Limits{Values: 1 << 62, Bytes: 1 << 62, Errors: 100}, context.Background())
	defer m.Close()
	resolve := m.Wrap(passThrough)
	s := "Developer Portal"
	values := []any{"acme", &s, 42, true, []string{"a", "b"}, struct{}{}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_, _ = resolve(context.Background(), resolveTo(values[i%len(values)]))
			i++
		}
	})
}

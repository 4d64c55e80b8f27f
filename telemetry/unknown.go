package telemetry

import (
	"errors"
	"log/slog"
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// unknownValue is an error that reports an enum value GitBook sent and the
// schema does not list (graph/model.UnknownValueError), told apart by its
// method so that telemetry does not import the models.
type unknownValue interface {
	UnknownValue() (enum, field, value string)
}

// maxLoggedUnknownValues bounds the distinct unknown values remembered, so
// that an upstream sending a new value in every answer cannot grow the set
// without end; past it, values are still counted, no longer logged.
const maxLoggedUnknownValues = 1000

// UnknownValues logs each distinct unknown enum value once per process, with
// a warning: GitBook added a value, and the facade's spec copy needs it (see
// scripts/update-openapi-testdata.sh). Every occurrence is counted in the
// metrics instead.
type UnknownValues struct {
	logger *slog.Logger
	mu     sync.Mutex
	seen   map[[3]string]bool
}

// NewUnknownValues logs to logger (slog.Default() when nil).
func NewUnknownValues(logger *slog.Logger) *UnknownValues {
	if logger == nil {
		logger = slog.Default()
	}
	return &UnknownValues{logger: logger, seen: map[[3]string]bool{}}
}

func (u *UnknownValues) observe(m *Metrics, errs []error) {
	for _, err := range errs {
		var uv unknownValue
		if !errors.As(err, &uv) {
			continue
		}
		enum, field, value := uv.UnknownValue()
		if m != nil {
			m.unknownValues.WithLabelValues(enum, field).Inc()
		}
		if u != nil && u.first(enum, field, value) {
			u.logger.Warn("GitBook sent an enum value the schema does not list; served as null with an error",
				"enum", enum, "field", field, "value", value)
		}
	}
}

func (u *UnknownValues) first(enum, field, value string) bool {
	key := [3]string{enum, field, value}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.seen[key] || len(u.seen) >= maxLoggedUnknownValues {
		return false
	}
	u.seen[key] = true
	return true
}

// responseErrors unwraps the errors of an answer to what the resolvers or
// models returned.
func responseErrors(resp *graphql.Response) []error {
	var out []error
	for _, e := range resp.Errors {
		if e.Err != nil {
			out = append(out, e.Err)
		}
	}
	return out
}

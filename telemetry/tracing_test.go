package telemetry

import (
	"testing"
)

func TestTracingIsOffWithoutOTELVariables(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		env  func(string) string
		want bool
	}{
		{env(), false},
		{env("OTEL_SERVICE_NAME", "x"), false},
		{env("OTEL_TRACES_EXPORTER", "otlp"), true},
		{env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"), true},
		{env("OTEL_TRACES_EXPORTER", "none"), false},
		{env("OTEL_TRACES_EXPORTER", "console", "OTEL_SDK_DISABLED", "true"), false},
	} {
		if got := tracingConfigured(tc.env); got != tc.want {
			t.Errorf("tracingConfigured = %v, want %v", got, tc.want)
		}
	}
}

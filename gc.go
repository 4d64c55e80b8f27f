package main

import "runtime/debug"

// The collector's defaults here, in place of Go's (GOGC=100, no memory
// limit). A request allocates ~100 KB that is garbage once answered, while
// the heap that lives on is a few MB: at GOGC=100 the collector took a
// quarter of the CPU under load (bench/PROFILE.md). 400 lets the heap grow
// to five times what lives before collecting, and the soft limit makes it
// collect sooner when many requests at once hold memory, which keeps the
// process near 100 MiB at 500 concurrent requests. GOGC and GOMEMLIMIT,
// when set, have the last word: raise GOMEMLIMIT to fit a larger
// container, or when -upstream-cache-ttl keeps many answers.
const (
	gcPercent   = 400
	memoryLimit = 80 << 20
)

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

#!/usr/bin/env bash
# Conformance suites: installs the pinned npm packages, builds the facade and
# the simulated GitBook, and runs every *.test.mjs here with node --test.
# Each suite starts and stops its own processes on loopback (lib/servers.mjs).
# Runs from anywhere; CI calls it as conformance/run.sh.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v go >/dev/null 2>&1; then
  export PATH="/usr/local/go/bin:$PATH"
fi

echo "--- npm ci"
# --ignore-scripts: nothing here needs an install script, and none may
# download anything (protobufjs's postinstall is only a version check).
npm ci --no-audit --no-fund --ignore-scripts

tmp="$(mktemp -d)"
group=""
cleanup() {
  # The suites kill their servers themselves; this is for when a suite
  # process died without doing so: node and everything it started share
  # one process group.
  if [ -n "$group" ]; then
    kill -- "-$group" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "--- go build"
(cd .. && go build -o "$tmp/facade" . && go build -o "$tmp/gitbook-sim" ./cmd/gitbook-sim)

echo "--- node --test"
mkdir -p results
export FACADE_BIN="$tmp/facade"
export GITBOOK_SIM_BIN="$tmp/gitbook-sim"
# Keeps @apollo/gateway from reporting to Apollo and probing cloud metadata
# endpoints (federation.test.mjs sets it too, for when it runs alone).
export APOLLO_TELEMETRY_DISABLED=true

# Job control puts node in a process group of its own, which cleanup kills.
set -m
node --test --test-timeout=60000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination=results/junit.xml \
  ./*.test.mjs &
group=$!
set +m
status=0
wait "$group" || status=$?
exit "$status"

#!/usr/bin/env bash
# The benchmark, in one command: installs the peers (GraphQL Mesh, Hive
# Gateway and Tailcall, pinned by bench/peers/package-lock.json), then
# measures the facade, the facade without loaders, Mesh, Tailcall and a
# direct REST client side by side over the simulated upstream, and writes
# bench/results/latest.{md,json}. Arguments go to the runner
# (go run ./bench -h lists them), such as -duration 10s or -latencies 0ms.
# Everything listens on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
  export PATH="/usr/local/go/bin:$PATH"
fi
(cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
go run ./bench -doc docs/benchmark.md "$@"
# Replicas behind HAProxy with one Redis (Debian's redis-server and haproxy),
# under a 429 storm, and what Redis costs on the hot path.
if command -v redis-server >/dev/null 2>&1 && command -v haproxy >/dev/null 2>&1; then
  go run ./bench replicas
else
  echo "bench replicas skipped: install redis-server and haproxy (apt-get install redis-server haproxy)" >&2
fi
echo "results: bench/results/latest.md, bench/results/replicas.md"

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
go run ./bench "$@"
echo "results: bench/results/latest.md"

#!/usr/bin/env bash
# Regenerates testdata/gitbook-openapi.reduced.json from the two versions of
# GitBook's spec the facade serves: the npm package @gitbook/api (its
# spec/openapi.json; the tarball is checked against the registry's pinned
# integrity before use) and the older documents the project was first asked
# to serve (testdata/seed/, one per operation). Then the code generated from
# it.
set -euo pipefail

version="${GITBOOK_API_VERSION:-0.202.0}"
integrity="${GITBOOK_API_INTEGRITY:-sha512-qhrjEQbNNmCljR0AgP79+BsVh9yelh9TIBg9X3TyYx5a3lJwDiT3sw1ND9DFQSxGHp8hH5w+20KJHn/IDpTbaw==}"

cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "@gitbook/api@${version}" >/dev/null)
tarball="$tmp/gitbook-api-${version}.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "integrity mismatch for @gitbook/api@${version}: got $got" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp" package/spec/openapi.json

go run ./tools/specreduce \
  -version "@gitbook/api@${version} spec/openapi.json=$tmp/package/spec/openapi.json" \
  -version "seed: the operations as first asked for, @gitbook/api 0.181.0 on their schemas=testdata/seed/listSpaceIntegrations.json,testdata/seed/listSpaceIntegrationsBlocks.json" \
  -out testdata/gitbook-openapi.reduced.json
go generate ./upstream
go run github.com/99designs/gqlgen generate
echo "testdata/gitbook-openapi.reduced.json regenerated from @gitbook/api@${version} and testdata/seed/"

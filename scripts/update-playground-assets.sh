#!/usr/bin/env bash
# Fetches the playground's assets from npm into httpapi/playground/, where
# the binary embeds them (so the playground works offline and under a strict
# CSP). The versions and files are those gqlgen's playground.Handler loads
# from a CDN by default; each tarball is checked against its pinned npm
# integrity and each file against its pinned SRI hash.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=httpapi/playground
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# package@version  tarball-integrity
packages=(
  "graphiql@4.1.2 sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg=="
  "react@18.2.0 sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ=="
  "react-dom@18.2.0 sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g=="
)
# file in the package  name here  SRI
files=(
  "graphiql package/graphiql.min.js graphiql.min.js sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="
  "graphiql package/graphiql.min.css graphiql.min.css sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="
  "graphiql package/LICENSE LICENSE.graphiql -"
  "react package/umd/react.production.min.js react.production.min.js sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="
  "react package/LICENSE LICENSE.react -"
  "react-dom package/umd/react-dom.production.min.js react-dom.production.min.js sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="
  "react-dom package/LICENSE LICENSE.react-dom -"
)

for entry in "${packages[@]}"; do
  read -r spec integrity <<<"$entry"
  name="${spec%@*}"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tarball="$(ls "$tmp"/"$name"-[0-9]*.tgz)"
  got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  [ "$got" = "$integrity" ] || { echo "integrity mismatch for $spec: $got" >&2; exit 1; }
  mkdir -p "$tmp/$name" && tar -xzf "$tarball" -C "$tmp/$name"
done

mkdir -p "$dest"
for entry in "${files[@]}"; do
  read -r name path out sri <<<"$entry"
  cp "$tmp/$name/$path" "$dest/$out"
  if [ "$sri" != "-" ]; then
    got="sha256-$(openssl dgst -sha256 -binary "$dest/$out" | base64 -w0)"
    [ "$got" = "$sri" ] || { echo "SRI mismatch for $out: $got" >&2; exit 1; }
  fi
done
echo "playground assets written to $dest"

#!/bin/sh
# Starts the Go runtime as a local process (local.json): builds the launcher
# once into the build cache, keyed by the runtime's sources and the Go
# toolchain, then execs it. The launcher compiles the function in
# FUNCTION_DIR (or finds it in the cache) and execs that in turn, so the
# pid this script started is the function's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${FUNCTION_BUILD_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kube-serverless/go-runtime}
go=$(command -v go || true)
if [ -z "$go" ]; then
  echo "kube-serverless go runtime: the go command is not on PATH" >&2
  exit 1
fi
# The key: every source file of the launcher and runtime, and the toolchain.
key=$(cd "$here" && {
  "$go" env GOVERSION GOOS GOARCH
  find . -path ./node_modules -prune -o \( -name '*.go' -o -name go.mod -o -name go.sum \) -type f -print |
    grep -v '_test\.go$' | LC_ALL=C sort | xargs cat
} | sha256sum | cut -c1-16)
launcher="$cache/launcher/$key/launcher"
if [ ! -x "$launcher" ]; then
  mkdir -p "$cache/launcher/$key"
  tmp="$cache/launcher/$key/launcher.tmp.$$"
  (cd "$here" && CGO_ENABLED=0 GOFLAGS=-mod=readonly "$go" build -trimpath -o "$tmp" ./cmd/launcher)
  mv -f "$tmp" "$launcher"
  # launchers of other source versions, unused for a week
  find "$cache/launcher" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -mtime +7 -exec rm -rf {} + 2>/dev/null || true
fi
exec "$launcher" "$@"

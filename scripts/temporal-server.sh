#!/usr/bin/env bash
# Prints the directory of Temporal's own server for `npm run cluster` (scripts/cluster/), obtaining it once per
# machine: `temporal-server` (the server; `start --service=X` runs one service per process), `temporal-sql-tool`
# (the schema tool) and `schema/postgresql/v12` (the schemas both ship with). Same conventions as temporal-cli.sh:
# built with `go install` from the Go module proxy, cached outside git, progress on stderr, the path alone on stdout.
#   scripts/temporal-server.sh            ensure it exists, print its directory
#   scripts/temporal-server.sh --locate   print it only if already present (never builds)
#   scripts/temporal-server.sh --version  print the pinned release
# Environment:
#   TEMPORAL_CLI_CACHE_DIR  where builds are cached (default ${XDG_CACHE_HOME:-~/.cache}/temporal-http)
set -euo pipefail

# The release compose.yaml runs (test/cluster-release.test.ts keeps the two equal).
VERSION=1.30.1
MODULE=go.temporal.io/server
CACHE_DIR="${TEMPORAL_CLI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-http}"
DIR="$CACHE_DIR/temporal-server-v$VERSION"
mode="${1:-ensure}"

log() { printf 'temporal-server: %s\n' "$*" >&2; }
case "$mode" in ensure | --locate) ;; --version) echo "$VERSION"; exit 0 ;;
  *) log "unknown argument '$mode' (expected --locate, --version or nothing)"; exit 2 ;;
esac

# `go install` names the binaries after their folders (server, sql); the names below are the ones Temporal's images
# use, so deploy/compose/setup-postgres.sh runs unchanged here.
complete() {
  [ -x "$DIR/temporal-server" ] && [ -x "$DIR/temporal-sql-tool" ] && [ -d "$DIR/schema/postgresql/v12/temporal" ] &&
    "$DIR/temporal-server" --version >/dev/null 2>&1
}
adopt() {
  for pair in server:temporal-server sql:temporal-sql-tool; do
    if [ -x "$DIR/${pair%%:*}" ] && [ ! -e "$DIR/${pair#*:}" ]; then ln -s "${pair%%:*}" "$DIR/${pair#*:}"; fi
  done
  if [ ! -d "$DIR/schema/postgresql/v12/temporal" ] && command -v go >/dev/null 2>&1; then
    # The module source is in Go's module cache after the build; `go mod download` fetches it if it was cleaned.
    local source
    source="$(GOFLAGS=-mod=mod go mod download -json "$MODULE@v$VERSION" 2>/dev/null | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
    if [ -n "$source" ] && [ -d "$source/schema/postgresql/v12" ]; then
      mkdir -p "$DIR/schema/postgresql"
      cp -R "$source/schema/postgresql/v12" "$DIR/schema/postgresql/"
      chmod -R u+w "$DIR/schema"
    fi
  fi
}

[ -d "$DIR" ] && adopt
if complete; then printf '%s\n' "$DIR"; exit 0; fi
if [ "$mode" = "--locate" ]; then
  log "no Temporal server v$VERSION yet: run 'bash scripts/temporal-server.sh' to build it (cache: $DIR)"
  exit 1
fi
command -v go >/dev/null 2>&1 || { log "no go on PATH: install Go to build the Temporal server v$VERSION"; exit 1; }
mkdir -p "$DIR"
for tool in server tools/sql; do
  if [ ! -x "$DIR/$(basename "$tool")" ]; then
    log "building $MODULE/cmd/$tool@v$VERSION with go install (once per machine, a few minutes)..."
    GOBIN="$DIR" GOFLAGS=-mod=mod go install "$MODULE/cmd/$tool@v$VERSION" >&2
  fi
done
adopt
complete || { log "built, but $DIR is incomplete (binaries or schema missing)"; exit 1; }
printf '%s\n' "$DIR"

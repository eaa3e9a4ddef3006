#!/usr/bin/env bash
# Installs every real part the console and its tests need into .ops/ (git-ignored).
# Each step skips itself when its result is already there, so a second run takes seconds.
# Usage: bash resources/provision.sh [--with-docker] [--with-ui]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OPS="$ROOT/.ops"
BIN="$OPS/bin"
TEMPORAL_VERSION="v1.29.1"
UI_VERSION="v2.54.1"
WITH_DOCKER=0
WITH_UI=0
for arg in "$@"; do
  case "$arg" in
    --with-docker) WITH_DOCKER=1 ;;
    --with-ui) WITH_UI=1 ;;
    *) echo "provision: unknown option $arg" >&2; exit 2 ;;
  esac
done
mkdir -p "$BIN"

say() { printf '[provision] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $APT_UPDATED = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# 1. PostgreSQL 15 server binaries, Chromium (for browser-mode e2e tests) and ISA-L's igzip (isal), which
#    compresses backups about five times cheaper than zlib (the console uses zlib where it is missing).
apt_install postgresql-15 postgresql-client-15 chromium isal
if [ $WITH_DOCKER = 1 ]; then apt_install docker.io iptables debootstrap; fi

# 2. Temporal server and temporal-sql-tool, pinned, built with go install.
export GOFLAGS="-trimpath"
if [ ! -x "$BIN/temporal-server" ]; then
  say "building temporal-server $TEMPORAL_VERSION (first time: a few minutes)"
  tmp="$(mktemp -d)"; GOBIN="$tmp" go install "go.temporal.io/server/cmd/server@$TEMPORAL_VERSION"
  mv "$tmp/server" "$BIN/temporal-server"; rm -rf "$tmp"
fi
if [ ! -x "$BIN/temporal-sql-tool" ]; then
  say "building temporal-sql-tool $TEMPORAL_VERSION"
  tmp="$(mktemp -d)"; GOBIN="$tmp" go install "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_VERSION"
  mv "$tmp/sql" "$BIN/temporal-sql-tool"; rm -rf "$tmp"
fi
if [ ! -d "$OPS/schema/postgresql/v12/temporal/versioned" ]; then
  src="$(go env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_VERSION/schema/postgresql"
  [ -d "$src" ] || (cd "$(mktemp -d)" && go mod download -x "go.temporal.io/server@$TEMPORAL_VERSION" >/dev/null 2>&1)
  mkdir -p "$OPS/schema"; cp -r "$src" "$OPS/schema/"; chmod -R u+w "$OPS/schema"
  say "copied Temporal schema files"
fi
if [ $WITH_UI = 1 ] && [ ! -x "$BIN/temporal-ui-server" ]; then
  say "building temporal-ui-server $UI_VERSION"
  tmp="$(mktemp -d)"; GOBIN="$tmp" go install "github.com/temporalio/ui-server/v2/cmd/server@$UI_VERSION"
  mv "$tmp/server" "$BIN/temporal-ui-server"; rm -rf "$tmp"
fi

# 3. Node dependencies (Electron's binary cannot be fetched here: its download is skipped).
cd "$ROOT"
stamp="$ROOT/node_modules/.ops-install-stamp"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  say "npm ci"
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
say "ready: $(ls "$BIN" | tr '\n' ' ')"

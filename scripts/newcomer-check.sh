#!/usr/bin/env bash
# A newcomer's first run: clone this repository into a private (0700) directory, as a home
# directory is, install, and start `npm run dev` until the app answers; then stop it cleanly.
# As root this is where the embedded PostgreSQL used to fail (its unprivileged `postgres` user
# could not reach node_modules). Run by .ci/run after `npm test`; reuses the npm cache.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
home="$(mktemp -d)" # mktemp -d makes it 0700
chmod 700 "$home"
port="${NEWCOMER_PORT:-$((20000 + RANDOM % 20000))}"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM -- "-$pid" 2>/dev/null || true; sleep 2; kill -KILL -- "-$pid" 2>/dev/null || true; fi
  # As root the clone's database lived under /var/lib/won-checkout (db/embedded.ts names it after the path).
  if [ "$(id -u)" = 0 ]; then
    rm -rf "${EMBEDDED_PG_ROOT_HOME:-/var/lib/won-checkout}/data/data-pg-$(printf %s "$home/won-checkout/.data/pg" | sha256sum | cut -c1-12)"
  fi
  rm -rf "$home"
}
trap cleanup EXIT

echo "[newcomer] cloning into $home/won-checkout (mode $(stat -c %a "$home"))"
git clone --quiet "$repo" "$home/won-checkout"
cd "$home/won-checkout"
echo "[newcomer] npm ci"
npm ci --no-audit --no-fund --prefer-offline >"$home/npm-ci.log" 2>&1 || { tail -40 "$home/npm-ci.log"; exit 1; }

echo "[newcomer] npm run dev on port $port"
# Its own process group, so stopping it stops Next, the workers, Kafka and PostgreSQL together.
# Everything else is the defaults a newcomer gets (embedded PostgreSQL, local Kafka).
set -m
PORT="$port" EMBEDDED_PG_PORT=0 npm run dev >"$home/dev.log" 2>&1 &
pid=$!
set +m
deadline=$((SECONDS + ${NEWCOMER_TIMEOUT_S:-240}))
until curl -fsS -o /dev/null "http://127.0.0.1:$port/"; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "[newcomer] npm run dev exited before the app answered:"; tail -60 "$home/dev.log"; exit 1; fi
  if [ "$SECONDS" -ge "$deadline" ]; then echo "[newcomer] the app did not answer within the time limit:"; tail -60 "$home/dev.log"; exit 1; fi
  sleep 2
done
echo "[newcomer] the app answered on http://127.0.0.1:$port/ after ${SECONDS}s; stopping"
kill -INT -- "-$pid" # as Ctrl-C in a terminal does
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$pid" 2>/dev/null; then echo "[newcomer] npm run dev did not stop within 30 s of SIGINT"; tail -30 "$home/dev.log"; exit 1; fi
pid=""
echo "[newcomer] ok"

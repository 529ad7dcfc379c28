#!/usr/bin/env bash
# `npm test`: every test of the project, on real parts.
#   1. installs what the tests need when it is missing (Debian's chromium, Java and Maven, as root),
#   2. type-checks,
#   3. vitest: unit, integration, pipeline, race and fuzz tests on a real PostgreSQL and real
#      Apache Kafka the tests start themselves (one shared node; 3 nodes for broker faults),
#   4. a production build, then Playwright e2e in real Chromium against `npm start`.
# Usage: npm test            (all of it)
#        npm test -- --help  (this text)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
export NEXT_TELEMETRY_DISABLED=1
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export CHROMIUM_PATH

if [[ ! -d node_modules ]]; then
  step "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# Debian packages the tests need: chromium (e2e), and Java with Maven for Apache Kafka (Maven
# fetches the broker's jars once into .data/kafka; lib/kafka/local-cluster.ts).
missing=()
[[ -x "$CHROMIUM_PATH" ]] || missing+=(chromium)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
if (( ${#missing[@]} )); then
  if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
    step "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing: ${missing[*]}. Install them (Debian: sudo apt-get install ${missing[*]}) or set CHROMIUM_PATH." >&2
    exit 1
  fi
fi

start=$(date +%s)
step "type check"
npx tsc --noEmit -p .

step "vitest: unit and integration tests (real PostgreSQL, real Apache Kafka)"
npx vitest run

step "next build"
build_start=$(date +%s)
npx next build
echo "next build took $(( $(date +%s) - build_start ))s"

step "playwright: e2e in Chromium against the production build"
npx playwright test

echo
echo "all tests passed in $(( $(date +%s) - start ))s"

#!/usr/bin/env bash
# make bench: tokenway against ../shared/bench/compare.sh (direct vs gateway, one run).
#   scripts/bench.sh [--config examples/bench.yaml] [--label tokenway] [--litellm] [compare.sh args...]
# --litellm also runs LiteLLM side by side afterwards (compare.sh with no gateway; it installs
# litellm[proxy] into /tmp/venv-litellm the first time). governed.yaml runs with a budget large
# enough not to run out during the benchmark and its ledger in a temporary directory, and its
# response cache off (every benchmark request is the same body: with the cache on, they are all hits
# and the run measures the cache, not the vendor path; TOKENWAY_CACHE_MODE=semantic to measure that).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=../shared/bench
PORT=${TOKENWAY_PORT:-8080}
CONFIG=examples/bench.yaml LABEL="" LITELLM=0
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) CONFIG="$2"; shift 2 ;;
    --label) LABEL="$2"; shift 2 ;;
    --litellm) LITELLM=1; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
LABEL=${LABEL:-tokenway-$(basename "$CONFIG" .yaml)}
DATA=$(mktemp -d /tmp/tokenway-bench-data.XXXXXX)
export TOKENWAY_UPSTREAM_URL=http://127.0.0.1:9000 TOKENWAY_KEY=sk-bench-0000 TOKENWAY_PORT=$PORT
export TOKENWAY_TEAM_DAILY_TOKENS=${TOKENWAY_TEAM_DAILY_TOKENS:-1000000000000} TOKENWAY_DATA_DIR=$DATA
export TOKENWAY_KEY_RPM=${TOKENWAY_KEY_RPM:-1000000000} TOKENWAY_CACHE_MODE=${TOKENWAY_CACHE_MODE:-off}
.venv/bin/tokenway serve --config "$CONFIG" > "/tmp/$LABEL.log" 2>&1 &
GW=$!
trap 'kill $GW 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
"$BENCH/compare.sh" --gateway "http://127.0.0.1:$PORT" --key sk-bench-0000 --model gpt-4o-mini \
  --label "$LABEL" --gateway-pid "$GW" "${ARGS[@]}"
if [[ $LITELLM == 1 ]]; then
  kill $GW; wait $GW 2>/dev/null || true
  "$BENCH/compare.sh" "${ARGS[@]}"
fi

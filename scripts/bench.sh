#!/usr/bin/env bash
# make bench: tokenway on examples/bench.yaml against ../shared/bench/compare.sh (direct vs gateway,
# one run). Pass --litellm to also run LiteLLM side by side (compare.sh with no gateway; it
# installs litellm[proxy] into /tmp/venv-litellm the first time). Extra args go to compare.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=../shared/bench
PORT=${TOKENWAY_PORT:-8080}
LITELLM=0
ARGS=()
for a in "$@"; do
  if [[ "$a" == "--litellm" ]]; then LITELLM=1; else ARGS+=("$a"); fi
done
export TOKENWAY_UPSTREAM_URL=http://127.0.0.1:9000 TOKENWAY_KEY=sk-bench-0000 TOKENWAY_PORT=$PORT
.venv/bin/tokenway serve --config examples/bench.yaml > /tmp/tokenway-bench.log 2>&1 &
GW=$!
trap 'kill $GW 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
"$BENCH/compare.sh" --gateway "http://127.0.0.1:$PORT" --key sk-bench-0000 --model gpt-4o-mini \
  --label tokenway --gateway-pid "$GW" "${ARGS[@]}"
if [[ $LITELLM == 1 ]]; then
  kill $GW; wait $GW 2>/dev/null || true
  "$BENCH/compare.sh" "${ARGS[@]}"
fi

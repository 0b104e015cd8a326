#!/usr/bin/env bash
# Runs the Tinker Python SDK's training loop (sdk_loop.py) against a fresh Mint.Server: builds and
# starts the server on a small random model, waits for its HTTP port, runs the loop, stops the
# server. A manual check for a machine with the SDK's Python dependencies; not part of dotnet test.
#
#   PYTHON=python3          the interpreter that has the SDK's dependencies
#   TINKER_SDK_SRC=…/src    the SDK's source folder (a checkout of thinking-machines-lab/tinker at the
#                           pinned 0.22.0); leave unset when the SDK is pip-installed
#   TINKER_SDK_SHIMS=1      also put debian-shims/ on PYTHONPATH (Debian 12's packages, see README.md)
#   PORT=…                  the HTTP port (default: a free one)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
api_key="tml-sdk-check"
model_name="mint-demo"
work="$(mktemp -d)"
port="${PORT:-$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

pythonpath="${TINKER_SDK_SRC:-}"
if [ "${TINKER_SDK_SHIMS:-0}" = 1 ]; then
    pythonpath="${pythonpath:+$pythonpath:}$here/debian-shims"
fi
export PYTHONPATH="$pythonpath${PYTHONPATH:+:$PYTHONPATH}"
"$python" -c 'import tinker; print("tinker SDK", tinker.__version__)'

dotnet build "$root/src/Mint.Server" -nologo -v:q
# Its own process group, so stopping it also stops the server process dotnet run starts.
setsid dotnet run --no-build --project "$root/src/Mint.Server" -- --model "$work/model" --create-model \
    --model-name "$model_name" --port 0 --http-port "$port" --api-key "$api_key" \
    --checkpoints "$work/checkpoints" > "$work/server.log" 2>&1 &
server=$!
stop() {
    kill -- "-$server" 2> /dev/null || true
    wait "$server" 2> /dev/null || true
    echo "server log: $work/server.log"
}
trap stop EXIT

for _ in $(seq 120); do
    if "$python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/api/v1/healthz', timeout=1)" 2> /dev/null; then
        break
    fi
    if ! kill -0 "$server" 2> /dev/null; then
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 1
done

"$python" "$here/sdk_loop.py" "http://127.0.0.1:$port" "$api_key" "$model_name"

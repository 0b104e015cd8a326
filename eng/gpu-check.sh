#!/usr/bin/env bash
# The GPU check, in two steps on two machines.
#
#   eng/gpu-check.sh prepare        here, with the .NET SDK: publishes eng/GpuRunner self-contained for
#                                   linux-x64 without libtorch's own native libraries and packs it, with
#                                   this script and the peer, into artifacts/gpu/ (about 26 MB).
#   artifacts/gpu/gpu-check.sh run  there: Linux, an NVIDIA GPU and a CUDA PyTorch (with transformers and
#                                   peft for the peer); no .NET SDK, no network. Runs the CUDA-marked
#                                   tests, then each benchmark configuration and its transformers + peft
#                                   peer, one process each, and prints a Markdown table.
#
# run writes results.jsonl, table.md and log.txt to $RESULTS (default: $OUT if set, else ./gpu-results).
# MINT_GPU_QUICK=1 runs only the small shape; configurations that would start after MINT_GPU_BUDGET_S
# seconds (default 480) are skipped. MINT_TORCH_ANY=1 skips the libtorch version check.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

prepare() {
    local root out publish
    root="$(cd "$here/.." && pwd)"
    out="$root/artifacts/gpu"
    publish="$out/runner"
    rm -rf "$out" && mkdir -p "$publish"
    dotnet publish "$root/eng/GpuRunner" -c Release -r linux-x64 --self-contained -o "$publish" \
        -p:MintForceNativePatch=true -nologo -v:q
    # libtorch comes from the GPU machine's PyTorch: drop the CPU build's natives (libLibTorchSharp.so,
    # TorchSharp's own shim, stays; it binds to whichever libtorch the loader finds first).
    (cd "$publish" && rm -f libtorch.so libtorch_cpu.so libc10.so libgomp*.so* libtorch_global_deps.so libshm.so \
        libtorch_python.so libjitbackend_test.so libtorchbind_test.so libaoti_custom_ops.so libnnapi_backend.so \
        libbackend_with_compiler.so)
    tar -C "$out" -cJf "$out/mint-gpu-runner.tar.xz" runner
    rm -rf "$publish"
    cp "$root/eng/gpu-check.sh" "$root/eng/gpu/peer.py" "$root/eng/gpu/report.py" "$out/"
    du -h "$out"/*
}

# The libtorch of the local PyTorch install, checked against the range this TorchSharp was run with.
torch_lib() {
    local version
    version="$(python3 -c 'import torch; print(torch.__version__)')"
    case "$version" in
        2.10.*|2.11.*) ;;
        *) if [ "${MINT_TORCH_ANY:-0}" != 1 ]; then
               echo "PyTorch $version: TorchSharp 0.107 is built for libtorch 2.10 and was checked with 2.10 and 2.11;" \
                    "another version may lack symbols libLibTorchSharp.so needs (the run then stops with 'undefined symbol')." \
                    "Set MINT_TORCH_ANY=1 to try anyway." >&2
               exit 3
           fi ;;
    esac
    python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))'
}

run() {
    local results work lib
    results="${RESULTS:-${OUT:-$PWD/gpu-results}}"
    mkdir -p "$results"
    work="$(mktemp -d)"
    tar -C "$work" -xJf "$here/mint-gpu-runner.tar.xz"
    lib="$(torch_lib)"
    export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True PYTHONUNBUFFERED=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
    local runner="$work/runner/GpuRunner" log="$results/log.txt" jsonl="$results/results.jsonl"
    : >"$jsonl"
    { nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
      python3 -c 'import torch, transformers, peft; print("torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__, "peft", peft.__version__)'
    } | tee "$log"

    echo "== CUDA-marked tests" | tee -a "$log"
    local status=0
    timeout 150 "$runner" check 2>&1 | tee -a "$log" || status=1

    # One process per configuration: each one's device memory is its own peak. nvidia-smi samples the
    # memory in use beside each run as a second reading that needs nothing from the process itself.
    bench() {  # bench <seconds> <ours|peer> <args…>
        local limit="$1" who="$2"; shift 2
        if [ "$SECONDS" -gt "${MINT_GPU_BUDGET_S:-480}" ]; then
            echo "== skipped (time budget spent): $who $*" | tee -a "$log"
            echo "{\"impl\": \"$who\", \"args\": \"$*\", \"error\": \"skipped: time budget spent\"}" >>"$jsonl"
            return
        fi
        echo "== $who $*" | tee -a "$log"
        nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$work/smi.txt" 2>/dev/null &
        local smi=$! line
        if [ "$who" = ours ]; then
            line="$(timeout "$limit" "$runner" bench "$@" 2>>"$log" | tail -n 1)" || line=""
        else
            line="$(timeout "$limit" python3 "$here/peer.py" "$@" 2>>"$log" | tail -n 1)" || line=""
        fi
        kill "$smi" 2>/dev/null || true
        wait "$smi" 2>/dev/null || true
        case "$line" in
            "{"*) ;;
            *) echo "$line" >>"$log"; line="{\"impl\": \"$who\", \"args\": \"$*\", \"error\": \"failed; see log.txt\"}" ;;
        esac
        line="$(python3 -c 'import json, sys
row = json.loads(sys.argv[1])
peak = [float(v) for v in open(sys.argv[2]).read().split() if v.strip()]
row["smi_peak_gib"] = max(peak) / 1024 if peak else None
print(json.dumps(row))' "$line" "$work/smi.txt")"
        echo "$line" | tee -a "$log" >>"$jsonl"
    }

    if [ "${MINT_GPU_QUICK:-0}" != 1 ]; then
        bench 120 ours --shape qwen3-1.7b --batch 4 --tokens 2048 --dtype bfloat16 --custom --steps 3
        bench 120 peer --shape qwen3-1.7b --batch 4 --tokens 2048 --dtype bfloat16-autocast --steps 3
        bench 120 ours --shape qwen3-1.7b --batch 4 --tokens 2048 --dtype bfloat16 --checkpointing --steps 3
        bench 120 peer --shape qwen3-1.7b --batch 4 --tokens 2048 --dtype bfloat16 --steps 3
    fi
    bench 60 ours --shape small --batch 8 --tokens 512 --dtype float32 --custom
    bench 60 peer --shape small --batch 8 --tokens 512 --dtype float32
    bench 60 ours --shape small --batch 8 --tokens 512 --dtype bfloat16
    bench 60 peer --shape small --batch 8 --tokens 512 --dtype bfloat16-autocast
    if [ "${MINT_GPU_QUICK:-0}" != 1 ]; then
        bench 100 ours --shape qwen3-1.7b --batch 2 --tokens 2048 --dtype float32 --tf32 --steps 3
        bench 100 peer --shape qwen3-1.7b --batch 2 --tokens 2048 --dtype float32 --tf32 --steps 3
    fi

    python3 "$here/report.py" "$jsonl" | tee "$results/table.md"
    rm -rf "$work"
    return $status
}

case "${1:-}" in
    prepare) prepare ;;
    run) run ;;
    *) echo "usage: $0 prepare | run" >&2; exit 2 ;;
esac

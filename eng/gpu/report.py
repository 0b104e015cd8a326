"""Turns eng/gpu-check.sh's results.jsonl into the Markdown table of docs/performance.md's GPU section."""
import json, sys

COLUMNS = [("forward_backward_ms", "forward_backward ms"), ("forward_ms", "forward ms"),
           ("custom_forward_backward_ms", "custom-loss fb ms"), ("optim_step_ms", "optim_step ms"),
           ("device_memory_gib", "device memory GiB"), ("smi_peak_gib", "nvidia-smi peak GiB"), ("peak_allocated_gib", "peak allocated GiB"), ("loss", "loss")]


def cell(value):
    if value is None:
        return "—"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("| impl | shape | batch × tokens | precision | checkpointing | " + " | ".join(title for _, title in COLUMNS) + " |")
print("|---" * (5 + len(COLUMNS)) + "|")
for row in rows:
    if "error" in row:
        print(f"| {row['impl']} | {row['args']} | | | | {row['error']} |" + " |" * (len(COLUMNS) - 1))
        continue
    print(f"| {row['impl']} | {row['shape']} | {row['batch']} × {row['tokens']} | {row['precision']} | "
          f"{'yes' if row.get('checkpointing') else 'no'} | " + " | ".join(cell(row.get(key)) for key, _ in COLUMNS) + " |")

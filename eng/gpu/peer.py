"""The transformers + peft peer of the GPU benchmark (eng/gpu-check.sh runs it beside GpuRunner).

Same shapes, batch, LoRA (rank 8, alpha 16, every attention and MLP projection), loss
(cross-entropy on gather - logsumexp of float32 logits, summed) and timing (median of --steps
after two warm-up steps) as eng/GpuRunner/GpuBenchmark.cs; prints one JSON line with the same fields.
"""
import argparse, json, statistics, time

import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

SHAPES = {
    "qwen3-1.7b": dict(vocab_size=151936, hidden_size=2048, intermediate_size=6144, num_hidden_layers=28,
                       num_attention_heads=16, num_key_value_heads=8, max_position_embeddings=4096,
                       rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True),
    "small": dict(vocab_size=32000, hidden_size=1024, intermediate_size=2816, num_hidden_layers=8,
                  num_attention_heads=16, num_key_value_heads=8, max_position_embeddings=2048,
                  rope_theta=10000.0, rms_norm_eps=1e-6, tie_word_embeddings=False),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="small")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--dtype", default="float32", help="float32 | bfloat16-autocast | bfloat16 (bf16 weights + autocast)")
    parser.add_argument("--tf32", action="store_true")
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()

    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    config = LlamaConfig(**SHAPES[args.shape], attn_implementation="sdpa")
    weights = torch.bfloat16 if args.dtype == "bfloat16" else torch.float32
    with torch.device("cuda"):
        model = LlamaForCausalLM(config).to(weights)
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0,
                                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-5, foreach=True)
    generator = torch.Generator().manual_seed(7)
    sequence = torch.randint(0, config.vocab_size, (args.batch, args.tokens + 1), generator=generator).cuda()
    inputs, targets = sequence[:, :-1], sequence[:, 1:]
    weights_per_token = torch.ones(args.batch, args.tokens, device="cuda")
    autocast = args.dtype != "float32"

    def logprobs():
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
            logits = model(input_ids=inputs).logits
        logits = logits.float()
        return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1)

    def timed(action):
        torch.cuda.synchronize()
        start = time.perf_counter()
        value = action()
        torch.cuda.synchronize()
        return (time.perf_counter() - start) * 1000, value

    forward_backward, optim_step, loss = [], [], 0.0
    for step in range(args.steps + 2):
        fb, loss = timed(lambda: _backward(-(logprobs() * weights_per_token).sum()))
        optim, _ = timed(lambda: (optimizer.step(), optimizer.zero_grad(set_to_none=False)))
        if step >= 2:
            forward_backward.append(fb)
            optim_step.append(optim)
    with torch.no_grad():
        timed(logprobs)
        forward = statistics.median(timed(logprobs)[0] for _ in range(args.steps))

    free, total = torch.cuda.mem_get_info()
    print(json.dumps({
        "impl": "transformers+peft", "shape": args.shape, "batch": args.batch, "tokens": args.tokens,
        "precision": args.dtype + ("+tf32" if args.tf32 else ""), "checkpointing": False,
        "forward_backward_ms": statistics.median(forward_backward), "forward_ms": forward,
        "custom_forward_backward_ms": None, "optim_step_ms": statistics.median(optim_step),
        "device_memory_gib": (total - free) / 2**30, "peak_allocated_gib": torch.cuda.max_memory_allocated() / 2**30,
        "loss": loss, "versions": f"torch {torch.__version__}",
    }), flush=True)


def _backward(loss):
    loss.backward()
    return loss.item()


if __name__ == "__main__":
    main()

using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>
/// A session's LoRA adapters as values: the config and every adapter tensor by the engine's name
/// (<c>model.layers.0.self_attn.q_proj.lora_A.weight</c> <c>[rank, in]</c>, <c>…lora_B.weight</c>
/// <c>[out, rank]</c>), float32. What a session exports, and what a session can start from.
/// </summary>
/// <param name="Lora">Rank and alpha of the adapters (the seed plays no part once weights are given).</param>
/// <param name="Tensors">The adapter tensors by name.</param>
public sealed record LoraWeights(LoraConfig Lora, IReadOnlyDictionary<string, TensorData> Tensors);

using System;
using System.Collections.Generic;
using System.Linq;

namespace Mint.Engine.Model;

/// <summary>
/// What distinguishes one supported Hugging Face decoder family from another. The engine has one
/// decoder; these options switch its parts on and off exactly as transformers' modelling code does.
/// </summary>
/// <param name="ModelType">The <c>model_type</c> in <c>config.json</c>.</param>
/// <param name="ClassName">The one <c>architectures</c> entry the engine computes (a causal LM head).</param>
/// <param name="QkvBiasAlways">q/k/v carry a bias whatever the config says (Qwen2).</param>
/// <param name="ReadsAttentionBias"><c>attention_bias</c> puts a bias on q, k, v and o (Llama, Qwen3).</param>
/// <param name="ReadsMlpBias"><c>mlp_bias</c> puts a bias on gate, up and down (Llama).</param>
/// <param name="QueryKeyNorm">Per-head RMSNorm on queries and keys before the rotary embedding (Qwen3).</param>
/// <param name="DefaultHeadDim">transformers' <c>head_dim</c> when the config has none; null means hidden / heads.</param>
/// <param name="DefaultRopeTheta">The rotary base when a config gives none, where every transformers version agrees (Llama, Mistral: 10000); null refuses such a config.</param>
/// <param name="PerLayerSlidingWindow">Sliding windows are chosen per layer (<c>use_sliding_window</c>, <c>max_window_layers</c>, <c>layer_types</c>) rather than for all layers (Mistral).</param>
public sealed record DecoderArchitecture(
    string ModelType,
    string ClassName,
    bool QkvBiasAlways,
    bool ReadsAttentionBias,
    bool ReadsMlpBias,
    bool QueryKeyNorm,
    int? DefaultHeadDim,
    double? DefaultRopeTheta,
    bool PerLayerSlidingWindow)
{
    /// <summary>Llama 1–3.x (and models saved as Llama).</summary>
    public static DecoderArchitecture Llama { get; } = new("llama", "LlamaForCausalLM", false, true, true, false, null, 10000, false);

    /// <summary>Mistral: Llama's math without biases; a sliding window when one is in effect (refused).</summary>
    public static DecoderArchitecture Mistral { get; } = new("mistral", "MistralForCausalLM", false, false, false, false, null, 10000, false);

    /// <summary>Qwen2 / Qwen2.5: q/k/v biases.</summary>
    public static DecoderArchitecture Qwen2 { get; } = new("qwen2", "Qwen2ForCausalLM", true, false, false, false, null, null, true);

    /// <summary>Qwen3: per-head q/k RMSNorm, explicit head_dim (128 when absent, as in transformers).</summary>
    public static DecoderArchitecture Qwen3 { get; } = new("qwen3", "Qwen3ForCausalLM", false, true, false, true, 128, null, true);

    /// <summary>Every supported architecture.</summary>
    public static IReadOnlyList<DecoderArchitecture> All { get; } = [Llama, Mistral, Qwen2, Qwen3];

    /// <summary>The supported <c>model_type</c> values, for messages.</summary>
    public static string SupportedModelTypes => string.Join(", ", All.Select(architecture => architecture.ModelType));

    /// <summary>The architecture of <paramref name="modelType"/>, or null when unsupported.</summary>
    public static DecoderArchitecture? Find(string modelType) =>
        All.FirstOrDefault(architecture => string.Equals(architecture.ModelType, modelType, StringComparison.Ordinal));
}

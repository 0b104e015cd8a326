using System;
using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>
/// A training session's LoRA adapters: rank, scale, initialisation seed, and which modules they
/// adapt (attention projections, MLP projections and the unembedding, each switched on its own).
/// </summary>
/// <param name="Rank">Adapter rank (≥ 1).</param>
/// <param name="Alpha">Scale numerator; the update is multiplied by <c>Alpha / Rank</c>. Defaults to <c>Rank</c>.</param>
/// <param name="Seed">Seed of the adapters' initialisation.</param>
public sealed record LoraConfig(int Rank = 8, double? Alpha = null, long Seed = 0)
{
    /// <summary>The attention projections adapted in every layer when <see cref="TrainAttention"/> is on.</summary>
    public static IReadOnlyList<string> AttentionModules { get; } =
        ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"];

    /// <summary>The MLP projections adapted in every layer when <see cref="TrainMlp"/> is on.</summary>
    public static IReadOnlyList<string> MlpModules { get; } = ["mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];

    /// <summary>
    /// The unembedding (output head) adapted when <see cref="TrainUnembed"/> is on. With tied
    /// embeddings only the output side is adapted; the input embedding stays as it is (as peft does
    /// for an <c>lm_head</c> target).
    /// </summary>
    public const string UnembedModule = "lm_head";

    /// <summary>Whether the attention projections (q, k, v, o) of every layer carry adapters. Default on.</summary>
    public bool TrainAttention { get; init; } = true;

    /// <summary>Whether the MLP projections (gate, up, down) of every layer carry adapters. Default on.</summary>
    public bool TrainMlp { get; init; } = true;

    /// <summary>
    /// Whether the unembedding (<c>lm_head</c>, <c>[vocab, hidden]</c>) carries an adapter: logits become
    /// <c>h·Wᵀ + (alpha/rank)·(h·Aᵀ)·Bᵀ</c>. Default off.
    /// </summary>
    public bool TrainUnembed { get; init; }

    /// <summary>
    /// The per-layer projections adapted (suffixes of <c>model.layers.N.</c>), attention first, then
    /// MLP; the unembedding is not among them (see <see cref="TrainUnembed"/>). A method rather than a
    /// property so the record's printed form shows the switches, not a list.
    /// </summary>
    public IReadOnlyList<string> LayerModules() =>
        [.. TrainAttention ? AttentionModules : [], .. TrainMlp ? MlpModules : []];

    /// <summary>The adapted modules in words, e.g. <c>attention + MLP</c> (for messages).</summary>
    public string DescribeTargets()
    {
        var names = new List<string>();
        if (TrainAttention)
        {
            names.Add("attention");
        }

        if (TrainMlp)
        {
            names.Add("MLP");
        }

        if (TrainUnembed)
        {
            names.Add("unembedding");
        }

        return names.Count == 0 ? "nothing" : string.Join(" + ", names);
    }

    /// <summary>The resolved alpha.</summary>
    public double ResolvedAlpha => Alpha ?? Rank;

    /// <summary>The operation name a rejected LoRA config is reported under.</summary>
    public const string Operation = "create_session";

    /// <summary>The key a config that adapts nothing is reported under.</summary>
    public const string TargetsKey = "targets";

    /// <summary>Every out-of-range field, as violations (empty when valid).</summary>
    public IReadOnlyList<BatchViolation> Check()
    {
        var problems = new List<BatchViolation>();
        if (Rank < 1)
        {
            problems.Add(new(null, "rank", $"is {Rank}; LoRA rank must be at least 1."));
        }

        if (!(ResolvedAlpha > 0) || !double.IsFinite(ResolvedAlpha))
        {
            problems.Add(new(null, "alpha", FormattableString.Invariant($"is {ResolvedAlpha}; LoRA alpha must be a positive finite number.")));
        }

        if (!TrainAttention && !TrainMlp && !TrainUnembed)
        {
            problems.Add(new(null, TargetsKey, "adapt nothing: TrainAttention, TrainMlp and TrainUnembed are all false; switch at least one on."));
        }

        return problems;
    }
}

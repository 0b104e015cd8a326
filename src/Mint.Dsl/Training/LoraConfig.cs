using System;
using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>A training session's LoRA adapters: rank, scale and initialisation seed.</summary>
/// <param name="Rank">Adapter rank (≥ 1).</param>
/// <param name="Alpha">Scale numerator; the update is multiplied by <c>Alpha / Rank</c>. Defaults to <c>Rank</c>.</param>
/// <param name="Seed">Seed of the adapters' initialisation.</param>
public sealed record LoraConfig(int Rank = 8, double? Alpha = null, long Seed = 0)
{
    /// <summary>The projections adapted in every layer: attention and MLP.</summary>
    public static IReadOnlyList<string> TargetModules { get; } =
        ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];

    /// <summary>The resolved alpha.</summary>
    public double ResolvedAlpha => Alpha ?? Rank;

    /// <summary>The operation name a rejected LoRA config is reported under.</summary>
    public const string Operation = "create_session";

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

        return problems;
    }
}

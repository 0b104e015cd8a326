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

    /// <summary>Throws when rank or alpha is out of range.</summary>
    public void Check()
    {
        if (Rank < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Rank), Rank, "LoRA rank must be at least 1.");
        }

        if (!(ResolvedAlpha > 0) || !double.IsFinite(ResolvedAlpha))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "LoRA alpha must be a positive finite number.");
        }
    }
}

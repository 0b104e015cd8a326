using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>How a loss reads the datums of a batch.</summary>
public enum BatchLayout
{
    /// <summary>Each datum stands alone.</summary>
    Independent,

    /// <summary>Datums alternate chosen, rejected, chosen, rejected, … (<see cref="Pair{T}"/> parameters).</summary>
    ChosenRejectedPairs,
}

/// <summary>The kind of number a loss-config entry holds.</summary>
public enum LossConfigType
{
    /// <summary>Any finite number (<c>double</c> or <c>float</c> parameter).</summary>
    Number,

    /// <summary>A whole number (<c>int</c> or <c>long</c> parameter).</summary>
    Integer,

    /// <summary>0 or 1 (<c>bool</c> parameter).</summary>
    Boolean,
}

/// <summary>A <c>loss_fn_inputs</c> entry the loss requires.</summary>
/// <param name="Key">The key in <see cref="Datum.LossFnInputs"/>.</param>
/// <param name="DType">The dtype the datum must carry.</param>
/// <param name="Rank">How many values per datum: one, one per token (the default), or K per token.</param>
public sealed record LossInputSpec(string Key, TensorDType DType, InputRank Rank = InputRank.PerToken);

/// <summary>A <c>loss_fn_config</c> entry; required when <paramref name="DefaultValue"/> is null.</summary>
/// <param name="Key">The config key.</param>
/// <param name="Type">What kind of number it holds.</param>
/// <param name="DefaultValue">The value used when the caller gives none.</param>
/// <param name="Min">The smallest value accepted (inclusive), or null when unbounded below.</param>
/// <param name="Max">The largest value accepted (inclusive), or null when unbounded above.</param>
public sealed record LossConfigSpec(string Key, LossConfigType Type, double? DefaultValue, double? Min = null, double? Max = null)
{
    /// <summary>True when the caller must give a value.</summary>
    public bool IsRequired => DefaultValue is null;
}

/// <summary>
/// What a loss requires of a batch, derived by the source generator from the loss method's
/// signature: its name, the batch layout, the inputs with their dtypes and ranks, the rank of the
/// log-probs (one target per position, or K candidates), and its config. A per-token input has
/// exactly one value per model-input position; a K-per-token input K, the batch's candidate count.
/// </summary>
public sealed class LossContract
{
    /// <summary>Creates a contract (normally emitted by the generator).</summary>
    public LossContract(
        string name,
        BatchLayout layout,
        IReadOnlyList<LossInputSpec> inputs,
        IReadOnlyList<LossConfigSpec> config,
        IReadOnlyList<IReadOnlyList<string>>? configOrders = null,
        InputRank logprobsRank = InputRank.PerToken)
    {
        Name = name;
        LogprobsRank = logprobsRank;
        Layout = layout;
        Inputs = inputs;
        Config = config;
        ConfigOrders = configOrders ?? [];
    }

    /// <summary>The loss's name.</summary>
    public string Name { get; }

    /// <summary>How the batch is laid out.</summary>
    public BatchLayout Layout { get; }

    /// <summary>
    /// The rank of the target log-probs the loss reads: <see cref="InputRank.PerToken"/> (one target per
    /// position, <c>target_tokens [T]</c> or <c>[T, 1]</c>) or <see cref="InputRank.KPerToken"/>
    /// (<c>target_tokens [T, K]</c>, log-probs <c>[datums, tokens, K]</c>).
    /// </summary>
    public InputRank LogprobsRank { get; }

    /// <summary>True when the loss reads K candidate targets per position.</summary>
    public bool IsMultiTarget => LogprobsRank == InputRank.KPerToken;

    /// <summary>The required <c>loss_fn_inputs</c>, in signature order.</summary>
    public IReadOnlyList<LossInputSpec> Inputs { get; }

    /// <summary>The <c>loss_fn_config</c> entries, in signature order.</summary>
    public IReadOnlyList<LossConfigSpec> Config { get; }

    /// <summary>
    /// Relations between config values: each list holds config keys whose values must not decrease
    /// in that order (<c>[clip_low_threshold, clip_high_threshold]</c> means low ≤ high).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> ConfigOrders { get; }

    /// <summary>The spec of input <paramref name="key"/>, or null when the loss does not read it.</summary>
    public LossInputSpec? FindInput(string key) => Inputs.FirstOrDefault(input => input.Key == key);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}({string.Join(", ", Inputs.Select(input => $"{input.Key}: {input.DType.ToWireName()}{RankSuffix(input.Rank)}"))}"
        + (Layout == BatchLayout.ChosenRejectedPairs ? "; pairs)" : ")");

    /// <summary>How <see cref="ToString"/> writes a rank: nothing for one value per token.</summary>
    private static string RankSuffix(InputRank rank) => rank switch
    {
        InputRank.PerDatum => " per datum",
        InputRank.KPerToken => " [T, K]",
        _ => string.Empty,
    };
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>
/// Selects a built-in loss and its config for <c>ForwardBackwardAsync</c>; the server runs it inside
/// the model's own forward/backward pass. Defaults live in the DSL definitions in
/// <see cref="BuiltinLosses"/>; arguments left null keep them.
/// </summary>
public sealed class LossFn
{
    private static readonly LossDefinition[] Builtins =
    [
        BuiltinLosses.CrossEntropyLoss,
        BuiltinLosses.ImportanceSamplingLoss,
        BuiltinLosses.PpoLoss,
        BuiltinLosses.CispoLoss,
        BuiltinLosses.DroLoss,
    ];

    private LossFn(LossDefinition definition)
    {
        Definition = definition;
    }

    /// <summary>The DSL definition with its config bound.</summary>
    public LossDefinition Definition { get; }

    /// <summary>The wire name (<c>cross_entropy</c>, <c>ppo</c>, …).</summary>
    public string Name => Definition.Name;

    /// <summary>The bound config, defaults included.</summary>
    public IReadOnlyDictionary<string, double> Config => Definition.Config;

    /// <summary>The names of the built-in losses.</summary>
    public static IReadOnlyList<string> BuiltinNames { get; } = Array.ConvertAll(Builtins, builtin => builtin.Name);

    /// <summary><c>cross_entropy</c>: requires <c>target_tokens</c>, <c>weights</c>.</summary>
    public static LossFn CrossEntropy { get; } = new(BuiltinLosses.CrossEntropyLoss);

    /// <summary><c>importance_sampling</c>: requires <c>target_tokens</c>, <c>logprobs</c>, <c>advantages</c>.</summary>
    public static LossFn ImportanceSampling { get; } = new(BuiltinLosses.ImportanceSamplingLoss);

    /// <summary><c>ppo</c> with absolute ratio bounds (defaults 0.8 / 1.2).</summary>
    public static LossFn Ppo(double? clipLowThreshold = null, double? clipHighThreshold = null) =>
        Bind(BuiltinLosses.PpoLoss, ("clip_low_threshold", clipLowThreshold), ("clip_high_threshold", clipHighThreshold));

    /// <summary><c>cispo</c> with absolute ratio bounds (defaults 0.0 / 4.0).</summary>
    public static LossFn Cispo(double? clipLowThreshold = null, double? clipHighThreshold = null) =>
        Bind(BuiltinLosses.CispoLoss, ("clip_low_threshold", clipLowThreshold), ("clip_high_threshold", clipHighThreshold));

    /// <summary><c>dro</c> with its required <paramref name="beta"/>.</summary>
    public static LossFn Dro(double beta) => Bind(BuiltinLosses.DroLoss, ("beta", beta));

    /// <summary>
    /// The built-in called <paramref name="name"/> with <paramref name="config"/> bound, as a server
    /// receives it. Unknown names and config keys are rejected.
    /// </summary>
    public static LossFn FromName(string name, IReadOnlyDictionary<string, double>? config = null)
    {
        var builtin = Array.Find(Builtins, candidate => candidate.Name == name)
            ?? throw new BatchValidationException(BatchValidationException.ForLoss(name), [new(null, null, $"'{name}' is not a built-in loss; the built-ins are: {string.Join(", ", BuiltinNames)}.")]);
        return new(builtin.WithConfig(config ?? new Dictionary<string, double>()));
    }

    /// <summary>The name and bound config as a call: <c>ppo(clip_low_threshold=0.8, clip_high_threshold=1.2)</c>.</summary>
    public override string ToString() => Config.Count == 0
        ? Name
        : $"{Name}({string.Join(", ", Config.Select(entry => FormattableString.Invariant($"{entry.Key}={entry.Value}")))})";

    private static LossFn Bind(LossDefinition definition, params (string Key, double? Value)[] entries)
    {
        var config = new Dictionary<string, double>();
        foreach (var (key, value) in entries)
        {
            if (value is double given)
            {
                config[key] = given;
            }
        }

        return new(definition.WithConfig(config));
    }
}

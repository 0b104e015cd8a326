using System;
using System.Collections.Generic;

namespace Mint.Dsl.Tests.Support;

/// <summary>
/// A loss definition written by hand in the shape the generator emits, over a body given as a
/// delegate. It reaches what the analyzers keep a generated loss from doing (returning a vector or an
/// integer, a vector metric) and declares config of every type, so the runtime's own checks can be
/// tested.
/// </summary>
internal sealed class HandWrittenLoss : LossDefinition
{
    private readonly Func<LossBatch, IReadOnlyDictionary<string, double>, LossResult> body;

    public HandWrittenLoss(
        IReadOnlyList<LossConfigSpec> config,
        Func<LossBatch, IReadOnlyDictionary<string, double>, LossResult> body,
        IReadOnlyDictionary<string, double>? given = null,
        InputRank targets = InputRank.PerToken)
        : base(new LossContract("hand_written", BatchLayout.Independent, [new("target_tokens", TensorDType.Int64, targets), new("weights", TensorDType.Float32)], config, logprobsRank: targets), given)
    {
        this.body = body;
    }

    /// <summary>A loss with no config over <paramref name="body"/>.</summary>
    public static HandWrittenLoss Of(Func<LossBatch, LossResult> body) => new([], (batch, _) => body(batch));

    /// <summary>A loss with no config over <paramref name="body"/> reading K candidate targets per position (<c>target_tokens [T, K]</c>, log-probs <c>[B, T, K]</c>).</summary>
    public static HandWrittenLoss MultiTarget(Func<LossBatch, LossResult> body) => new([], (batch, _) => body(batch), targets: InputRank.KPerToken);

    protected override void ValidateData(BatchValidator check)
    {
        for (var index = 0; index < check.Data.Count; index++)
        {
            foreach (var input in Contract.Inputs)
            {
                ContractChecks.Input(check, index, input);
            }
        }
    }

    protected override LossResult Invoke(LossBatch batch) => body(batch, Config);

    protected override LossDefinition Rebind(IReadOnlyDictionary<string, double> newConfig) => new HandWrittenLoss(Contract.Config, body, newConfig, Contract.LogprobsRank);
}

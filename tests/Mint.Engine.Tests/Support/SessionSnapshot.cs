using System.Collections.Generic;
using System.Linq;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// A session's adapter weights, gradients and step, to prove a call changed nothing. Equal means equal
/// element for element, a NaN where there was a NaN included (an earlier call may have left NaN gradients).
/// </summary>
internal sealed record SessionSnapshot(Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Gradients, long Step)
{
    public static SessionSnapshot Of(TrainingSession session) => new(session.AdapterWeights(), session.AdapterGradients(), session.Info.Step);

    public void AssertUnchanged(TrainingSession session)
    {
        var now = Of(session);
        Assert.Equal(Step, now.Step);
        Assert.All(Weights, entry => Assert.True(allclose(entry.Value, now.Weights[entry.Key], 0, 0, equal_nan: true), $"weight {entry.Key} changed"));
        Assert.All(Gradients, entry => Assert.True(allclose(entry.Value, now.Gradients[entry.Key], 0, 0, equal_nan: true), $"gradient {entry.Key} changed"));
    }

    public static bool Identical(Dictionary<string, Tensor> left, Dictionary<string, Tensor> right) =>
        left.Keys.Order().SequenceEqual(right.Keys.Order()) && left.All(entry => allclose(entry.Value, right[entry.Key], 0, 0, equal_nan: true));
}

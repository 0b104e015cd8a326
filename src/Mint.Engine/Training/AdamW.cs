using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mint.Engine.Training;

/// <summary>
/// Adam with decoupled weight decay over a fixed set of named parameters. Written out rather than
/// borrowed so its whole state (moments and step) can be saved and restored exactly, and the
/// hyper-parameters can change on every step, as <c>optim_step(AdamParams)</c> allows.
/// </summary>
internal sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> parameters;
    private readonly Dictionary<string, (Tensor First, Tensor Second)> moments = [];

    public AdamW(IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        this.parameters = parameters;
        foreach (var (name, parameter) in parameters)
        {
            moments[name] = (zeros_like(parameter).DetachFromDisposeScope(), zeros_like(parameter).DetachFromDisposeScope());
        }
    }

    /// <summary>Steps taken so far.</summary>
    public long Step { get; private set; }

    /// <summary>Applies one update from the accumulated gradients, clipped to <see cref="AdamParams.GradClipNorm"/>; returns the gradient norm before clipping.</summary>
    public double Apply(AdamParams hyper)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Step++;
        var firstCorrection = 1 - Math.Pow(hyper.Beta1, Step);
        var secondCorrection = 1 - Math.Pow(hyper.Beta2, Step);
        var gradients = parameters.Select(entry => entry.Parameter.grad ?? zeros_like(entry.Parameter)).ToList();
        var norm = Math.Sqrt(gradients.Sum(gradient => gradient.square().sum().to(ScalarType.Float64).item<double>()));
        var clip = ClipScale(norm, hyper.GradClipNorm);
        for (var index = 0; index < parameters.Count; index++)
        {
            var (name, parameter) = parameters[index];
            var gradient = clip < 1 ? gradients[index] * clip : gradients[index];
            var (first, second) = moments[name];
            first.mul_(hyper.Beta1).add_(gradient, alpha: 1 - hyper.Beta1);
            second.mul_(hyper.Beta2).addcmul_(gradient, gradient, value: 1 - hyper.Beta2);
            if (hyper.WeightDecay > 0)
            {
                parameter.mul_(1 - (hyper.LearningRate * hyper.WeightDecay));
            }

            var denominator = (second / secondCorrection).sqrt_().add_(hyper.Eps);
            parameter.addcdiv_(first, denominator, value: -hyper.LearningRate / firstCorrection);
        }

        return norm;
    }

    /// <summary>
    /// What the gradient is multiplied by so its global norm is at most <paramref name="maxNorm"/>:
    /// <c>min(1, maxNorm / (norm + 1e-6))</c>, as <c>torch.nn.utils.clip_grad_norm_</c>; 1 when clipping is off (0).
    /// </summary>
    internal static double ClipScale(double norm, double maxNorm) =>
        maxNorm > 0 ? Math.Min(1.0, maxNorm / (norm + 1e-6)) : 1.0;

    /// <summary>The moments by <c>{name}.exp_avg</c> / <c>{name}.exp_avg_sq</c>, for a checkpoint.</summary>
    public Dictionary<string, Tensor> State()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, (first, second)) in moments)
        {
            state[name + ".exp_avg"] = first;
            state[name + ".exp_avg_sq"] = second;
        }

        return state;
    }

    /// <summary>Names and shapes a checkpoint's optimizer state must have.</summary>
    public IEnumerable<(string Name, long[] Shape)> ExpectedState() => parameters.SelectMany(entry => new[]
    {
        (entry.Name + ".exp_avg", entry.Parameter.shape),
        (entry.Name + ".exp_avg_sq", entry.Parameter.shape),
    });

    /// <summary>Replaces moments and step with a checkpoint's (already checked against <see cref="ExpectedState"/>).</summary>
    public void Restore(IReadOnlyDictionary<string, Tensor> state, long step)
    {
        using var noGrad = no_grad();
        foreach (var (name, (first, second)) in moments)
        {
            first.copy_(state[name + ".exp_avg"]);
            second.copy_(state[name + ".exp_avg_sq"]);
        }

        Step = step;
    }

    public void Dispose()
    {
        foreach (var (first, second) in moments.Values)
        {
            first.Dispose();
            second.Dispose();
        }
    }
}

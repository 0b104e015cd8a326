using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using static TorchSharp.torch;

namespace Mint.Engine.Training;

/// <summary>
/// Adam with decoupled weight decay over a session's adapters. Written out rather than borrowed so
/// its whole state (moments and step) can be saved and restored exactly, and the hyper-parameters
/// can change on every step, as <c>optim_step(AdamParams)</c> allows. The adapters, their gradients
/// and both moments are flat buffers, so a step is a few whole-buffer operations and reads the
/// gradient norm back once: one host synchronisation per step, however many adapters there are.
/// </summary>
internal sealed class AdamW : IDisposable
{
    private readonly LoraAdapters adapters;
    private readonly Tensor first;
    private readonly Tensor second;

    public AdamW(LoraAdapters adapters)
    {
        this.adapters = adapters;
        first = zeros_like(adapters.Values).DetachFromDisposeScope();
        second = zeros_like(adapters.Values).DetachFromDisposeScope();
    }

    /// <summary>Steps taken so far.</summary>
    public long Step { get; private set; }

    /// <summary>
    /// Applies one update from the accumulated gradients, clipped to <see cref="AdamParams.GradClipNorm"/>;
    /// returns the gradient norm before clipping. The clip scale is computed on the device, so the norm
    /// is read back once, at the end.
    /// </summary>
    public double Apply(AdamParams hyper)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Step++;
        var firstCorrection = 1 - Math.Pow(hyper.Beta1, Step);
        var secondCorrection = 1 - Math.Pow(hyper.Beta2, Step);
        var gradient = adapters.Gradients;
        var parameters = adapters.Values;
        var norm = gradient.to(ScalarType.Float64).square().sum().sqrt();
        if (hyper.GradClipNorm > 0)
        {
            // min(1, max_norm / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_.
            gradient = gradient * (hyper.GradClipNorm / (norm + 1e-6)).clamp_max(1.0).to(gradient.dtype);
        }

        first.mul_(hyper.Beta1).add_(gradient, alpha: 1 - hyper.Beta1);
        second.mul_(hyper.Beta2).addcmul_(gradient, gradient, value: 1 - hyper.Beta2);
        if (hyper.WeightDecay > 0)
        {
            parameters.mul_(1 - (hyper.LearningRate * hyper.WeightDecay));
        }

        var denominator = (second / secondCorrection).sqrt_().add_(hyper.Eps);
        parameters.addcdiv_(first, denominator, value: -hyper.LearningRate / firstCorrection);
        return norm.cpu().item<double>();
    }

    /// <summary>The moments by <c>{name}.exp_avg</c> / <c>{name}.exp_avg_sq</c> (views), for a checkpoint.</summary>
    public Dictionary<string, Tensor> State()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, offset, shape) in adapters.Layout)
        {
            var count = shape[0] * shape[1];
            state[name + ".exp_avg"] = first.narrow(0, offset, count).view(shape);
            state[name + ".exp_avg_sq"] = second.narrow(0, offset, count).view(shape);
        }

        return state;
    }

    /// <summary>Names and shapes a checkpoint's optimizer state must have.</summary>
    public IEnumerable<(string Name, long[] Shape)> ExpectedState() => adapters.Parameters().SelectMany(entry => new[]
    {
        (entry.Name + ".exp_avg", entry.Parameter.shape),
        (entry.Name + ".exp_avg_sq", entry.Parameter.shape),
    });

    /// <summary>Replaces moments and step with a checkpoint's (already checked against <see cref="ExpectedState"/>), from any device.</summary>
    public void Restore(IReadOnlyDictionary<string, Tensor> state, long step)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, offset, shape) in adapters.Layout)
        {
            var count = shape[0] * shape[1];
            first.narrow(0, offset, count).view(shape).copy_(state[name + ".exp_avg"]);
            second.narrow(0, offset, count).view(shape).copy_(state[name + ".exp_avg_sq"]);
        }

        Step = step;
    }

    /// <summary>Zeroes both moments and the step: the state of a freshly made optimizer.</summary>
    public void Reset()
    {
        using var noGrad = no_grad();
        first.zero_();
        second.zero_();
        Step = 0;
    }

    public void Dispose()
    {
        first.Dispose();
        second.Dispose();
    }
}

using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Mint.Dsl;

/// <summary>
/// For a composed loss, the L2 norm of each part's gradient with respect to the log-probs: the base
/// loss's, and each term's weighted one. Padded positions are left out, as they are from the gradient
/// the loss reports. Run before the loss's own backward pass, which frees the graph.
/// </summary>
internal static class TermGradientNorms
{
    public static Dictionary<string, double> Compute(LossResult result, Tensor logprobs, int[] lengths)
    {
        var width = logprobs.shape[1];
        var real = (arange(width, device: logprobs.device).unsqueeze(0)
                    < tensor(lengths.Select(length => (long)length).ToArray(), device: logprobs.device).unsqueeze(1))
            .to(logprobs.dtype);
        if (logprobs.dim() == 3)
        {
            // Multi-target log-probs [datums, tokens, K]: padding is masked over every candidate.
            real = real.unsqueeze(-1);
        }

        var parts = result.Terms
            .Select(term => (term.Name, Value: term.Value * term.Weight))
            .Prepend((Name: LossTerm.BaseName, Value: result.BaseLoss));
        var norms = new Dictionary<string, double>();
        foreach (var (name, value) in parts)
        {
            var gradient = value.requires_grad
                ? autograd.grad([value.reshape([])], [logprobs], retain_graph: true, allow_unused: true)[0]
                : null;
            norms[LossTerm.GradientNormMetric(name)] = gradient is null
                ? 0.0
                : (gradient * real).to(ScalarType.Float64).norm().cpu().item<double>();
        }

        return norms;
    }
}

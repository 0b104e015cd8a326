using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Sampling;

/// <summary>
/// Log-probs read from full logits: the prompt's own log-probs, and the k most likely next tokens at
/// each position. A separate pass over the sequence that keeps every position's logits, run only
/// when asked for, so sampling and the plain forward stay lean.
/// </summary>
internal static class TopLogprobs
{
    /// <summary>
    /// For <paramref name="prompt"/>: log p(prompt[i] | prompt[..i]) per position and the
    /// <paramref name="k"/> most likely tokens there; position 0 has neither.
    /// </summary>
    public static (float?[]? Logprobs, IReadOnlyList<TokenLogprob>?[]? TopK) OfPrompt(DecoderModel model, int[] prompt, bool logprobs, int k)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tokens = tensor(prompt.Select(token => (long)token).ToArray(), device: model.Device).unsqueeze(0);
        var predicted = functional.log_softmax(model.Forward(tokens).squeeze(0).to(ScalarType.Float32), -1).narrow(0, 0, prompt.Length - 1);
        float?[]? chosen = null;
        if (logprobs)
        {
            var values = predicted.gather(1, tokens.squeeze(0).narrow(0, 1, prompt.Length - 1).unsqueeze(1)).squeeze(1).cpu().data<float>().ToArray();
            chosen = values.Select(value => (float?)value).Prepend(null).ToArray();
        }

        var top = k > 0 ? Top(predicted, k).Prepend(null).ToArray() : null;
        return (chosen, top);
    }

    /// <summary>For each row of <paramref name="logprobs"/> <c>[positions, vocab]</c>, its <paramref name="k"/> largest entries, largest first.</summary>
    public static IEnumerable<IReadOnlyList<TokenLogprob>> Top(Tensor logprobs, int k)
    {
        var (values, indices) = logprobs.topk(k, -1);
        var flatValues = values.cpu().data<float>().ToArray();
        var flatIndices = indices.cpu().data<long>().ToArray();
        for (var row = 0; row < logprobs.shape[0]; row++)
        {
            yield return Enumerable.Range(row * k, k).Select(index => new TokenLogprob((int)flatIndices[index], flatValues[index])).ToArray();
        }
    }

    /// <summary>Per datum, per model-input position, the <paramref name="k"/> most likely next tokens.</summary>
    public static IReadOnlyList<IReadOnlyList<IReadOnlyList<TokenLogprob>>> OfBatch(DecoderModel model, Tensor tokens, IReadOnlyList<Datum> data, int k)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var all = functional.log_softmax(model.Forward(tokens).to(ScalarType.Float32), -1);
        return data.Select((datum, row) => (IReadOnlyList<IReadOnlyList<TokenLogprob>>)Top(all[row].narrow(0, 0, datum.ModelInput.Length), k).ToList()).ToList();
    }
}

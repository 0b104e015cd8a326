using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Sampling;

/// <summary>
/// Autoregressive sampling of <c>n</c> completions of one prompt, batched, with temperature,
/// top-k, top-p, stop tokens and a seed (the same tokens on every device). The prompt is read once into a <see cref="KvCache"/>;
/// each new token then costs one single-position step.
/// </summary>
internal static class Sampler
{
    public static SampleResult Sample(DecoderModel model, int[] prompt, int count, SamplingParams parameters, bool useKvCache = true)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(unchecked((ulong)(parameters.Seed ?? Random.Shared.NextInt64())));
        var device = model.Device;
        var stops = parameters.StopTokens.ToHashSet();
        var tokens = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        var logprobs = Enumerable.Range(0, count).Select(_ => new List<float>()).ToArray();
        var finished = new bool[count];

        using var cache = useKvCache ? new KvCache(model.Config.NumHiddenLayers, prompt.Length + parameters.MaxTokens) : null;
        var context = tensor(prompt.Select(token => (long)token).ToArray(), device: device).unsqueeze(0).expand(count, -1).contiguous();
        var logits = model.NextTokenLogits(context, cache);
        for (var step = 0; step < parameters.MaxTokens; step++)
        {
            // One scope per token: what a step allocates is released before the next, however long the generation.
            using var stepScope = NewDisposeScope();
            var (next, chosenLogprobs) = Pick(logits, parameters, generator);
            var nextIds = next.cpu().data<long>().ToArray();
            var nextLogprobs = chosenLogprobs.cpu().data<float>().ToArray();
            for (var row = 0; row < count; row++)
            {
                if (finished[row])
                {
                    continue;
                }

                tokens[row].Add((int)nextIds[row]);
                logprobs[row].Add(nextLogprobs[row]);
                finished[row] = stops.Contains((int)nextIds[row]);
            }

            if (finished.All(done => done) || step == parameters.MaxTokens - 1)
            {
                break;
            }

            var column = next.unsqueeze(1);
            logits.Dispose();
            if (cache is null)
            {
                var longer = cat([context, column], 1).MoveToOuterDisposeScope();
                context.Dispose();
                context = longer;
                logits = model.NextTokenLogits(context).MoveToOuterDisposeScope();
            }
            else
            {
                logits = model.NextTokenLogits(column, cache).MoveToOuterDisposeScope();
            }
        }

        return new SampleResult(Enumerable.Range(0, count).Select(row => new SampledSequence(
            tokens[row], logprobs[row], finished[row] ? StopReason.StopToken : StopReason.Length)).ToList());
    }

    /// <summary>
    /// The next token per row of <paramref name="logits"/> (<c>[rows, vocab]</c>) and its log-prob under
    /// the tempered, untruncated distribution. Internal so tests can give it logits whose top-p cut falls
    /// exactly on a boundary, which no model produces on purpose.
    /// </summary>
    internal static (Tensor Next, Tensor Logprobs) Pick(Tensor logits, SamplingParams parameters, Generator generator)
    {
        logits = logits.to(ScalarType.Float32);
        if (parameters.Temperature == 0)
        {
            var greedy = logits.argmax(-1);
            return (greedy, functional.log_softmax(logits, -1).gather(-1, greedy.unsqueeze(-1)).squeeze(-1));
        }

        var scaled = logits / parameters.Temperature;
        var policy = functional.log_softmax(scaled, -1);
        var filtered = scaled;
        if (parameters.TopK > 0 && parameters.TopK < scaled.shape[^1])
        {
            var kth = scaled.topk(parameters.TopK, -1).values.narrow(-1, parameters.TopK - 1, 1);
            filtered = filtered.masked_fill(filtered < kth, double.NegativeInfinity);
        }

        if (parameters.TopP < 1)
        {
            var (sorted, order) = filtered.sort(-1, descending: true);
            var probabilities = functional.softmax(sorted, -1);
            // Drop a token when the tokens before it already reach top_p; the first always stays,
            // also when top_p is too small for float32 (the comparison would then drop every token).
            var before = probabilities.cumsum(-1) - probabilities;
            var dropSorted = before >= parameters.TopP;
            dropSorted.narrow(-1, 0, 1).fill_(false);
            var drop = zeros_like(dropSorted).scatter(-1, order, dropSorted);
            filtered = filtered.masked_fill(drop, double.NegativeInfinity);
        }

        var next = Draw(functional.softmax(filtered, -1), generator);
        return (next, policy.gather(-1, next.unsqueeze(-1)).squeeze(-1));
    }

    /// <summary>
    /// One token per row from <paramref name="probabilities"/> by inverting the cumulative
    /// distribution at a uniform number drawn from the CPU <paramref name="generator"/>: the seed
    /// fixes the random numbers whatever device the model runs on, so a seeded sample is the same
    /// on CPU and GPU (up to the devices' rounding of the probabilities themselves).
    /// </summary>
    private static Tensor Draw(Tensor probabilities, Generator generator)
    {
        var cumulative = probabilities.to(ScalarType.Float64).cumsum(-1);
        var vocab = cumulative.shape[^1];
        var uniform = rand([cumulative.shape[0], 1], ScalarType.Float64, generator: generator).to(cumulative.device);
        var threshold = uniform * cumulative.narrow(-1, vocab - 1, 1);
        // The first token whose cumulative probability exceeds the threshold: tokens of probability 0 are never chosen.
        return (cumulative <= threshold).sum(-1).clamp_max(vocab - 1);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Sampling;

/// <summary>
/// What the sampler draws from and the log-probs it reports, against the distribution computed in the
/// test from <see cref="ReferenceDecoder"/>'s float64 logits: <c>log_softmax(logits / T)</c>, then
/// top-k, then the nucleus of top-p, renormalised.
/// </summary>
public sealed class SamplingDistributionTests : IDisposable
{
    private static readonly int[] Prompt = [9, 4, 22, 4];
    private readonly PretrainedModel model = TinyModel.Load(seed: 21);
    private readonly TrainingSession session;
    private readonly ReferenceDecoder reference;

    public SamplingDistributionTests()
    {
        // Fresh adapters leave the base model unchanged, so the reference needs only the base weights.
        session = new TrainingSession("distribution", model, new LoraConfig(2));
        reference = new ReferenceDecoder(model.Config, model.Weights.ToDictionary());
    }

    public void Dispose()
    {
        session.Dispose();
        model.Dispose();
    }

    /// <summary>log_softmax(logits / T) of the next token after <paramref name="context"/>, in float64.</summary>
    private double[] TemperedLogprobs(IEnumerable<int> context, double temperature)
    {
        var logits = reference.Logits(context.Select(token => (long)token).ToArray())[^1];
        return ReferenceDecoder.LogSoftmax(logits.Select(logit => logit / temperature).ToArray());
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.75)]
    public void Sampled_logprobs_are_log_softmax_of_logits_over_the_temperature(double temperature)
    {
        var sample = session.Sample(ModelInput.FromInts(Prompt), 3, new SamplingParams { MaxTokens = 5, Temperature = temperature, Seed = 4 });

        var largestChange = 0.0;
        foreach (var sequence in sample.Sequences)
        {
            for (var index = 0; index < sequence.Tokens.Count; index++)
            {
                var expected = TemperedLogprobs(Prompt.Concat(sequence.Tokens.Take(index)), temperature)[sequence.Tokens[index]];
                var untempered = TemperedLogprobs(Prompt.Concat(sequence.Tokens.Take(index)), 1)[sequence.Tokens[index]];
                largestChange = Math.Max(largestChange, Math.Abs(expected - untempered));
                Assert.Equal(expected, sequence.Logprobs[index], 1e-4);
            }
        }

        Assert.True(largestChange > 0.1, "the temperature should change the sampled tokens' log-probs");
    }

    [Theory]
    [InlineData(5, 1.0, 1.3)]
    [InlineData(0, 0.5, 0.5)]
    [InlineData(4, 0.75, 0.75)]
    public void Samples_follow_the_tempered_distribution_cut_to_top_k_then_top_p(int topK, double topP, double temperature)
    {
        const int draws = 600;
        var policy = TemperedLogprobs(Prompt, temperature);
        var kept = Nucleus(policy, topK, topP);
        Assert.InRange(kept.Count, 2, 5);

        // Five seeded calls of 120 (the engine's per-call limit is 128 samples).
        var sequences = Enumerable.Range(13, 5).SelectMany(seed => session.Sample(ModelInput.FromInts(Prompt), draws / 5,
            new SamplingParams { MaxTokens = 1, Temperature = temperature, TopK = topK, TopP = topP, Seed = seed }).Sequences).ToList();

        var drawn = sequences.Select(sequence => sequence.Tokens[0]).ToList();
        Assert.All(drawn, token => Assert.Contains(token, kept.Keys));
        foreach (var (token, probability) in kept)
        {
            // 600 draws: a frequency's standard deviation is at most 0.02.
            var frequency = drawn.Count(other => other == token) / (double)draws;
            Assert.True(Math.Abs(frequency - probability) < 0.08, $"token {token} drawn {frequency:P1} of the time; the cut distribution gives it {probability:P1}");
        }

        // The reported log-prob is the tempered model's, before the cut, as importance sampling needs.
        Assert.All(sequences, sequence => Assert.Equal(policy[sequence.Tokens[0]], sequence.Logprobs[0], 1e-4));
    }

    /// <summary>
    /// The tokens sampling may draw and their renormalised probabilities: the <paramref name="topK"/>
    /// most likely (all when 0), then the smallest prefix of those whose probability reaches <paramref name="topP"/>.
    /// </summary>
    private static Dictionary<int, double> Nucleus(double[] logprobs, int topK, double topP)
    {
        var ranked = logprobs.Select((logprob, token) => (Token: token, Probability: Math.Exp(logprob)))
            .OrderByDescending(entry => entry.Probability)
            .Take(topK > 0 ? topK : logprobs.Length)
            .ToList();
        var total = ranked.Sum(entry => entry.Probability);
        var kept = new List<(int Token, double Probability)>();
        var cumulative = 0.0;
        foreach (var (token, probability) in ranked)
        {
            if (cumulative >= topP)
            {
                break;
            }

            kept.Add((token, probability / total));
            cumulative += probability / total;
        }

        var keptTotal = kept.Sum(entry => entry.Probability);
        return kept.ToDictionary(entry => entry.Token, entry => entry.Probability / keptTotal);
    }
}

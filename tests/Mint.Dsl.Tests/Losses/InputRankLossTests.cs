using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Dsl.Tests.Losses;

/// <summary>
/// Losses over inputs of other ranks: a multi-target loss (log-probs <c>[datums, tokens, K]</c>) and
/// a per-datum input (<c>[datums]</c>) compute what their formulas say, and their gradients agree
/// with finite differences in float64.
/// </summary>
public sealed class InputRankLossTests
{
    private static readonly long[] Letters = [10, 11, 12, 13];

    /// <summary>A multiple-choice datum: the last position answers with letter <paramref name="correct"/>.</summary>
    internal static Datum Question(int length, int correct)
    {
        var targets = Enumerable.Range(0, length).SelectMany(_ => Letters).ToArray();
        var answer = Enumerable.Range(0, length).SelectMany(_ => Letters.Select((_, letter) => letter == correct ? 1f : 0f)).ToArray();
        var weights = Enumerable.Range(0, length).Select(position => position == length - 1 ? 1f : 0f).ToArray();
        return new Datum(ModelInput.FromInts(Enumerable.Range(1, length).ToArray()), new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(targets, [length, Letters.Length]),
            ["answer"] = TensorData.FromSingles(answer, [length, Letters.Length]),
            ["weights"] = TensorData.FromSingles(weights),
        });
    }

    internal static List<TensorData> CandidateLogprobs(IReadOnlyList<Datum> data, int seed)
    {
        var random = new Random(seed);
        return data.Select(datum => TensorData.FromDoubles(
            Enumerable.Range(0, datum.ModelInput.Length * Letters.Length).Select(_ => -0.5 - (4 * random.NextDouble())),
            [datum.ModelInput.Length, Letters.Length])).ToList();
    }

    [Fact]
    public void Answer_choice_is_the_cross_entropy_renormalised_over_the_candidates()
    {
        List<Datum> batch = [Question(3, correct: 2), Question(5, correct: 0)];
        var logprobs = CandidateLogprobs(batch, seed: 4);

        var result = GradientCheck.Compute(MultipleChoiceLosses.AnswerChoiceLoss, batch, logprobs);

        // By hand: at each datum's last position, log Σ_k exp(lp_k) − lp_correct.
        var expected = 0.0;
        var probability = 0.0;
        foreach (var (datum, correct, values) in new[] { (batch[0], 2, logprobs[0]), (batch[1], 0, logprobs[1]) })
        {
            var row = values.ToDoubles().Skip((datum.ModelInput.Length - 1) * 4).Take(4).ToArray();
            var normaliser = Math.Log(row.Sum(Math.Exp));
            expected += normaliser - row[correct];
            probability += Math.Exp(row[correct] - normaliser) / 2;
        }

        Assert.Equal(expected, result.Loss, 12);
        Assert.Equal(probability, result.Metrics["answer_probability"], 12);
        Assert.Equal([3L, 4L], result.LogprobGradients[0].Shape);
        Assert.Equal([5L, 4L], result.LogprobGradients[1].Shape);
    }

    [Fact]
    public void Answer_choice_gradient_matches_finite_differences()
    {
        List<Datum> batch = [Question(3, correct: 1), Question(6, correct: 3), Question(4, correct: 0)];
        GradientCheck.MatchesFiniteDifferences(MultipleChoiceLosses.AnswerChoiceLoss, batch, CandidateLogprobs(batch, seed: 7));
    }

    [Fact]
    public void A_per_datum_reference_gives_the_per_token_dpo_when_it_is_the_summed_reference()
    {
        var perToken = PreferenceLosses.DpoLoss.With(beta: 0.5);
        var perDatum = PreferenceLosses.DpoSequenceReferenceLoss.With(beta: 0.5);
        var random = new Random(5);
        var tokenBatch = Enumerable.Range(0, 6).Select(index =>
        {
            // Pairs share a two-token prompt (weights 0 there); completions differ in length.
            var length = 2 + (index % 2) + (index / 2) + 1;
            double[] Values(Func<int, double> value) => Enumerable.Range(0, length).Select(value).ToArray();
            return Batches.Datum(length, ("weights", Values(position => position < 1 ? 0 : 0.5 + random.NextDouble())), ("reference_logprobs", Values(_ => -0.2 - (3 * random.NextDouble()))));
        }).ToList();
        var datumBatch = tokenBatch.Select(datum =>
        {
            var weights = datum.LossFnInputs["weights"].ToDoubles();
            var reference = datum.LossFnInputs["reference_logprobs"].ToDoubles();
            var summed = weights.Zip(reference, (weight, value) => weight * value).Sum();
            return new Datum(datum.ModelInput, new Dictionary<string, TensorData>
            {
                ["target_tokens"] = datum.LossFnInputs["target_tokens"],
                ["weights"] = datum.LossFnInputs["weights"],
                // Shape [] on even datums, [1] on odd ones: both mean one value per datum.
                ["reference_logprob"] = TensorData.FromSingles([(float)summed], datum.ModelInput.Length % 2 == 0 ? [] : [1]),
            });
        }).ToList();
        var logprobs = tokenBatch.Select(datum => TensorData.FromDoubles(Enumerable.Range(0, datum.ModelInput.Length).Select(_ => -0.1 - (3 * random.NextDouble())))).ToList();

        var expected = GradientCheck.Compute(perToken, tokenBatch, logprobs);
        var actual = GradientCheck.Compute(perDatum, datumBatch, logprobs);

        // The summed reference is stored as float32 (the declared dtype): agreement to its precision.
        Assert.Equal(expected.Loss, actual.Loss, 6);
        Assert.Equal(expected.Metrics["reward_accuracy"], actual.Metrics["reward_accuracy"], 12);
        for (var datum = 0; datum < tokenBatch.Count; datum++)
        {
            Assert.All(expected.LogprobGradients[datum].ToDoubles().Zip(actual.LogprobGradients[datum].ToDoubles()), pair => Assert.Equal(pair.First, pair.Second, 6));
        }

        GradientCheck.MatchesFiniteDifferences(perDatum, datumBatch, logprobs);
    }
}

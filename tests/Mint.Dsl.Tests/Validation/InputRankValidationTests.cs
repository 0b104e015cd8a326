using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Losses;
using Mint.Dsl.Tests.Support;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Dsl.Tests.Validation;

/// <summary>
/// The ranks a signature declares are checked on every datum: multi-target <c>[T, K]</c> inputs with
/// one K per batch, per-datum inputs of shape <c>[]</c> or <c>[1]</c>, and built-ins that read one
/// target per position; each violation names the datum, the key and the shape found.
/// </summary>
public sealed class InputRankValidationTests
{
    private static BatchViolation Single(LossDefinition loss, IReadOnlyList<Datum> data) =>
        Assert.Single(Assert.Throws<BatchValidationException>(() => loss.Validate(data)).Violations);

    private static Datum With(Datum datum, string key, TensorData value) =>
        new(datum.ModelInput, new Dictionary<string, TensorData>(datum.LossFnInputs) { [key] = value });

    private static Datum CrossEntropyDatum(int length) => Batches.Datum(length, ("weights", Enumerable.Repeat(1.0, length).ToArray()));

    [Fact]
    public void A_builtin_refuses_several_targets_per_position_naming_datum_key_and_shape()
    {
        var datum = With(CrossEntropyDatum(3), "target_tokens", TensorData.FromInt64s(Enumerable.Range(1, 6).Select(id => (long)id), [3, 2]));

        var violation = Single(BuiltinLosses.CrossEntropyLoss, [CrossEntropyDatum(3), datum]);

        Assert.Equal(1, violation.DatumIndex);
        Assert.Equal("target_tokens", violation.Key);
        Assert.Equal(
            "shape is [3, 2]: 2 candidate targets per position, but this loss reads one per position ([3] or [3, 1]); "
            + "a custom loss reads K candidates when its log-probs are declared [TargetLogprobs(Rank = InputRank.KPerToken)].",
            violation.Reason);
    }

    [Fact]
    public void A_builtin_reads_one_candidate_per_position_as_one_target()
    {
        var plain = CrossEntropyDatum(4);
        var single = With(plain, "target_tokens", TensorData.FromInt64s(plain.LossFnInputs["target_tokens"].ToInt64s(), [4, 1]));
        var logprobs = Batches.Logprobs([-1.0, -2.0, -0.5, -0.25]);

        var expected = BuiltinLosses.CrossEntropyLoss.ComputeGradient([plain], logprobs);
        var actual = BuiltinLosses.CrossEntropyLoss.ComputeGradient([single], logprobs);

        Assert.Equal(3.75, expected.Loss, 6);
        Assert.Equal(expected.Loss, actual.Loss);
    }

    [Fact]
    public void Every_datum_of_a_multi_target_batch_has_the_same_K()
    {
        var three = InputRankLossTests.Question(4, correct: 0);
        three = With(With(three, "target_tokens", TensorData.FromInt64s(Enumerable.Repeat(5L, 12), [4, 3])), "answer", TensorData.FromSingles(Enumerable.Repeat(0f, 12), [4, 3]));

        var error = Assert.Throws<BatchValidationException>(() => MultipleChoiceLosses.AnswerChoiceLoss.Validate([InputRankLossTests.Question(2, correct: 1), three]));

        Assert.Equal(
            ["datum 1, 'target_tokens': shape is [4, 3]: 3 candidates per position, but datum 0 carries 4 under 'target_tokens'; every datum and candidate input of a batch has the same K.",
             "datum 1, 'answer': shape is [4, 3]: 3 candidates per position, but datum 0 carries 4 under 'target_tokens'; every datum and candidate input of a batch has the same K."],
            error.Violations.Select(violation => violation.ToString()));
    }

    [Fact]
    public void A_multi_target_loss_refuses_one_target_per_position_rather_than_guess_K()
    {
        var datum = With(InputRankLossTests.Question(3, correct: 0), "target_tokens", TensorData.FromInt64s([1, 2, 3]));

        var violation = Single(MultipleChoiceLosses.AnswerChoiceLoss, [datum]);

        Assert.Equal((0, "target_tokens"), (violation.DatumIndex, violation.Key));
        Assert.Equal("shape is [3], expected [3, K]: K ≥ 1 candidates for each of the model input's 3 positions.", violation.Reason);
    }

    [Fact]
    public void A_candidate_input_must_be_finite_and_is_named_by_position_and_candidate()
    {
        var values = Enumerable.Repeat(0f, 12).ToArray();
        values[6] = float.NaN;
        var datum = With(InputRankLossTests.Question(3, correct: 0), "answer", TensorData.FromSingles(values, [3, 4]));

        var violation = Single(MultipleChoiceLosses.AnswerChoiceLoss, [datum]);

        Assert.Equal("answer", violation.Key);
        Assert.Equal("value at position 1, candidate 2 is NaN; values must be finite.", violation.Reason);
    }

    [Fact]
    public void Every_candidate_id_must_be_inside_the_vocabulary()
    {
        var targets = Enumerable.Repeat(3L, 8).ToArray();
        targets[5] = 50;
        var datum = With(InputRankLossTests.Question(2, correct: 0), "target_tokens", TensorData.FromInt64s(targets, [2, 4]));

        var violation = Assert.Single(ModelBounds.Check([datum], vocabSize: 48, contextLength: 16));

        Assert.Equal((0, "target_tokens"), (violation.DatumIndex, violation.Key));
        Assert.Equal("token 50 at position 1, candidate 1 is outside the vocabulary (0–47).", violation.Reason);
    }

    [Theory]
    [InlineData(new long[] { 2 }, "[2]")]
    [InlineData(new long[] { 1, 1 }, "[1, 1]")]
    [InlineData(new long[] { 0 }, "[0]")]
    public void A_per_datum_input_is_one_value_of_shape_empty_or_one(long[] shape, string named)
    {
        var loss = PreferenceLosses.DpoSequenceReferenceLoss;
        var count = (int)shape.Aggregate(1L, (product, dim) => product * dim);
        var good = PerDatumPair();
        var bad = With(good[1], "reference_logprob", TensorData.FromSingles(Enumerable.Repeat(-3f, count), shape));

        var violation = Single(loss, [good[0], bad]);

        Assert.Equal((1, "reference_logprob"), (violation.DatumIndex, violation.Key));
        Assert.Equal($"shape is {named}, expected [] or [1]: this loss reads one value per datum here.", violation.Reason);
    }

    [Fact]
    public void A_per_datum_input_must_be_finite_and_present()
    {
        var pair = PerDatumPair();
        var missing = new Datum(pair[1].ModelInput, pair[1].LossFnInputs.Where(entry => entry.Key != "reference_logprob").ToDictionary());

        var error = Assert.Throws<BatchValidationException>(() => PreferenceLosses.DpoSequenceReferenceLoss.Validate(
            [With(pair[0], "reference_logprob", TensorData.FromSingles([float.NaN], [])), missing]));

        Assert.Equal(
            ["datum 0, 'reference_logprob': value at position 0 is NaN; values must be finite.",
             "datum 1, 'reference_logprob': missing; this loss requires a float32 tensor here."],
            error.Violations.Select(violation => violation.ToString()));
    }

    private static List<Datum> PerDatumPair()
    {
        Datum Completion(int length) => With(Batches.Datum(length, ("weights", Enumerable.Range(0, length).Select(position => position == 0 ? 0.0 : 1.0).ToArray())),
            "reference_logprob", TensorData.FromSingles([-4f], []));
        var pair = new List<Datum> { Completion(3), Completion(4) };
        PreferenceLosses.DpoSequenceReferenceLoss.Validate(pair);
        return pair;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Losses;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Dsl.Tests.Dsl;

/// <summary>
/// The runtime of a multi-target loss (<c>answer_choice</c>, K = 4): gradients come back <c>[T, K]</c> in
/// either precision, log-probs of another shape are refused naming the datum, one candidate (K = 1)
/// is a valid K, and a forward's target check holds every datum to the first datum's K.
/// </summary>
public sealed class MultiTargetRuntimeTests
{
    private static readonly List<Datum> Data = [InputRankLossTests.Question(3, correct: 2), InputRankLossTests.Question(2, correct: 0)];

    [Theory]
    [InlineData(LossPrecision.Float32, TensorDType.Float32)]
    [InlineData(LossPrecision.Float64, TensorDType.Float64)]
    public void Gradients_are_T_by_K_per_datum_softmax_minus_answer_times_weight(LossPrecision precision, TensorDType dtype)
    {
        var logprobs = InputRankLossTests.CandidateLogprobs(Data, seed: 3);

        var result = MultipleChoiceLosses.AnswerChoiceLoss.ComputeGradient(Data, logprobs, new LossComputeOptions { Precision = precision });

        for (var datum = 0; datum < Data.Count; datum++)
        {
            var gradient = result.LogprobGradients[datum];
            var length = Data[datum].ModelInput.Length;
            Assert.Equal(dtype, gradient.DType);
            Assert.Equal([(long)length, 4L], gradient.Shape);
            var values = logprobs[datum].ToDoubles();
            var answer = Data[datum].LossFnInputs["answer"].ToDoubles();
            var weights = Data[datum].LossFnInputs["weights"].ToDoubles();
            for (var t = 0; t < length; t++)
            {
                var row = values.Skip(t * 4).Take(4).ToArray();
                var total = row.Sum(Math.Exp);
                for (var k = 0; k < 4; k++)
                {
                    var expected = weights[t] * ((Math.Exp(row[k]) / total) - answer[(t * 4) + k]);
                    Assert.Equal(expected, gradient[(t * 4) + k], 5);
                }
            }
        }
    }

    public static TheoryData<TensorData, string> WrongLogprobs => new()
    {
        { TensorData.FromDoubles(new double[3]), "TensorData(float64, [3])" },
        { TensorData.FromDoubles(new double[15], [3, 5]), "TensorData(float64, [3, 5])" },
        { TensorData.FromDoubles(new double[16], [4, 4]), "TensorData(float64, [4, 4])" },
        { TensorData.FromInt64s(new long[12], [3, 4]), "TensorData(int64, [3, 4])" },
    };

    [Theory]
    [MemberData(nameof(WrongLogprobs))]
    public void Logprobs_not_T_by_K_floats_are_refused_naming_the_datum(TensorData first, string shown)
    {
        var logprobs = InputRankLossTests.CandidateLogprobs(Data, seed: 3);

        var error = Assert.Throws<ArgumentException>(() => MultipleChoiceLosses.AnswerChoiceLoss.ComputeGradient(Data, [first, logprobs[1]]));

        Assert.StartsWith($"Log-probs of datum 0 are {shown}; expected floats of shape [3, 4] (one per candidate target).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_candidate_per_position_is_a_valid_K_and_a_wrong_shape_is_named()
    {
        static Datum OneCandidate(int length) => new(ModelInput.FromInts(Enumerable.Range(1, length)), new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(Enumerable.Range(2, length).Select(token => (long)token), [length, 1]),
            ["answer"] = TensorData.FromSingles(Enumerable.Repeat(1f, length), [length, 1]),
            ["weights"] = TensorData.FromSingles(Enumerable.Repeat(1f, length)),
        });
        var misshapen = OneCandidate(3);
        var inputs = misshapen.LossFnInputs.ToDictionary();
        inputs["answer"] = TensorData.FromSingles(new float[8], [2, 4]);

        MultipleChoiceLosses.AnswerChoiceLoss.Validate([OneCandidate(3), OneCandidate(2)]);
        var error = Assert.Throws<BatchValidationException>(() => MultipleChoiceLosses.AnswerChoiceLoss.Validate([new Datum(misshapen.ModelInput, inputs)]));

        Assert.Equal("datum 0, 'answer': shape is [2, 4], expected [3, K]: K ≥ 1 candidates for each of the model input's 3 positions.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void A_forward_holds_every_datum_to_the_first_datums_K()
    {
        var check = new BatchValidator([Data[0], new Datum(Data[1].ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = TensorData.FromInt64s(new long[6], [2, 3]) })]);

        check.Targets();

        Assert.Equal(
            "datum 1, 'target_tokens': shape is [2, 3]: 3 candidates per position, but datum 0 carries 4 under 'target_tokens'; every datum and candidate input of a batch has the same K.",
            Assert.Single(check.Violations).ToString());
    }
}

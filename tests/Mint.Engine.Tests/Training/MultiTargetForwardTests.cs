using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Training;

/// <summary>
/// A forward over multi-target <c>target_tokens [T, K]</c> in a mixed-length batch: datum i gets
/// <c>[T_i, K]</c> log-probs whose column k equals the one-target forward of candidate k (that path is
/// checked against the reference decoder), so no padding or row width leaks between datums.
/// </summary>
public sealed class MultiTargetForwardTests : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load(seed: 9);

    public void Dispose() => model.Dispose();

    private static Datum Datum(int[] tokens, long[,] candidates) => new(
        ModelInput.FromInts(tokens),
        new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(candidates.Cast<long>(), [candidates.GetLength(0), candidates.GetLength(1)]),
        });

    [Fact]
    public void Each_candidate_column_equals_the_forward_of_that_candidate_alone()
    {
        using var session = new TrainingSession("multi", model, new LoraConfig(2, Seed: 3));
        Datum[] batch =
        [
            Datum([1, 2, 3, 4], new long[,] { { 5, 6, 7 }, { 8, 9, 10 }, { 11, 12, 13 }, { 14, 15, 16 } }),
            Datum([17, 18], new long[,] { { 19, 20, 21 }, { 22, 23, 24 } }),
        ];

        var result = session.Forward(batch);

        for (var row = 0; row < batch.Length; row++)
        {
            var targets = batch[row].LossFnInputs["target_tokens"].ToInt64s();
            var length = batch[row].ModelInput.Length;
            Assert.Equal([(long)length, 3L], result.Logprobs[row].Shape);
            var values = result.Logprobs[row].ToSingles();
            for (var k = 0; k < 3; k++)
            {
                var column = Enumerable.Range(0, length).Select(t => targets[(t * 3) + k]).ToArray();
                var single = new Datum(batch[row].ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = TensorData.FromInt64s(column) });
                var expected = session.Forward([single]).Logprobs[0].ToSingles();
                for (var t = 0; t < length; t++)
                {
                    Assert.Equal(expected[t], values[(t * 3) + k], 5);
                }
            }
        }
    }
}

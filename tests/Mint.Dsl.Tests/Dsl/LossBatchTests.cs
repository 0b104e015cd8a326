using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Dsl.Tests.Dsl;

/// <summary>
/// What a loss method receives: log-probs of the batch's shape only (datums by length, or by length by K), zeroed past each datum's length
/// whatever the caller left there, and inputs padded with zeros in the log-probs' dtype (tokens as int64).
/// </summary>
public sealed class LossBatchTests
{
    private static readonly List<Datum> Data =
    [
        Batches.Datum(3, ("weights", [0.5, 1.0, 2.0])),
        Batches.Datum(1, ("weights", [4.0])),
    ];

    public LossBatchTests() => TorchNative.EnsureLoaded();

    public static TheoryData<long[], string> WrongShapes => new()
    {
        { [3, 3], "[3, 3]" },
        { [2], "[2]" },
        { [2, 3, 1, 1], "[2, 3, 1, 1]" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void Log_probs_not_shaped_datums_by_length_are_refused_naming_their_shape(long[] shape, string shown)
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => new LossBatch(Data, zeros(shape, ScalarType.Float64)));

        Assert.Equal("logprobs", error.ParamName);
        Assert.StartsWith($"Log-probs must be [2, maxLength] or [2, maxLength, K]; got {shown}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Positions_past_a_datums_length_are_zeroed_and_masked()
    {
        using var scope = NewDisposeScope();
        // Wider than every datum, with values left at every padded position.
        var logprobs = tensor(new[] { -0.5, -1.5, -2.5, -8.0, -3.0, -7.0, -9.0, -6.0 }, [2, 4]);

        var batch = new LossBatch(Data, logprobs);

        Assert.Equal(4, batch.MaxLength);
        Assert.Equal([-0.5, -1.5, -2.5, 0.0, -3.0, 0.0, 0.0, 0.0], batch.Logprobs.data<double>().ToArray());
        Assert.Equal([1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], batch.Mask.data<double>().ToArray());
    }

    [Fact]
    public void Inputs_are_padded_with_zeros_floats_in_the_logprobs_dtype_and_tokens_as_int64()
    {
        using var scope = NewDisposeScope();
        var batch = new LossBatch(Data, zeros([2, 3], ScalarType.Float64));

        var weights = batch.Input("weights");
        var tokens = batch.Input("target_tokens");

        Assert.Equal(ScalarType.Float64, weights.dtype);
        Assert.Equal([0.5, 1.0, 2.0, 4.0, 0.0, 0.0], weights.data<double>().ToArray());
        Assert.Equal(ScalarType.Int64, tokens.dtype);
        Assert.Equal([1L, 2, 3, 1, 0, 0], tokens.data<long>().ToArray());
        // A loss that reads an input twice gets the tensor marshalled the first time.
        Assert.Same(weights, batch.Input("weights"));
    }

    [Fact]
    public void Pairs_split_rows_into_chosen_and_rejected()
    {
        using var scope = NewDisposeScope();
        var pairs = Enumerable.Range(0, 4).Select(index => Batches.Datum(2, ("weights", [index, 10.0 + index]))).ToList();
        var batch = new LossBatch(pairs, tensor(new[] { -1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -8.0 }, [4, 2]));

        var logprobs = batch.LogprobPairs();
        var weights = batch.InputPairs("weights");

        Assert.Equal([-1.0, -2.0, -5.0, -6.0], logprobs.Chosen.data<double>().ToArray());
        Assert.Equal([-3.0, -4.0, -7.0, -8.0], logprobs.Rejected.data<double>().ToArray());
        Assert.Equal([0.0, 10.0, 2.0, 12.0], weights.Chosen.data<double>().ToArray());
        Assert.Equal([1.0, 11.0, 3.0, 13.0], weights.Rejected.data<double>().ToArray());
    }

    [Fact]
    public void Candidate_token_ids_are_padded_per_position_to_datums_by_length_by_k()
    {
        using var scope = NewDisposeScope();
        List<Datum> data =
        [
            Batches.Datum([1, 2], new Dictionary<string, TensorData> { ["target_tokens"] = TensorData.FromInt64s([10, 11, 12, 20, 21, 22], [2, 3]) }),
            Batches.Datum([3], new Dictionary<string, TensorData> { ["target_tokens"] = TensorData.FromInt64s([30, 31, 32], [1, 3]) }),
        ];
        var batch = new LossBatch(data, zeros([2, 2, 3], ScalarType.Float32));

        var candidates = batch.Input("target_tokens", InputRank.KPerToken);

        Assert.Equal([2L, 2, 3], candidates.shape);
        Assert.Equal([10L, 11, 12, 20, 21, 22, 30, 31, 32, 0, 0, 0], candidates.data<long>().ToArray());
    }
}

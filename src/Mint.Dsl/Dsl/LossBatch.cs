using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Mint.Dsl;

/// <summary>
/// A validated batch marshalled to tensors for a loss method, on the device of the log-probs: a
/// per-token quantity is <c>[datums, maxLength]</c>, a K-per-token one (multi-target)
/// <c>[datums, maxLength, K]</c>, both zero-padded on the right, and a per-datum one <c>[datums]</c>.
/// Zero padding contributes nothing to the sums the losses take, and the gradient at padded
/// positions is discarded, so padding can never change a result.
/// </summary>
public sealed class LossBatch
{
    private readonly Dictionary<(string Key, InputRank Rank), Tensor> inputs = [];
    private readonly Lazy<Tensor> mask;

    /// <summary>
    /// Wraps <paramref name="logprobs"/> (<c>[datums, maxLength]</c>, or <c>[datums, maxLength, K]</c>
    /// for a multi-target loss; possibly part of an autograd graph); positions past each datum's length
    /// are zeroed, whatever the caller left there.
    /// </summary>
    public LossBatch(IReadOnlyList<Datum> data, Tensor logprobs)
    {
        if (logprobs.dim() is not (2 or 3) || logprobs.shape[0] != data.Count)
        {
            throw new ArgumentException(
                $"Log-probs must be [{data.Count}, maxLength] or [{data.Count}, maxLength, K]; got [{string.Join(", ", logprobs.shape)}].", nameof(logprobs));
        }

        Data = data;
        MaxLength = (int)logprobs.shape[1];
        var padded = data.Any(datum => datum.ModelInput.Length != MaxLength);
        mask = new Lazy<Tensor>(() =>
        {
            var lengths = tensor(data.Select(datum => (long)datum.ModelInput.Length).ToArray(), device: logprobs.device);
            return (arange(MaxLength, device: logprobs.device).unsqueeze(0) < lengths.unsqueeze(1)).to(logprobs.dtype);
        });

        // Without padding there is nothing to zero: skip the extra multiply on the hot path.
        Logprobs = !padded ? logprobs : logprobs * (logprobs.dim() == 3 ? Mask.unsqueeze(-1) : Mask);
    }

    /// <summary>1 at real token positions, 0 at padding: <c>[datums, maxLength]</c>.</summary>
    public Tensor Mask => mask.Value;

    /// <summary>The datums, in batch order.</summary>
    public IReadOnlyList<Datum> Data { get; }

    /// <summary>Target log-probs, <c>[datums, maxLength]</c> (<c>[datums, maxLength, K]</c> for a multi-target loss).</summary>
    public Tensor Logprobs { get; }

    /// <summary>The padded sequence length.</summary>
    public int MaxLength { get; }

    /// <summary>Target log-probs split into (chosen, rejected) rows.</summary>
    public Pair<Tensor> LogprobPairs() => SplitPairs(Logprobs);

    /// <summary>
    /// Input <paramref name="key"/> as a tensor of <paramref name="rank"/> (<c>[datums]</c>,
    /// <c>[datums, maxLength]</c> or <c>[datums, maxLength, K]</c>, padded): float inputs in the
    /// log-probs' dtype, integers as int64. The batch must have passed the loss's validation.
    /// </summary>
    public Tensor Input(string key, InputRank rank = InputRank.PerToken)
    {
        if (!inputs.TryGetValue((key, rank), out var tensor))
        {
            tensor = Marshal(key, rank);
            inputs.Add((key, rank), tensor);
        }

        return tensor;
    }

    /// <summary>Input <paramref name="key"/> of <paramref name="rank"/> split into (chosen, rejected) rows.</summary>
    public Pair<Tensor> InputPairs(string key, InputRank rank = InputRank.PerToken) => SplitPairs(Input(key, rank));

    /// <summary>
    /// Pads per-datum float sequences into one <c>[datums, maxLength]</c> tensor of
    /// <paramref name="precision"/> on <paramref name="device"/>, copying each row once; with
    /// <paramref name="candidates"/>, rows of <c>[T, K]</c> values into <c>[datums, maxLength, K]</c>.
    /// </summary>
    public static Tensor PadRows(IReadOnlyList<TensorData> rows, int maxLength, ScalarType precision, Device device, int? candidates = null)
    {
        var width = maxLength * (candidates ?? 1);
        long[] shape = candidates is int count ? [rows.Count, maxLength, count] : [rows.Count, maxLength];
        Tensor padded;
        if (precision == ScalarType.Float64)
        {
            var flat = new double[rows.Count * width];
            for (var row = 0; row < rows.Count; row++)
            {
                rows[row].CopyTo(flat.AsSpan(row * width, width));
            }

            padded = tensor(flat, shape);
        }
        else
        {
            var flat = new float[rows.Count * width];
            for (var row = 0; row < rows.Count; row++)
            {
                rows[row].CopyTo(flat.AsSpan(row * width, width));
            }

            padded = tensor(flat, shape);
        }

        return padded.to(precision, device);
    }

    private Tensor Marshal(string key, InputRank rank)
    {
        var rows = Data.Select(datum => datum.LossFnInputs[key]).ToList();
        var device = Logprobs.device;
        var candidates = rank == InputRank.KPerToken ? (int)rows[0].Shape[1] : (int?)null;
        var width = rank switch
        {
            InputRank.PerDatum => 1,
            InputRank.KPerToken => MaxLength * candidates!.Value,
            _ => MaxLength,
        };
        long[] shape = rank switch
        {
            InputRank.PerDatum => [Data.Count],
            InputRank.KPerToken => [Data.Count, MaxLength, candidates!.Value],
            _ => [Data.Count, MaxLength],
        };
        if (rows[0].DType == TensorDType.Int64)
        {
            var flat = new long[Data.Count * width];
            for (var row = 0; row < Data.Count; row++)
            {
                rows[row].CopyTo(flat.AsSpan(row * width, width));
            }

            return tensor(flat, shape).to(device);
        }

        return rank == InputRank.PerDatum
            ? tensor(rows.Select(row => row[0]).ToArray()).to(Logprobs.dtype, device)
            : PadRows(rows, MaxLength, Logprobs.dtype, device, candidates);
    }

    private static Pair<Tensor> SplitPairs(Tensor rows) => new(
        rows[TensorIndex.Slice(0, null, 2)],
        rows[TensorIndex.Slice(1, null, 2)]);
}

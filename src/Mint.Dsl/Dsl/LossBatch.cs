using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Mint.Dsl;

/// <summary>
/// A validated batch marshalled to tensors for a loss method: every per-token quantity is a
/// <c>[datums, maxLength]</c> tensor on the device of the log-probs, zero-padded on the right.
/// Zero padding contributes nothing to the sums the losses take, and the gradient at padded
/// positions is discarded, so padding can never change a result.
/// </summary>
public sealed class LossBatch
{
    private readonly Dictionary<string, Tensor> inputs = [];
    private readonly Lazy<Tensor> mask;

    /// <summary>
    /// Wraps <paramref name="logprobs"/> (<c>[datums, maxLength]</c>, possibly part of an autograd
    /// graph); positions past each datum's length are zeroed, whatever the caller left there.
    /// </summary>
    public LossBatch(IReadOnlyList<Datum> data, Tensor logprobs)
    {
        if (logprobs.dim() != 2 || logprobs.shape[0] != data.Count)
        {
            throw new ArgumentException(
                $"Log-probs must be [{data.Count}, maxLength]; got [{string.Join(", ", logprobs.shape)}].", nameof(logprobs));
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
        Logprobs = padded ? logprobs * Mask : logprobs;
    }

    /// <summary>1 at real token positions, 0 at padding: <c>[datums, maxLength]</c>.</summary>
    public Tensor Mask => mask.Value;

    /// <summary>The datums, in batch order.</summary>
    public IReadOnlyList<Datum> Data { get; }

    /// <summary>Target log-probs, <c>[datums, maxLength]</c>.</summary>
    public Tensor Logprobs { get; }

    /// <summary>The padded sequence length.</summary>
    public int MaxLength { get; }

    /// <summary>Target log-probs split into (chosen, rejected) rows.</summary>
    public Pair<Tensor> LogprobPairs() => SplitPairs(Logprobs);

    /// <summary>Input <paramref name="key"/> as a padded tensor: float inputs in the log-probs' dtype, tokens as int64.</summary>
    public Tensor Input(string key)
    {
        if (!inputs.TryGetValue(key, out var tensor))
        {
            tensor = Marshal(key);
            inputs.Add(key, tensor);
        }

        return tensor;
    }

    /// <summary>Input <paramref name="key"/> split into (chosen, rejected) rows.</summary>
    public Pair<Tensor> InputPairs(string key) => SplitPairs(Input(key));

    /// <summary>
    /// Pads per-datum float sequences into one <c>[datums, maxLength]</c> tensor of
    /// <paramref name="precision"/> on <paramref name="device"/>, copying each row once.
    /// </summary>
    public static Tensor PadRows(IReadOnlyList<TensorData> rows, int maxLength, ScalarType precision, Device device)
    {
        Tensor padded;
        if (precision == ScalarType.Float64)
        {
            var flat = new double[rows.Count * maxLength];
            for (var row = 0; row < rows.Count; row++)
            {
                rows[row].CopyTo(flat.AsSpan(row * maxLength, maxLength));
            }

            padded = tensor(flat, [rows.Count, maxLength]);
        }
        else
        {
            var flat = new float[rows.Count * maxLength];
            for (var row = 0; row < rows.Count; row++)
            {
                rows[row].CopyTo(flat.AsSpan(row * maxLength, maxLength));
            }

            padded = tensor(flat, [rows.Count, maxLength]);
        }

        return padded.to(precision, device);
    }

    private Tensor Marshal(string key)
    {
        var first = Data.Count > 0 && Data[0].LossFnInputs.TryGetValue(key, out var sample) ? sample : null;
        if (first?.DType == TensorDType.Int64)
        {
            var flat = new long[Data.Count * MaxLength];
            for (var row = 0; row < Data.Count; row++)
            {
                Data[row].LossFnInputs[key].CopyTo(flat.AsSpan(row * MaxLength, MaxLength));
            }

            return tensor(flat, [Data.Count, MaxLength]).to(Logprobs.device);
        }

        return PadRows(Data.Select(datum => datum.LossFnInputs[key]).ToList(), MaxLength, Logprobs.dtype, Logprobs.device);
    }

    private static Pair<Tensor> SplitPairs(Tensor rows) => new(
        rows[TensorIndex.Slice(0, null, 2)],
        rows[TensorIndex.Slice(1, null, 2)]);
}

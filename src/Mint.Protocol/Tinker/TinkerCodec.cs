using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Wire = Mint.Protocol.Tinker.Wire;

namespace Mint.Protocol.Tinker;

/// <summary>
/// Converts between Mint's data types and Tinker's JSON types. Tinker tensors are <c>int64</c> or
/// <c>float32</c>; a float64 tensor is sent as float32, the precision the engine computes in.
/// Reading refuses what cannot be represented exactly and names datum, key and reason.
/// </summary>
public static class TinkerCodec
{
    /// <summary>The wire form of <paramref name="tensor"/>.</summary>
    public static Wire.TensorData ToWire(TensorData tensor) => tensor.DType == TensorDType.Int64
        ? new Wire.TensorData { Dtype = Wire.TensorData.Int64, Integers = tensor.ToInt64s(), Shape = tensor.Shape.ToArray() }
        : new Wire.TensorData { Dtype = Wire.TensorData.Float32, Floats = Array.ConvertAll(tensor.ToSingles(), value => (double)value), Shape = tensor.Shape.ToArray() };

    /// <summary>The wire form of <paramref name="input"/>: one <c>encoded_text</c> chunk per chunk.</summary>
    public static Wire.ModelInput ToWire(ModelInput input) => new()
    {
        Chunks = input.Chunks.Select(chunk => new Wire.ModelInputChunk { Tokens = chunk.Tokens.Select(token => (long)token).ToArray() }).ToList(),
    };

    /// <summary>The wire form of <paramref name="datum"/>.</summary>
    public static Wire.Datum ToWire(Datum datum) => new()
    {
        ModelInput = ToWire(datum.ModelInput),
        LossFnInputs = datum.LossFnInputs.ToDictionary(entry => entry.Key, entry => ToWire(entry.Value)),
    };

    /// <summary>
    /// How many values the sparse tensors of one batch may expand to unless the caller says otherwise:
    /// what a dense float32 message of <see cref="ProtocolLimits.DefaultMaxMessageBytes"/> could carry. A
    /// sparse tensor is a few numbers on the wire, so without this bound one small request could make
    /// the reader allocate gigabytes.
    /// </summary>
    public const long DefaultMaxExpandedValues = ProtocolLimits.DefaultMaxMessageBytes / sizeof(float);

    /// <summary>Reads a tensor; false with <paramref name="problem"/> when it cannot be read exactly.</summary>
    public static bool TryFromWire(Wire.TensorData? wire, out TensorData? tensor, out string? problem)
    {
        var expandable = DefaultMaxExpandedValues;
        return TryFromWire(wire, ref expandable, out tensor, out problem);
    }

    /// <summary>Reads a tensor, taking what a sparse one expands to from <paramref name="expandable"/>.</summary>
    private static bool TryFromWire(Wire.TensorData? wire, ref long expandable, out TensorData? tensor, out string? problem)
    {
        tensor = null;
        problem = null;
        if (wire is null)
        {
            problem = "the tensor is missing.";
            return false;
        }

        var count = wire.Integers?.Length ?? wire.Floats?.Length ?? 0;
        if (wire.SparseCrowIndices is not null || wire.SparseColIndices is not null)
        {
            return TryDensify(wire, ref expandable, out tensor, out problem);
        }

        var shape = wire.Shape ?? [count];
        if (shape.Any(dimension => dimension < 0) || ElementCount(shape) != count)
        {
            problem = $"shape [{string.Join(", ", shape)}] does not hold the {count} values sent.";
            return false;
        }

        switch (wire.Dtype)
        {
            case Wire.TensorData.Int64:
                tensor = TensorData.FromInt64s(wire.Integers ?? [], shape);
                return true;
            case Wire.TensorData.Float32:
                tensor = TensorData.FromSingles((wire.Floats ?? []).Select(value => (float)value), shape);
                return true;
            default:
                problem = $"dtype '{wire.Dtype}' is not int64 or float32.";
                return false;
        }
    }

    /// <summary>Reads a prompt or model input; false with <paramref name="problem"/> for a chunk that is not token ids.</summary>
    public static bool TryFromWire(Wire.ModelInput? wire, out ModelInput? input, out string? problem)
    {
        input = null;
        problem = null;
        if (wire?.Chunks is null)
        {
            problem = "model_input is missing.";
            return false;
        }

        var chunks = new List<EncodedTextChunk>();
        foreach (var (chunk, index) in wire.Chunks.Select((chunk, index) => (chunk, index)))
        {
            if (chunk is null)
            {
                problem = $"chunk {index} is null.";
                return false;
            }

            if (chunk.Type != Wire.ModelInputChunk.EncodedText || chunk.Tokens is null)
            {
                problem = $"chunk {index} is '{chunk.Type}'; this server reads only 'encoded_text' chunks of token ids.";
                return false;
            }

            var outside = chunk.Tokens.FirstOrDefault(token => token is < int.MinValue or > int.MaxValue);
            if (outside != 0)
            {
                problem = $"chunk {index} holds token {outside}, which is no 32-bit token id.";
                return false;
            }

            chunks.Add(new EncodedTextChunk(chunk.Tokens.Select(token => (int)token).ToArray()));
        }

        input = new ModelInput(chunks);
        return true;
    }

    /// <summary>
    /// Reads a batch, or throws one <see cref="BatchValidationException"/> for <paramref name="operation"/>
    /// naming every datum and key that cannot be read.
    /// </summary>
    /// <param name="data">The batch as sent.</param>
    /// <param name="operation">What the batch is for, as the exception names it.</param>
    /// <param name="maxExpandedValues">How many values the batch's sparse tensors may expand to, together.</param>
    public static IReadOnlyList<Datum> FromWire(IReadOnlyList<Wire.Datum>? data, string operation, long maxExpandedValues = DefaultMaxExpandedValues)
    {
        var expandable = maxExpandedValues;
        var violations = new List<BatchViolation>();
        var batch = new List<Datum>();
        foreach (var (wire, index) in (data ?? []).Select((wire, index) => (wire, index)))
        {
            if (!TryFromWire(wire?.ModelInput, out var input, out var inputProblem))
            {
                violations.Add(new BatchViolation(index, "model_input", inputProblem!));
            }

            var inputs = new Dictionary<string, TensorData>();
            foreach (var (key, value) in wire?.LossFnInputs ?? new Dictionary<string, Wire.TensorData>())
            {
                if (TryFromWire(value, ref expandable, out var tensor, out var problem))
                {
                    inputs[key] = tensor!;
                }
                else
                {
                    violations.Add(new BatchViolation(index, key, problem!));
                }
            }

            if (input is not null)
            {
                batch.Add(new Datum(input, inputs));
            }
        }

        return violations.Count == 0 ? batch : throw new BatchValidationException(operation, violations);
    }

    private static bool TryDensify(Wire.TensorData wire, ref long expandable, out TensorData? tensor, out string? problem)
    {
        tensor = null;
        problem = null;
        var crow = wire.SparseCrowIndices;
        var col = wire.SparseColIndices;
        var shape = wire.Shape;
        var values = wire.Integers?.Select(value => (double)value).ToArray() ?? wire.Floats ?? [];
        if (crow is null || col is null || shape is not { Length: 2 } || shape[0] < 0 || shape[1] < 0 || crow.Length != shape[0] + 1 || col.Length != values.Length
            || crow[0] != 0 || crow[^1] != values.Length || crow.Any(offset => offset < 0 || offset > values.Length) || col.Any(column => column < 0 || column >= shape[1]))
        {
            problem = "the sparse (CSR) tensor is malformed: it needs a 2-D shape, rows+1 row offsets from 0 to the value count (none outside), and a column index inside the shape per value.";
            return false;
        }

        var size = ElementCount(shape);
        if (size > expandable)
        {
            problem = size == long.MaxValue
                ? $"the sparse (CSR) tensor's shape [{shape[0]}, {shape[1]}] is too large."
                : $"the sparse (CSR) tensor expands to {size} values; this batch's sparse tensors may expand to {expandable} more (what a dense float32 message of the largest size could carry).";
            return false;
        }

        expandable -= size;
        var dense = new double[size];
        for (var row = 0; row < shape[0]; row++)
        {
            if (crow[row + 1] < crow[row])
            {
                problem = "the sparse (CSR) tensor's row offsets decrease.";
                return false;
            }

            for (var entry = crow[row]; entry < crow[row + 1]; entry++)
            {
                dense[(row * shape[1]) + col[entry]] = values[entry];
            }
        }

        return TryFromWire(
            new Wire.TensorData
            {
                Dtype = wire.Dtype,
                Shape = shape,
                Integers = wire.Dtype == Wire.TensorData.Int64 ? Array.ConvertAll(dense, value => (long)value) : null,
                Floats = wire.Dtype == Wire.TensorData.Int64 ? null : dense,
            },
            out tensor,
            out problem);
    }

    /// <summary>The number of elements <paramref name="shape"/> holds; <see cref="long.MaxValue"/> when that does not fit in 64 bits.</summary>
    private static long ElementCount(long[] shape)
    {
        try
        {
            return shape.Aggregate(1L, (product, dimension) => checked(product * dimension));
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }
}

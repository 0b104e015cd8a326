using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Protocol.Conversion;

/// <summary>
/// Batches and model inputs on the wire. Decoding checks what the wire format itself can get wrong
/// (malformed tensors, repeated keys) and reports every such problem at once, as local validation
/// does; everything else is the engine's to validate, exactly as in-process.
/// </summary>
public static class BatchCodec
{
    /// <summary>The wire form of a model input, chunk by chunk.</summary>
    public static V1.ModelInput ToWire(ModelInput input)
    {
        var wire = new V1.ModelInput();
        foreach (var chunk in input.Chunks)
        {
            var encoded = new V1.EncodedTextChunk();
            encoded.Tokens.AddRange(chunk.Tokens);
            wire.Chunks.Add(encoded);
        }

        return wire;
    }

    /// <summary>A model input read from the wire; a missing one has no tokens.</summary>
    public static ModelInput FromWire(V1.ModelInput? wire) => new(
        wire is null ? [] : wire.Chunks.Select(chunk => new EncodedTextChunk(chunk.Tokens.ToArray())).ToList());

    /// <summary>The wire form of a datum; input keys keep their order.</summary>
    public static V1.Datum ToWire(Datum datum)
    {
        var wire = new V1.Datum { ModelInput = ToWire(datum.ModelInput) };
        foreach (var (key, tensor) in datum.LossFnInputs)
        {
            wire.LossFnInputs.Add(new V1.NamedTensor { Key = key, Tensor = TensorCodec.ToWire(tensor) });
        }

        return wire;
    }

    /// <summary>
    /// Reads a batch for <paramref name="operation"/>; throws one <see cref="BatchValidationException"/>
    /// naming every datum and key the wire format broke.
    /// </summary>
    public static List<Datum> FromWire(IReadOnlyList<V1.Datum> wire, string operation)
    {
        var data = new List<Datum>(wire.Count);
        var violations = new List<BatchViolation>();
        for (var index = 0; index < wire.Count; index++)
        {
            var inputs = new Dictionary<string, TensorData>();
            var seen = new HashSet<string>();
            foreach (var named in wire[index].LossFnInputs)
            {
                if (!seen.Add(named.Key))
                {
                    violations.Add(new(index, named.Key, "the key appears more than once."));
                }
                else if (TensorCodec.TryFromWire(named.Tensor, out var tensor, out var problem))
                {
                    inputs[named.Key] = tensor!;
                }
                else
                {
                    violations.Add(new(index, named.Key, problem!));
                }
            }

            data.Add(new Datum(FromWire(wire[index].ModelInput), inputs));
        }

        return violations.Count == 0 ? data : throw new BatchValidationException(operation, violations);
    }

    /// <summary>Tensors by key, in wire order (results the server sent).</summary>
    public static IReadOnlyDictionary<string, TensorData> FromWire(V1.TensorMap wire) =>
        wire.Tensors.ToDictionary(named => named.Key, named => TensorCodec.FromWire(named.Tensor));

    /// <summary>The wire form of tensors by key.</summary>
    public static V1.TensorMap ToWire(IReadOnlyDictionary<string, TensorData> tensors)
    {
        var wire = new V1.TensorMap();
        foreach (var (key, tensor) in tensors)
        {
            wire.Tensors.Add(new V1.NamedTensor { Key = key, Tensor = TensorCodec.ToWire(tensor) });
        }

        return wire;
    }
}

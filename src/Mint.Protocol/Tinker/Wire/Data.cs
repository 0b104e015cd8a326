using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Mint.Protocol.Tinker.Wire;

/// <summary>
/// A tensor on the wire (SDK <c>types/tensor_data.py</c>): flat <c>data</c>, <c>dtype</c>
/// <c>"int64"</c> or <c>"float32"</c>, optional <c>shape</c>, and optional CSR indices
/// (<c>sparse_crow_indices</c>, <c>sparse_col_indices</c>) for a sparse 2-D tensor. Float32 values
/// are held as doubles (every float is one) and written back as floats, so they round-trip exactly.
/// </summary>
[JsonConverter(typeof(TensorDataConverter))]
public sealed record TensorData
{
    /// <summary>The wire name of the integer dtype.</summary>
    public const string Int64 = "int64";

    /// <summary>The wire name of the floating-point dtype.</summary>
    public const string Float32 = "float32";

    /// <summary><c>int64</c> or <c>float32</c> (anything else is kept as read, and refused when converted).</summary>
    public required string Dtype { get; init; }

    /// <summary>The values of an <c>int64</c> tensor (null otherwise).</summary>
    public long[]? Integers { get; init; }

    /// <summary>The values of a <c>float32</c> tensor (null otherwise).</summary>
    public double[]? Floats { get; init; }

    /// <summary>The shape; null means one dimension of the data's length.</summary>
    public long[]? Shape { get; init; }

    /// <summary>CSR row offsets when the tensor is sent sparse.</summary>
    public long[]? SparseCrowIndices { get; init; }

    /// <summary>CSR column indices when the tensor is sent sparse.</summary>
    public long[]? SparseColIndices { get; init; }
}

/// <summary>A run of token ids (SDK <c>types/encoded_text_chunk.py</c>), <c>type: "encoded_text"</c>.</summary>
public sealed record ModelInputChunk
{
    /// <summary>The discriminator of a token chunk.</summary>
    public const string EncodedText = "encoded_text";

    /// <summary>The token ids.</summary>
    public IReadOnlyList<long>? Tokens { get; init; }

    /// <summary>The chunk kind; only <c>encoded_text</c> is served here (images are refused).</summary>
    public string Type { get; init; } = EncodedText;
}

/// <summary>The model's input (SDK <c>types/model_input.py</c>): a list of chunks.</summary>
public sealed record ModelInput
{
    /// <summary>The chunks, concatenated in order.</summary>
    public required IReadOnlyList<ModelInputChunk> Chunks { get; init; }
}

/// <summary>One training example (SDK <c>types/datum.py</c>).</summary>
public sealed record Datum
{
    /// <summary>Named inputs of the loss (<c>target_tokens</c>, <c>weights</c>, …).</summary>
    public required IReadOnlyDictionary<string, TensorData> LossFnInputs { get; init; }

    /// <summary>The tokens the model reads.</summary>
    public required ModelInput ModelInput { get; init; }
}

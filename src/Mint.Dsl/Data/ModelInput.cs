using System;
using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>A run of already-tokenized text inside a <see cref="ModelInput"/>.</summary>
/// <param name="Tokens">The token ids.</param>
public sealed record EncodedTextChunk(IReadOnlyList<int> Tokens);

/// <summary>
/// The tokens the model reads, as a list of chunks (the Python SDK's <c>ModelInput</c>).
/// Position <c>i</c> of every per-token <c>loss_fn_input</c> lines up with token <c>i</c> here.
/// </summary>
public sealed class ModelInput
{
    /// <summary>Creates a model input from chunks.</summary>
    public ModelInput(IReadOnlyList<EncodedTextChunk> chunks)
    {
        Chunks = chunks ?? throw new ArgumentNullException(nameof(chunks));
        Length = chunks.Sum(chunk => chunk.Tokens.Count);
    }

    /// <summary>The chunks, in order.</summary>
    public IReadOnlyList<EncodedTextChunk> Chunks { get; }

    /// <summary>Total number of tokens.</summary>
    public int Length { get; }

    /// <summary>A model input of one chunk holding <paramref name="tokens"/>.</summary>
    public static ModelInput FromInts(IEnumerable<int> tokens) => new([new EncodedTextChunk(tokens.ToArray())]);

    /// <summary>All tokens, chunks concatenated.</summary>
    public int[] ToInts() => Chunks.SelectMany(chunk => chunk.Tokens).ToArray();
}

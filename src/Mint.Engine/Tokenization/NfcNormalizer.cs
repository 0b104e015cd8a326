using System;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Mint.Engine.Tokenization;

/// <summary>Unicode NFC, the normalizer Qwen2's <c>tokenizer.json</c> names.</summary>
internal sealed class NfcNormalizer : Normalizer
{
    /// <summary>The one instance.</summary>
    public static NfcNormalizer Instance { get; } = new();

    /// <inheritdoc/>
    public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

    /// <inheritdoc/>
    public override string Normalize(ReadOnlySpan<char> original) => original.ToString().Normalize(NormalizationForm.FormC);
}

using System;
using Mint.Dsl;

namespace Mint.Engine.Tokenization;

/// <summary>A <c>tokenizer.json</c> is unreadable, malformed, or of a kind the engine does not support.</summary>
public sealed class TokenizerLoadException : MintException
{
    /// <summary>Creates the exception.</summary>
    public TokenizerLoadException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

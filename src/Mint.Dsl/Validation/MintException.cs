using System;

namespace Mint.Dsl;

/// <summary>Base of every exception Mint.Dsl throws on purpose.</summary>
public abstract class MintException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected MintException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

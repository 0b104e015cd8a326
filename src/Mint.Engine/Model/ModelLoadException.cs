using System;
using Mint.Dsl;

namespace Mint.Engine.Model;

/// <summary>A model folder is missing a file, or its weights do not match its config.</summary>
public sealed class ModelLoadException : MintException
{
    /// <summary>Creates the exception.</summary>
    public ModelLoadException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

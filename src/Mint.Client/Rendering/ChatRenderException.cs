using Mint.Dsl;

namespace Mint.Client.Rendering;

/// <summary>A conversation cannot be rendered for training as asked (unknown role, no final assistant message, a token across the prompt/completion boundary, …).</summary>
public sealed class ChatRenderException : MintException
{
    /// <summary>Creates the exception.</summary>
    public ChatRenderException(string message)
        : base(message)
    {
    }
}

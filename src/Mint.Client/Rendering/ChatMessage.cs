namespace Mint.Client.Rendering;

/// <summary>One turn of a conversation: a role (<c>system</c>, <c>user</c> or <c>assistant</c>) and its text.</summary>
/// <param name="Role">Who speaks.</param>
/// <param name="Content">What is said.</param>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>A system message.</summary>
    public static ChatMessage System(string content) => new("system", content);

    /// <summary>A user message.</summary>
    public static ChatMessage User(string content) => new("user", content);

    /// <summary>An assistant message.</summary>
    public static ChatMessage Assistant(string content) => new("assistant", content);
}

namespace Mint.Server.Security;

/// <summary>
/// Who made a call: the API key it presented (by a short hash, never the key itself), or the
/// anonymous caller when the server has no keys. Sessions and checkpoints belong to a caller.
/// </summary>
/// <param name="Id">A stable, file-name-safe id: <c>key-&lt;16 hex digits&gt;</c> or <c>anonymous</c>.</param>
internal sealed record Caller(string Id)
{
    /// <summary>Everyone, on a server without API keys.</summary>
    public static Caller Anonymous { get; } = new("anonymous");
}

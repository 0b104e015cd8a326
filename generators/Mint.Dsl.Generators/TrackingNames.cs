namespace Mint.Dsl.Generators;

/// <summary>Names of pipeline steps, so tests can assert what the incremental driver cached.</summary>
public static class TrackingNames
{
    /// <summary>The step that turns <c>[Loss]</c> methods into models.</summary>
    public const string ParsedLosses = nameof(ParsedLosses);

    /// <summary>The step that lowers loss bodies to graphs.</summary>
    public const string LoweredLosses = nameof(LoweredLosses);
}

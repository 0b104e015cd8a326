namespace Mint.Dsl.Graphs;

/// <summary>The sizes a server accepts in a loss graph; anything larger is rejected before it runs.</summary>
public static class GraphLimits
{
    /// <summary>The most nodes in one graph.</summary>
    public const int MaxNodes = 1024;

    /// <summary>The longest chain of nodes, each reading the one before.</summary>
    public const int MaxDepth = 256;

    /// <summary>The most inputs, config entries or metrics.</summary>
    public const int MaxEntries = 64;

    /// <summary>The longest name, key or dtype.</summary>
    public const int MaxNameLength = 128;
}

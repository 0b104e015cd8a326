using System;

namespace Mint.Protocol.Tinker;

/// <summary>
/// Checkpoint paths as Tinker writes them: <c>tinker://&lt;run&gt;/weights/&lt;name&gt;</c> for training
/// state and <c>tinker://&lt;run&gt;/sampler_weights/&lt;name&gt;</c> for sampler weights (SDK
/// <c>types/checkpoint.py</c>, <c>ParsedCheckpointTinkerPath</c>).
/// </summary>
public static class TinkerPaths
{
    /// <summary>The scheme every path starts with.</summary>
    public const string Scheme = "tinker://";

    /// <summary>The kind segment of training-state checkpoints.</summary>
    public const string Weights = "weights";

    /// <summary>The kind segment of sampler checkpoints.</summary>
    public const string SamplerWeights = "sampler_weights";

    /// <summary>The path of checkpoint <paramref name="name"/> of <paramref name="kind"/> in run <paramref name="runId"/>.</summary>
    public static string Format(string runId, string kind, string name) => $"{Scheme}{runId}/{kind}/{name}";

    /// <summary>
    /// Splits a path into run, kind and name; false when it is not <c>tinker://run/kind/name</c>
    /// with kind <c>weights</c> or <c>sampler_weights</c>. The name may hold further slashes.
    /// </summary>
    public static bool TryParse(string? path, out string runId, out string kind, out string name)
    {
        runId = kind = name = string.Empty;
        if (path is null || !path.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = path[Scheme.Length..].Split('/', 3);
        if (parts.Length != 3 || parts[0].Length == 0 || parts[2].Length == 0 || parts[1] is not (Weights or SamplerWeights))
        {
            return false;
        }

        (runId, kind, name) = (parts[0], parts[1], parts[2]);
        return true;
    }
}

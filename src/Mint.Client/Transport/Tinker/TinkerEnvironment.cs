using System;

namespace Mint.Client.Transport.Tinker;

/// <summary>
/// The environment variables MinT's toolkit and the Tinker SDK read: <c>MINT_BASE_URL</c> /
/// <c>TINKER_BASE_URL</c> for the service and <c>MINT_API_KEY</c> / <c>TINKER_API_KEY</c> for the key
/// (MinT's names win, as the toolkit maps them onto Tinker's).
/// </summary>
public static class TinkerEnvironment
{
    /// <summary>MinT's base-URL variable.</summary>
    public const string MintBaseUrl = "MINT_BASE_URL";

    /// <summary>Tinker's base-URL variable.</summary>
    public const string TinkerBaseUrl = "TINKER_BASE_URL";

    /// <summary>MinT's API-key variable.</summary>
    public const string MintApiKey = "MINT_API_KEY";

    /// <summary>Tinker's API-key variable.</summary>
    public const string TinkerApiKey = "TINKER_API_KEY";

    /// <summary>The service URL the environment names, or null.</summary>
    public static Uri? BaseUrl()
    {
        var value = Read(MintBaseUrl) ?? Read(TinkerBaseUrl);
        return value is null ? null
            : Uri.TryCreate(value, UriKind.Absolute, out var url) ? url
            : throw new ArgumentException($"{(Read(MintBaseUrl) is null ? TinkerBaseUrl : MintBaseUrl)} is '{value}', not an absolute URL.");
    }

    /// <summary>The API key the environment holds, or null.</summary>
    public static string? ApiKey() => Read(MintApiKey) ?? Read(TinkerApiKey);

    private static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

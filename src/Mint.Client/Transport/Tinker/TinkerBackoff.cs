using System;
using System.Globalization;
using System.Net.Http;

namespace Mint.Client.Transport.Tinker;

/// <summary>
/// The SDK's retry delay: <c>min(initial · 2^retry, max)</c> times a jitter factor in (0.75, 1], or
/// the server's <c>Retry-After</c> when it asks for 0–60 seconds.
/// </summary>
internal static class TinkerBackoff
{
    public static TimeSpan Delay(int retry, TinkerTransportOptions options, HttpResponseMessage? response = null)
    {
        if (RetryAfter(response) is { } asked)
        {
            return asked;
        }

        var seconds = Math.Min(options.InitialRetryDelay.TotalSeconds * Math.Pow(2, Math.Min(retry, 1000)), options.MaxRetryDelay.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (1 - (0.25 * Random.Shared.NextDouble())));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is null)
        {
            return null;
        }

        var header = response.Headers.RetryAfter;
        var seconds = header?.Delta?.TotalSeconds
            ?? (header?.Date is { } date ? (date - DateTimeOffset.UtcNow).TotalSeconds : (double?)null)
            ?? (response.Headers.TryGetValues("retry-after-ms", out var values) && double.TryParse(string.Join(string.Empty, values), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? ms / 1000 : null);
        return seconds is > 0 and <= 60 ? TimeSpan.FromSeconds(seconds.Value) : null;
    }
}

using System;
using System.Threading;
using System.Threading.Tasks;

namespace Mint.Client.Transport;

/// <summary>
/// How a <see cref="GrpcTransport"/> retries a call the server refused because its queue was full
/// (<see cref="ServerOverloadedException"/>, <c>RESOURCE_EXHAUSTED</c>): such a call never ran, so
/// sending it again cannot apply it twice. Nothing else is retried, since any other failure may
/// come from a call that ran. Delays grow exponentially up to <see cref="MaxDelay"/>, each drawn
/// uniformly from zero to that bound ("full jitter"), so refused clients do not return in step.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>The default: up to 5 attempts, 100 ms first bound, doubling, at most 5 s.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>No retry: a refused call throws at once.</summary>
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Attempts in all, the first included (1 disables retrying).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The bound of the first delay.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The largest delay bound.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How much the bound grows per attempt.</summary>
    public double Multiplier { get; init; } = 2.0;

    /// <summary>Throws when a field is out of range.</summary>
    public void Check()
    {
        if (MaxAttempts < 1 || InitialDelay < TimeSpan.Zero || MaxDelay < InitialDelay || !(Multiplier >= 1) || double.IsInfinity(Multiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(RetryPolicy), this,
                "A retry policy needs MaxAttempts ≥ 1, 0 ≤ InitialDelay ≤ MaxDelay and a finite Multiplier ≥ 1.");
        }
    }

    /// <summary>Runs <paramref name="call"/>, retrying it while the server is overloaded, as this policy says.</summary>
    internal async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (ServerOverloadedException) when (attempt < MaxAttempts)
            {
                await Task.Delay(Delay(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A wait after failed attempt <paramref name="attempt"/> (1-based): uniform in [0, min(MaxDelay, InitialDelay × Multiplier^(attempt−1))].</summary>
    public TimeSpan Delay(int attempt)
    {
        var bound = Math.Min(MaxDelay.TotalMilliseconds, InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * bound);
    }
}

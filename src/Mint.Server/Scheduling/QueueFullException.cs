using Mint.Dsl;

namespace Mint.Server.Scheduling;

/// <summary>The engine is busy and the wait list is full; the call was not queued. Sent as <c>RESOURCE_EXHAUSTED</c>.</summary>
public sealed class QueueFullException(int capacity)
    : MintException($"The server is busy: {capacity} requests are already waiting for the engine. Retry later.")
{
    /// <summary>The wait list's length.</summary>
    public int Capacity { get; } = capacity;
}

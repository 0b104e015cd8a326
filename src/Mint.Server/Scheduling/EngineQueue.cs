using System;
using System.Threading;
using System.Threading.Tasks;

namespace Mint.Server.Scheduling;

/// <summary>
/// Runs engine calls one at a time, first come first served, with a bounded wait list. Sessions
/// share the base model and the CPU, so the server serializes across them, not only per session.
/// A call that finds <see cref="Capacity"/> calls already waiting is refused at once
/// (<see cref="QueueFullException"/>) rather than queued without bound; a call whose cancellation
/// (client cancel, disconnect or deadline) fires while it waits leaves the queue and never runs.
/// Once a call starts it runs to completion, so the engine never sees a half-done call.
/// </summary>
public sealed class EngineQueue
{
    private readonly SemaphoreSlim slot = new(1, 1);
    private int waiting;

    /// <summary>Creates a queue that lets at most <paramref name="capacity"/> calls wait behind the running one.</summary>
    public EngineQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>How many calls may wait behind the running one.</summary>
    public int Capacity { get; }

    /// <summary>How many calls are waiting now.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    /// <summary>Runs <paramref name="work"/> when the engine is free.</summary>
    /// <exception cref="QueueFullException">When <see cref="Capacity"/> calls are already waiting.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> fires before the call starts.</exception>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return work();
        }
        finally
        {
            slot.Release();
        }
    }

    /// <summary>
    /// Waits for the running call to finish and holds the engine until the returned handle is
    /// disposed; calls arriving meanwhile queue (or are refused) as if a long call were running.
    /// For maintenance that needs the engine still, such as copying the checkpoint folder, and for
    /// tests that need a busy engine on demand.
    /// </summary>
    public async Task<IAsyncDisposable> PauseAsync(CancellationToken cancellationToken = default)
    {
        await slot.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Pause(slot);
    }

    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        if (slot.Wait(0))
        {
            return;
        }

        if (Interlocked.Increment(ref waiting) > Capacity)
        {
            Interlocked.Decrement(ref waiting);
            throw new QueueFullException(Capacity);
        }

        try
        {
            await slot.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }

    private sealed class Pause(SemaphoreSlim slot) : IAsyncDisposable
    {
        private int released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                slot.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}

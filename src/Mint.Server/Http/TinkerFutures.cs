using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mint.Protocol.Tinker.Wire;
using Mint.Server.Security;

namespace Mint.Server.Http;

/// <summary>
/// The futures of Tinker's protocol: every work request gets an id at once, runs in the background,
/// and its answer (the result's JSON, or a <see cref="RequestFailedResponse"/>) waits here until
/// <c>retrieve_future</c> fetches it. Answers stay for <see cref="Retention"/> after completion so a
/// client whose poll was lost can poll again; after that the id answers 410 (gone: resubmit).
/// A future belongs to the caller that submitted it; to anyone else it does not exist.
/// </summary>
internal sealed class TinkerFutures(TimeSpan retention, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> entries = new();
    private long counter;

    public TimeSpan Retention { get; } = retention;

    /// <summary>A new pending future owned by <paramref name="owner"/>.</summary>
    public Entry Create(Caller owner)
    {
        Sweep();
        var id = $"req-{Interlocked.Increment(ref counter)}-{Guid.NewGuid():N}";
        var entry = new Entry(id, owner);
        entries[id] = entry;
        return entry;
    }

    /// <summary>The future <paramref name="id"/> if <paramref name="caller"/> owns it; <paramref name="gone"/> when its answer expired.</summary>
    public Entry? Find(Caller caller, string id, out bool gone)
    {
        gone = false;
        if (!entries.TryGetValue(id, out var entry) || entry.Owner != caller)
        {
            return null;
        }

        if (entry.IsExpired(time.GetUtcNow(), Retention))
        {
            gone = true;
            return null;
        }

        return entry;
    }

    /// <summary>Drops answers past retention, keeping their ids (as tombstones) for a further hour to answer 410.</summary>
    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var entry in entries.Values.Where(entry => entry.IsExpired(now, Retention)))
        {
            entry.Forget();
            if (entry.IsExpired(now, Retention + TimeSpan.FromHours(1)))
            {
                entries.TryRemove(entry.Id, out _);
            }
        }
    }

    /// <summary>One future: pending (with a queue state) until its answer is set.</summary>
    internal sealed class Entry(string id, Caller owner)
    {
        private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private byte[]? answer;
        private DateTimeOffset? completedAt;
        private volatile string queueState = QueueStates.Active;

        public string Id { get; } = id;

        public Caller Owner { get; } = owner;

        /// <summary><c>active</c>, or <c>paused_capacity</c> while the engine queue is full.</summary>
        public string QueueState
        {
            get => queueState;
            set => queueState = value;
        }

        /// <summary>Completes when the answer is set.</summary>
        public Task Completed => completed.Task;

        /// <summary>The answer's JSON; null while pending (and after it was forgotten).</summary>
        public byte[]? Answer => Volatile.Read(ref answer);

        public void Complete(byte[] json, DateTimeOffset now)
        {
            Volatile.Write(ref answer, json);
            completedAt = now;
            completed.TrySetResult();
        }

        public bool IsExpired(DateTimeOffset now, TimeSpan retention) => completedAt is { } done && now - done > retention;

        /// <summary>Drops the answer; the entry stays as a tombstone.</summary>
        public void Forget() => Volatile.Write(ref answer, null);
    }
}

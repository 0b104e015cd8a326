using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Mint.Server.Http;

/// <summary>
/// Runs one model's requests in <c>seq_id</c> order, as Tinker's protocol promises: the SDK numbers a
/// training client's requests 1, 2, 3, … and may send them concurrently (it sends the first chunk of
/// a forward_backward last), so request <c>n+1</c> waits until request <c>n</c> has finished.
/// A request whose <c>seq_id</c> is at or below the next expected one (a resubmission, or a new
/// client on an existing model) runs at once; one that waits longer than <see cref="GapTimeout"/>
/// for a predecessor that never came runs anyway, so a lost request cannot stall the model.
/// </summary>
internal sealed class SeqIdOrder(TimeSpan gapTimeout)
{
    private readonly Dictionary<string, Model> models = [];

    public TimeSpan GapTimeout { get; } = gapTimeout;

    /// <summary>Waits until request <paramref name="seqId"/> of <paramref name="modelId"/> may run.</summary>
    public async Task WaitTurnAsync(string modelId, long seqId, CancellationToken cancellationToken)
    {
        TaskCompletionSource turn;
        lock (models)
        {
            var model = Of(modelId);
            if (seqId <= model.Next)
            {
                return;
            }

            turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!model.Waiting.TryGetValue(seqId, out var list))
            {
                model.Waiting[seqId] = list = [];
            }

            list.Add(turn);
        }

        try
        {
            await turn.Task.WaitAsync(GapTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The predecessor never arrived: go ahead rather than stall the model.
        }
    }

    /// <summary>Request <paramref name="seqId"/> finished (whatever its outcome): its successor may run.</summary>
    public void Done(string modelId, long seqId)
    {
        lock (models)
        {
            if (!models.TryGetValue(modelId, out var model))
            {
                // Unloaded meanwhile (Remove released its waiters): nothing to keep.
                return;
            }

            // Saturating: a client may send long.MaxValue, after which everything runs at once.
            model.Next = Math.Max(model.Next, seqId == long.MaxValue ? long.MaxValue : seqId + 1);
            foreach (var key in new List<long>(model.Waiting.Keys))
            {
                if (key > model.Next)
                {
                    break;
                }

                foreach (var turn in model.Waiting[key])
                {
                    turn.TrySetResult();
                }

                model.Waiting.Remove(key);
            }
        }
    }

    /// <summary>Forgets a model (unloaded).</summary>
    public void Remove(string modelId)
    {
        lock (models)
        {
            if (models.Remove(modelId, out var model))
            {
                foreach (var turn in model.Waiting.Values)
                {
                    turn.ForEach(waiter => waiter.TrySetResult());
                }
            }
        }
    }

    private Model Of(string modelId)
    {
        if (!models.TryGetValue(modelId, out var model))
        {
            models[modelId] = model = new Model();
        }

        return model;
    }

    private sealed class Model
    {
        public long Next { get; set; } = 1;

        public SortedDictionary<long, List<TaskCompletionSource>> Waiting { get; } = [];
    }
}

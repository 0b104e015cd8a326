using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mint.Server.Scheduling;
using Xunit;

namespace Mint.Server.Tests.Scheduling;

/// <summary>The engine queue: one call at a time, in order, a bounded wait list, cancellation while waiting.</summary>
public sealed class EngineQueueTests
{
    private static async Task Until(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 500 && !condition(); attempt++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition(), "timed out waiting");
    }

    [Fact]
    public async Task Calls_run_one_at_a_time_in_arrival_order()
    {
        var queue = new EngineQueue(capacity: 10);
        var order = new List<int>();
        var running = 0;
        var overlapped = false;
        var calls = new List<Task<int>>();
        await using (await queue.PauseAsync())
        {
            for (var index = 0; index < 5; index++)
            {
                var value = index;
                calls.Add(queue.RunAsync(() =>
                {
                    overlapped |= Interlocked.Increment(ref running) > 1;
                    Thread.Sleep(5);
                    order.Add(value);
                    Interlocked.Decrement(ref running);
                    return value;
                }, CancellationToken.None));
                await Until(() => queue.Waiting == value + 1);
            }
        }

        var results = await Task.WhenAll(calls);
        Assert.Equal([0, 1, 2, 3, 4], results);
        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.False(overlapped);
    }

    [Fact]
    public async Task An_idle_engine_takes_a_call_even_with_no_wait_list()
    {
        var queue = new EngineQueue(capacity: 0);

        Assert.Equal(42, await queue.RunAsync(() => 42, CancellationToken.None));
    }

    [Fact]
    public async Task A_full_wait_list_refuses_at_once_and_a_cancelled_waiter_frees_its_place()
    {
        var queue = new EngineQueue(capacity: 1);
        var ran = new List<string>();
        using var cancel = new CancellationTokenSource();
        Task<int> first;
        await using (await queue.PauseAsync())
        {
            first = queue.RunAsync(() => { ran.Add("first"); return 1; }, cancel.Token);
            await Until(() => queue.Waiting == 1);

            var full = await Assert.ThrowsAsync<QueueFullException>(() => queue.RunAsync(() => { ran.Add("refused"); return 2; }, CancellationToken.None));
            Assert.Equal(1, full.Capacity);

            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
            Assert.Equal(0, queue.Waiting);
            var third = queue.RunAsync(() => { ran.Add("third"); return 3; }, CancellationToken.None);
            await Until(() => queue.Waiting == 1);
            await Task.Yield();
            Assert.False(third.IsCompleted);
        }

        await Until(() => ran.Count == 1);
        Assert.Equal(["third"], ran);
    }

    [Fact]
    public void A_negative_capacity_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EngineQueue(-1));
}

using System;
using System.Collections.Generic;
using System.Threading;

namespace Mint.Server.Tests.Support;

/// <summary>
/// The system clock, recording every one-shot delay asked of it (<c>Task.Delay</c> over a
/// <see cref="TimeProvider"/> creates a timer with an infinite period), so a test can check the
/// delays a client chose without timing the wall clock.
/// </summary>
internal sealed class DelayRecordingTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> delays = [];

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (delays)
            {
                return [.. delays];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period == Timeout.InfiniteTimeSpan)
        {
            lock (delays)
            {
                delays.Add(dueTime);
            }
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}

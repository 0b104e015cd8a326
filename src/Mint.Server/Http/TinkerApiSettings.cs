using System;

namespace Mint.Server.Http;

/// <summary>Timing of Tinker's protocol on the server.</summary>
/// <param name="PollWait">How long one <c>retrieve_future</c> waits for the answer before saying <c>try_again</c>.</param>
/// <param name="SeqGapTimeout">How long a request waits for a missing <c>seq_id</c> predecessor before it runs anyway.</param>
/// <param name="Retention">How long an answer can be retrieved after it is ready (then: 410).</param>
internal sealed record TinkerApiSettings(TimeSpan PollWait, TimeSpan SeqGapTimeout, TimeSpan Retention);

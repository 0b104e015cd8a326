using System;

namespace Mint.Server.Http;

/// <summary>Timing and sizes of Tinker's protocol on the server.</summary>
/// <param name="PollWait">How long one <c>retrieve_future</c> waits for the answer before saying <c>try_again</c>.</param>
/// <param name="SeqGapTimeout">How long a request waits for a missing <c>seq_id</c> predecessor before it runs anyway.</param>
/// <param name="Retention">How long an answer can be retrieved after it is ready (then: 410).</param>
/// <param name="MaxBodyBytes">
/// The largest request body (<c>--max-message-mb</c>, as for gRPC messages); larger ones are refused with 413
/// before they are read. A batch's sparse tensors may expand to at most a quarter as many values, what a
/// dense float32 body of this size could carry.
/// </param>
internal sealed record TinkerApiSettings(TimeSpan PollWait, TimeSpan SeqGapTimeout, TimeSpan Retention, int MaxBodyBytes);

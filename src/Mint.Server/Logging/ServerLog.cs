using System;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mint.Server.Logging;

/// <summary>The server's log lines, as message templates (structured fields, no formatting on the hot path).</summary>
internal static partial class ServerLog
{
    /// <summary>One line per training call: what, for whom, how big, how it ended and how long it took.</summary>
    [LoggerMessage(EventId = 1, Message = "{Operation} session={SessionId} owner={Owner} datums={Datums} status={Status} elapsed_ms={ElapsedMs:F1}")]
    public static partial void Request(ILogger logger, LogLevel level, string operation, string sessionId, string owner, int datums, StatusCode status, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Method} from {Peer} rejected: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Operation} session={SessionId} failed")]
    public static partial void Failed(ILogger logger, Exception error, string operation, string? sessionId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Serving model {Model} (vocab {VocabSize}, context {Context}) on {Addresses}; checkpoints in {Checkpoints}; queue {Capacity}; {Auth}")]
    public static partial void Started(ILogger logger, string model, int vocabSize, int context, string addresses, string checkpoints, int capacity, string auth);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Stopped serving model {Model}")]
    public static partial void Stopped(ILogger logger, string model);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Listening on {Addresses} without API keys or TLS: anyone who can reach this address can train and read every session. Use --api-key and TLS (see the README).")]
    public static partial void Exposed(ILogger logger, string addresses);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Listening on {Addresses} without TLS: API keys cross the network in clear text. Configure a Kestrel HTTPS endpoint (see the README).")]
    public static partial void KeysInClear(ILogger logger, string addresses);
}

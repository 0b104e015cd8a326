using System;
using System.Linq;
using Microsoft.AspNetCore.Http;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Training;
using Mint.Protocol.Errors;
using Mint.Protocol.Tinker.Wire;
using Mint.Server.Scheduling;
using Mint.Server.Sessions;

namespace Mint.Server.Http;

/// <summary>
/// How errors travel in Tinker's protocol. A request that ran and failed answers its future with
/// <c>{"error", "category"}</c> (<c>user</c> for a bad request, <c>server</c> for our fault); one
/// refused before it got a future answers an HTTP status with <c>{"detail"}</c>. Both carry
/// <c>mint_error</c>, from which the C# client rebuilds the engine's own exception. Every answer is
/// bounded as gRPC's error trailer is: the message cut to <see cref="ErrorTrailer.MaxMessageLength"/>,
/// the first <see cref="BatchValidationException.MaxListed"/> violations with the total count.
/// </summary>
internal static class TinkerFailures
{
    public const string InternalMessage = "The server failed to run the call; see its log.";

    /// <summary>
    /// Whether <paramref name="error"/> is the request's fault (as opposed to a server failure). The SDK
    /// raises a <c>user</c> failure at once and never retries it; a session limit belongs here, because
    /// retrying cannot help until the caller closes a session (as gRPC's RESOURCE_EXHAUSTED without a
    /// queue-full trailer is not retried).
    /// </summary>
    public static bool IsUserError(Exception error) =>
        error is BatchValidationException or SessionNotFoundException or SessionLimitException or CheckpointException or CheckpointNotFoundException or ArgumentException;

    /// <summary>The future's answer for a request that failed with <paramref name="error"/>.</summary>
    public static RequestFailedResponse Failed(Exception error) => IsUserError(error)
        ? new RequestFailedResponse { Error = Message(error), Category = ErrorCategories.User, MintError = Detail(error) }
        : new RequestFailedResponse { Error = InternalMessage, Category = ErrorCategories.Server, MintError = new MintErrorDetail { Kind = "internal" } };

    /// <summary>
    /// The HTTP status and body for a request refused with <paramref name="error"/> before it got a future.
    /// A session limit is 400, not 429: the SDK retries 408, 409, 429 and 5xx, and this one only clears
    /// when the caller closes a session.
    /// </summary>
    public static (int Status, ErrorBody Body) Refused(Exception error) => error switch
    {
        SessionNotFoundException or CheckpointNotFoundException => (StatusCodes.Status404NotFound, new ErrorBody { Detail = Message(error), MintError = Detail(error) }),
        QueueFullException => (StatusCodes.Status429TooManyRequests, new ErrorBody { Detail = error.Message, MintError = new MintErrorDetail { Kind = "queue_full" } }),
        _ when IsUserError(error) => (StatusCodes.Status400BadRequest, new ErrorBody { Detail = Message(error), MintError = Detail(error) }),
        _ => (StatusCodes.Status500InternalServerError, new ErrorBody { Detail = InternalMessage, MintError = new MintErrorDetail { Kind = "internal" } }),
    };

    private static string Message(Exception error) => ErrorTrailer.Cut(error.Message, ErrorTrailer.MaxMessageLength);

    private static MintErrorDetail Detail(Exception error) => error switch
    {
        BatchValidationException validation => new MintErrorDetail
        {
            Kind = "batch_validation",
            Operation = ErrorTrailer.Cut(validation.Operation, ErrorTrailer.MaxFieldLength),
            Violations = validation.Violations.Take(BatchValidationException.MaxListed).Select(violation => new ViolationDetail
            {
                Datum = violation.DatumIndex,
                Key = violation.Key is null ? null : ErrorTrailer.Cut(violation.Key, ErrorTrailer.MaxFieldLength),
                Reason = ErrorTrailer.Cut(violation.Reason, ErrorTrailer.MaxFieldLength),
            }).ToList(),
            TotalViolations = validation.TotalCount,
        },
        SessionNotFoundException missing => new MintErrorDetail { Kind = "session_not_found", SessionId = ErrorTrailer.Cut(missing.SessionId, ErrorTrailer.MaxFieldLength) },
        SessionLimitException => new MintErrorDetail { Kind = "session_limit" },
        CheckpointNotFoundException => new MintErrorDetail { Kind = "checkpoint_not_found" },
        CheckpointException => new MintErrorDetail { Kind = "checkpoint_invalid" },
        _ => new MintErrorDetail { Kind = "invalid_argument" },
    };
}

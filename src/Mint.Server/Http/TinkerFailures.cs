using System;
using System.Linq;
using Microsoft.AspNetCore.Http;
using Mint.Dsl;
using Mint.Engine.Training;
using Mint.Protocol.Tinker.Wire;
using Mint.Server.Scheduling;
using Mint.Server.Sessions;

namespace Mint.Server.Http;

/// <summary>
/// How errors travel in Tinker's protocol. A request that ran and failed answers its future with
/// <c>{"error", "category"}</c> (<c>user</c> for a bad request, <c>server</c> for our fault); one
/// refused before it got a future answers an HTTP status with <c>{"detail"}</c>. Both carry
/// <c>mint_error</c>, from which the C# client rebuilds the engine's own exception.
/// </summary>
internal static class TinkerFailures
{
    public const string InternalMessage = "The server failed to run the call; see its log.";

    /// <summary>Whether <paramref name="error"/> is the request's fault (as opposed to a server failure).</summary>
    public static bool IsUserError(Exception error) =>
        error is BatchValidationException or SessionNotFoundException or CheckpointException or CheckpointNotFoundException or ArgumentException;

    /// <summary>The future's answer for a request that failed with <paramref name="error"/>.</summary>
    public static RequestFailedResponse Failed(Exception error) => IsUserError(error)
        ? new RequestFailedResponse { Error = error.Message, Category = ErrorCategories.User, MintError = Detail(error) }
        : new RequestFailedResponse { Error = InternalMessage, Category = ErrorCategories.Server, MintError = new MintErrorDetail { Kind = "internal" } };

    /// <summary>The HTTP status and body for a request refused with <paramref name="error"/> before it got a future.</summary>
    public static (int Status, ErrorBody Body) Refused(Exception error) => error switch
    {
        SessionNotFoundException or CheckpointNotFoundException => (StatusCodes.Status404NotFound, new ErrorBody { Detail = error.Message, MintError = Detail(error) }),
        QueueFullException => (StatusCodes.Status429TooManyRequests, new ErrorBody { Detail = error.Message, MintError = new MintErrorDetail { Kind = "queue_full" } }),
        _ when IsUserError(error) => (StatusCodes.Status400BadRequest, new ErrorBody { Detail = error.Message, MintError = Detail(error) }),
        _ => (StatusCodes.Status500InternalServerError, new ErrorBody { Detail = InternalMessage, MintError = new MintErrorDetail { Kind = "internal" } }),
    };

    private static MintErrorDetail Detail(Exception error) => error switch
    {
        BatchValidationException validation => new MintErrorDetail
        {
            Kind = "batch_validation",
            Operation = validation.Operation,
            Violations = validation.Violations.Select(violation => new ViolationDetail { Datum = violation.DatumIndex, Key = violation.Key, Reason = violation.Reason }).ToList(),
        },
        SessionNotFoundException missing => new MintErrorDetail { Kind = "session_not_found", SessionId = missing.SessionId },
        CheckpointNotFoundException => new MintErrorDetail { Kind = "checkpoint_not_found" },
        CheckpointException => new MintErrorDetail { Kind = "checkpoint_invalid" },
        _ => new MintErrorDetail { Kind = "invalid_argument" },
    };
}

using System;
using System.Linq;
using System.Net;
using System.Text.Json;
using Grpc.Core;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Training;
using Mint.Protocol.Tinker.Wire;

namespace Mint.Client.Transport.Tinker;

/// <summary>
/// Turns Tinker's error answers back into the exceptions the other transports throw: Mint.Server's
/// <c>mint_error</c> rebuilds the engine's own exception; without it (a hosted service) the HTTP
/// status or the failure's category picks a <see cref="MintServerException"/>.
/// </summary>
internal static class TinkerErrors
{
    /// <summary>A future that answered <c>{"error", "category"}</c>.</summary>
    public static Exception FromFailure(RequestFailedResponse failure) =>
        FromDetail(failure.MintError, failure.Error) ?? failure.Category switch
        {
            ErrorCategories.User => new MintServerException(StatusCode.InvalidArgument, failure.Error),
            ErrorCategories.Server => new MintServerException(StatusCode.Internal, failure.Error),
            _ => new MintServerException(StatusCode.Unknown, failure.Error),
        };

    /// <summary>An HTTP error status, with its body when it has one.</summary>
    public static Exception FromStatus(HttpStatusCode status, string body)
    {
        ErrorBody? error = null;
        try
        {
            error = JsonSerializer.Deserialize(body, TinkerJson.Default.ErrorBody);
        }
        catch (JsonException)
        {
            // Not our shape (a proxy's page, say): the status and the raw text must do.
        }

        var message = error?.Detail ?? $"HTTP {(int)status} {status}: {(body.Length > 500 ? body[..500] + " …" : body)}";
        return FromDetail(error?.MintError, message) ?? status switch
        {
            HttpStatusCode.Unauthorized => new UnauthenticatedException(message),
            HttpStatusCode.Forbidden => new PermissionDeniedException(message),
            HttpStatusCode.NotFound => new MintServerException(StatusCode.NotFound, message),
            HttpStatusCode.TooManyRequests => new ServerOverloadedException(message),
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => new MintServerException(StatusCode.InvalidArgument, message),
            HttpStatusCode.Gone => new MintServerException(StatusCode.FailedPrecondition, message),
            >= HttpStatusCode.InternalServerError => new MintServerException(StatusCode.Unavailable, message),
            _ => new MintServerException(StatusCode.Unknown, message),
        };
    }

    private static Exception? FromDetail(MintErrorDetail? detail, string message) => detail?.Kind switch
    {
        "batch_validation" => new BatchValidationException(
            detail.Operation ?? "request",
            (detail.Violations ?? []).Select(violation => new BatchViolation(violation.Datum, violation.Key, violation.Reason)).ToList(),
            detail.TotalViolations ?? 0),
        "session_not_found" => new SessionNotFoundException(detail.SessionId ?? string.Empty),
        "session_limit" => new SessionLimitException(message),
        "checkpoint_not_found" or "checkpoint_invalid" => new CheckpointException(message),
        "queue_full" => new ServerOverloadedException(message),
        "invalid_argument" => new MintServerException(StatusCode.InvalidArgument, message),
        "internal" => new MintServerException(StatusCode.Internal, message),
        _ => null,
    };
}

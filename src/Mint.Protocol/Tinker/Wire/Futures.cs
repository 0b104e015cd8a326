using System.Collections.Generic;

namespace Mint.Protocol.Tinker.Wire;

/// <summary>A submitted request's handle (SDK <c>types/shared/untyped_api_future.py</c>).</summary>
public sealed record UntypedApiFuture
{
    /// <summary>What <c>retrieve_future</c> names.</summary>
    public required string RequestId { get; init; }

    /// <summary>The model the request concerns.</summary>
    public string? ModelId { get; init; }
}

/// <summary><c>POST /api/v1/retrieve_future</c> (SDK <c>types/future_retrieve_request.py</c>).</summary>
public sealed record FutureRetrieveRequest
{
    /// <summary>The request polled.</summary>
    public required string RequestId { get; init; }

    /// <summary>Whether the server may answer with the result's size first (Mint.Server always sends the result).</summary>
    public bool AllowMetadataOnly { get; init; }
}

/// <summary>
/// Not done yet, poll again (SDK <c>types/try_again_response.py</c>). <c>queue_state</c> is
/// <c>active</c>, <c>paused_capacity</c> or <c>paused_rate_limit</c>.
/// </summary>
public sealed record TryAgainResponse
{
    /// <summary>The discriminator's value.</summary>
    public const string Discriminator = "try_again";

    /// <summary>The response's discriminator.</summary>
    public string Type { get; init; } = Discriminator;

    /// <summary>The request polled.</summary>
    public required string RequestId { get; init; }

    /// <summary>Why it waits.</summary>
    public required string QueueState { get; init; }
}

/// <summary>The queue states of <see cref="TryAgainResponse"/>.</summary>
public static class QueueStates
{
    /// <summary>Queued or running.</summary>
    public const string Active = "active";

    /// <summary>Waiting for room in a full queue.</summary>
    public const string PausedCapacity = "paused_capacity";

    /// <summary>Held back by a rate limit.</summary>
    public const string PausedRateLimit = "paused_rate_limit";
}

/// <summary>
/// The request ran and failed (SDK <c>types/request_failed_response.py</c>): <c>error</c> and a
/// <c>category</c> (<c>unknown</c>, <c>server</c>, <c>user</c>). <c>mint_error</c> is Mint.Server's
/// addition, from which the C# client rebuilds the engine's own exception.
/// </summary>
public sealed record RequestFailedResponse
{
    /// <summary>What went wrong.</summary>
    public required string Error { get; init; }

    /// <summary><c>unknown</c>, <c>server</c> or <c>user</c>.</summary>
    public required string Category { get; init; }

    /// <summary>Mint.Server: the typed error.</summary>
    public MintErrorDetail? MintError { get; init; }
}

/// <summary>The categories of <see cref="RequestFailedResponse"/> (the SDK's <c>RequestErrorCategory</c>, a lower-case StrEnum).</summary>
public static class ErrorCategories
{
    /// <summary>Not known.</summary>
    public const string Unknown = "unknown";

    /// <summary>The server failed.</summary>
    public const string Server = "server";

    /// <summary>The request was wrong.</summary>
    public const string User = "user";
}

/// <summary>Mint.Server's typed error: which engine exception to rebuild, and its parts.</summary>
public sealed record MintErrorDetail
{
    /// <summary><c>batch_validation</c>, <c>session_not_found</c>, <c>session_limit</c>, <c>checkpoint_not_found</c>, <c>checkpoint_invalid</c>, <c>queue_full</c>, <c>invalid_argument</c> or <c>internal</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The validated operation (batch validation).</summary>
    public string? Operation { get; init; }

    /// <summary>The first violations (batch validation; at most <c>BatchValidationException.MaxListed</c>).</summary>
    public IReadOnlyList<ViolationDetail>? Violations { get; init; }

    /// <summary>How many violations were found, listed or not (batch validation).</summary>
    public int? TotalViolations { get; init; }

    /// <summary>The unknown session (session not found).</summary>
    public string? SessionId { get; init; }
}

/// <summary>One violation of a batch: datum index (null for the whole request), key and reason.</summary>
public sealed record ViolationDetail
{
    /// <summary>The datum's index, or null.</summary>
    public int? Datum { get; init; }

    /// <summary>The input key, or null.</summary>
    public string? Key { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>An HTTP error body (<c>{"detail": …}</c>, as FastAPI-style services answer), with Mint.Server's typed error.</summary>
public sealed record ErrorBody
{
    /// <summary>What went wrong.</summary>
    public required string Detail { get; init; }

    /// <summary>Mint.Server: the typed error.</summary>
    public MintErrorDetail? MintError { get; init; }
}

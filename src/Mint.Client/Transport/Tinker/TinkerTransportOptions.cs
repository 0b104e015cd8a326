using System;
using System.Net.Http;

namespace Mint.Client.Transport.Tinker;

/// <summary>How a <see cref="TinkerTransport"/> reaches a service that speaks Tinker's HTTP protocol.</summary>
public sealed record TinkerTransportOptions
{
    /// <summary>The service's base URL, e.g. <c>http://127.0.0.1:8080</c> for Mint.Server's <c>--http-port</c> (routes are under <c>/api/v1/</c>).</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>The API key, sent as <c>X-API-Key</c>; null sends none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// The base model new training sessions use (<c>base_model</c>). Null asks the service
    /// (<c>get_server_capabilities</c>) and takes its only model; a service offering several needs it set.
    /// </summary>
    public string? BaseModel { get; init; }

    /// <summary>How often a request is retried on 408, 409, 429, 5xx or a failed connection (the SDK's default: 10).</summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>The first retry's delay, doubled per retry up to <see cref="MaxRetryDelay"/>, less up to 25% jitter (the SDK's: 0.5 s).</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>The longest delay between retries (the SDK's: 10 s).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one request may take before it counts as a failed connection and is retried (the SDK's: 60 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a request whose future is gone (410) is submitted again before giving up.</summary>
    public int MaxResubmissions { get; init; } = 3;

    /// <summary>How often the client's session is kept alive (<c>session_heartbeat</c>; the SDK's: 10 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The HTTP handler requests go through; null builds a <see cref="SocketsHttpHandler"/>. The transport disposes it.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>The clock retry delays wait on; tests pass their own to see each delay the client chose.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

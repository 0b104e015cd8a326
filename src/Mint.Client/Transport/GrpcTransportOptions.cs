using System;
using System.Net.Http;
using Mint.Protocol;

namespace Mint.Client.Transport;

/// <summary>How a <see cref="GrpcTransport"/> reaches a <c>Mint.Server</c>.</summary>
public sealed record GrpcTransportOptions
{
    /// <summary>The server, e.g. <c>http://127.0.0.1:50051</c> (HTTP/2 cleartext) or <c>https://host:50051</c> (TLS).</summary>
    public required Uri ServerUrl { get; init; }

    /// <summary>The API key, sent as <c>authorization: Bearer &lt;key&gt;</c> on every call; null sends none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The largest message sent or accepted, in bytes (256 MiB by default, like the server).</summary>
    public int MaxMessageBytes { get; init; } = ProtocolLimits.DefaultMaxMessageBytes;

    /// <summary>
    /// The HTTP handler calls go through; null builds a <see cref="SocketsHttpHandler"/>. Supply one to
    /// trust a private certificate authority or to go through a proxy. The transport disposes it.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>
    /// How calls refused because the server's queue was full are retried (they never ran, so a retry
    /// cannot apply anything twice); <see cref="RetryPolicy.Default"/> unless set, <see cref="RetryPolicy.None"/> to turn it off.
    /// </summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;
}

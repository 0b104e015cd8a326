namespace Mint.Client;

/// <summary>Which protocol a <see cref="ServiceClient"/> speaks to <see cref="ServiceClientOptions.ServerUrl"/>.</summary>
public enum ServerProtocol
{
    /// <summary>Mint's own gRPC contract (HTTP/2), served by <c>Mint.Server</c> on <c>--port</c>.</summary>
    Grpc,

    /// <summary>Tinker's HTTP protocol (JSON, futures): hosted MinT/Tinker services, or <c>Mint.Server</c> on <c>--http-port</c>.</summary>
    Tinker,
}

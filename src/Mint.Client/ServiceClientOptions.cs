using System;
using Mint.Client.Transport;
using Mint.Engine.Compute;

namespace Mint.Client;

/// <summary>Where a <see cref="ServiceClient"/> trains: an in-process engine (the default) or a server.</summary>
public sealed record ServiceClientOptions
{
    /// <summary>
    /// The base model folder (<c>config.json</c> + <c>*.safetensors</c>) for the embedded engine.
    /// Used when <see cref="ServerUrl"/> is null.
    /// </summary>
    public string? BaseModelPath { get; init; }

    /// <summary>
    /// A server to train against; null trains in-process, unless <c>MINT_BASE_URL</c> or
    /// <c>TINKER_BASE_URL</c> names a service (then spoken to with <see cref="ServerProtocol.Tinker"/>).
    /// </summary>
    public Uri? ServerUrl { get; init; }

    /// <summary>The protocol <see cref="ServerUrl"/> speaks: Mint's gRPC (the default) or Tinker's HTTP protocol.</summary>
    public ServerProtocol Protocol { get; init; } = ServerProtocol.Grpc;

    /// <summary>With <see cref="ServerProtocol.Tinker"/>: the base model to train; null takes the service's only one.</summary>
    public string? BaseModel { get; init; }

    /// <summary>The environment variable an unset <see cref="ApiKey"/> is read from.</summary>
    public const string ApiKeyVariable = "MINT_API_KEY";

    /// <summary>
    /// The server's API key; when null, <c>MINT_API_KEY</c> is used if set (and, for Tinker's protocol,
    /// then <c>TINKER_API_KEY</c>).
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>Where the embedded engine keeps checkpoints (names resolve inside it).</summary>
    public string CheckpointDirectory { get; init; } = "checkpoints";

    /// <summary>
    /// Where and how the embedded engine computes: device (CPU when unset), base-weight precision,
    /// TF32, activation checkpointing. For a server, use its <c>--device</c>/<c>--dtype</c> options.
    /// </summary>
    public EngineOptions Engine { get; init; } = EngineOptions.Default;

    /// <summary>How calls to a server that refused them for a full queue are retried (see <see cref="RetryPolicy"/>).</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;
}

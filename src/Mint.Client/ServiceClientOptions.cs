using System;
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

    /// <summary>A <c>Mint.Server</c> to train against over gRPC; null trains in-process.</summary>
    public Uri? ServerUrl { get; init; }

    /// <summary>The environment variable an unset <see cref="ApiKey"/> is read from.</summary>
    public const string ApiKeyVariable = "MINT_API_KEY";

    /// <summary>The server's API key, sent as a bearer token; when null, <c>MINT_API_KEY</c> is used if set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Where the embedded engine keeps checkpoints (names resolve inside it).</summary>
    public string CheckpointDirectory { get; init; } = "checkpoints";

    /// <summary>
    /// Where and how the embedded engine computes: device (CPU when unset), base-weight precision,
    /// TF32, activation checkpointing. For a server, use its <c>--device</c>/<c>--dtype</c> options.
    /// </summary>
    public EngineOptions Engine { get; init; } = EngineOptions.Default;
}

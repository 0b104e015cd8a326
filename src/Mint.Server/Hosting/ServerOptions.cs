using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;
using Mint.Engine.Admission;
using Mint.Engine.Compute;
using Mint.Protocol;

namespace Mint.Server.Hosting;

/// <summary>How a <see cref="MintServer"/> runs: the command line's options, as a value.</summary>
public sealed record ServerOptions
{
    /// <summary>The base model folder (<c>config.json</c> + <c>*.safetensors</c>).</summary>
    public required string ModelPath { get; init; }

    /// <summary>
    /// The name clients ask for (<c>base_model</c>) and checkpoints record; the folder's name when null.
    /// A hub id (<c>Qwen/Qwen3-8B</c>) lets the Python SDK's <c>get_tokenizer()</c> load the tokenizer by it.
    /// </summary>
    public string? ModelName { get; init; }

    /// <summary>The address to listen on; loopback by default. Ignored when Kestrel endpoints are configured.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port to listen on (HTTP/2 cleartext); 0 picks a free one. Ignored when Kestrel endpoints are configured.</summary>
    public int Port { get; init; } = 50051;

    /// <summary>
    /// A second port serving Tinker's HTTP protocol (HTTP/1.1 cleartext, for the Python SDK); null
    /// serves none. It needs its own port: cleartext HTTP/2 (gRPC) cannot share one with HTTP/1.1.
    /// </summary>
    public int? HttpPort { get; init; }

    /// <summary>How long one Tinker <c>retrieve_future</c> call waits for a result before answering <c>try_again</c>.</summary>
    public TimeSpan TinkerPollWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a Tinker request waits for a missing <c>seq_id</c> predecessor before it runs anyway (tests shorten it).</summary>
    internal TimeSpan TinkerSeqGapTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Accepted API keys; none means every caller is the same anonymous owner.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>Where checkpoints are kept, one sub-folder per API key.</summary>
    public string CheckpointDirectory { get; init; } = "checkpoints";

    /// <summary>How many requests may wait behind the running one before new ones are refused with <c>RESOURCE_EXHAUSTED</c>.</summary>
    public int MaxQueue { get; init; } = 64;

    /// <summary>The largest request or response message, in bytes (256 MiB by default).</summary>
    public int MaxMessageBytes { get; init; } = ProtocolLimits.DefaultMaxMessageBytes;

    /// <summary>The most bytes of request headers per call (32 KiB by default); larger requests are refused by Kestrel.</summary>
    public int MaxHeaderBytes { get; init; } = 32 * 1024;

    /// <summary>How many sessions one API key (or the anonymous caller) may hold open at once.</summary>
    public int MaxSessionsPerKey { get; init; } = 16;

    /// <summary>What one request may make the engine allocate: LoRA rank, sessions, batch, tokens, samples.</summary>
    public EngineLimits Limits { get; init; } = EngineLimits.Default;

    /// <summary>The TorchSharp device the engine runs on (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>The base weights' precision (<c>--dtype</c>); LoRA and optimizer state stay float32.</summary>
    public WeightPrecision Precision { get; init; } = WeightPrecision.Float32;

    /// <summary>TF32 tensor cores for float32 matrix products on CUDA (<c>--tf32</c>).</summary>
    public bool AllowTf32 { get; init; }

    /// <summary>Recompute each layer in the backward pass instead of keeping its activations (<c>--activation-checkpointing</c>).</summary>
    public bool ActivationCheckpointing { get; init; }

    /// <summary>
    /// A JSON settings file read as ASP.NET Core configuration, e.g. a <c>Kestrel</c> section with
    /// TLS endpoints and certificates. Environment variables (<c>Kestrel__Endpoints__…</c>) work too.
    /// </summary>
    public string? SettingsFile { get; init; }

    /// <summary>Console log lines as single-line text or as JSON objects.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Replaces the console logging set up from <see cref="LogFormat"/> (tests capture logs with it).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

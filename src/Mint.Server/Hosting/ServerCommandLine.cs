using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using Mint.Engine.Admission;
using Mint.Engine.Compute;
using Mint.Protocol;

namespace Mint.Server.Hosting;

/// <summary>
/// The server's command line: <c>--model &lt;folder&gt; [--port 50051] [--http-port N] [--host 127.0.0.1] [--api-key KEY]…
/// [--checkpoints DIR] [--max-queue N] [--max-message-mb N] [--max-header-kb N] [--max-sessions-per-key N]
/// [--max-sessions N] [--max-lora-rank N] [--max-batch-size N] [--max-tokens-per-request N]
/// [--max-num-samples N] [--max-sample-tokens N] [--device cpu] [--dtype float32] [--tf32]
/// [--activation-checkpointing] [--settings FILE]
/// [--log-format text|json] [--create-model]</c>. API keys also come from <c>MINT_API_KEY</c>
/// (comma-separated).
/// </summary>
internal sealed class ServerCommandLine
{
    /// <summary>The environment variable holding API keys, comma-separated.</summary>
    public const string ApiKeyVariable = "MINT_API_KEY";

    private readonly Option<string> model = new("--model") { Description = "The base model folder (config.json + *.safetensors).", Required = true };
    private readonly Option<string?> modelName = new("--model-name") { Description = "The name clients ask for (base_model) and checkpoints record, e.g. the hub id Qwen/Qwen3-8B; the folder's name by default." };
    private readonly Option<bool> createModel = new("--create-model") { Description = "First write a small random model into --model if it holds none (to try the server out)." };
    private readonly Option<string> host = new("--host") { Description = "The address to listen on: an IP, 'localhost', or '*' for every interface.", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly Option<int> port = new("--port") { Description = "The port to listen on (HTTP/2 cleartext; 0 picks a free one).", DefaultValueFactory = _ => 50051 };
    private readonly Option<int?> httpPort = new("--http-port") { Description = "Also serve Tinker's HTTP protocol (HTTP/1.1, for the Python SDK) on this port; 0 picks a free one." };
    private readonly Option<string[]> apiKeys = new("--api-key") { Description = $"An accepted API key; repeat for several clients. Also read from {ApiKeyVariable} (comma-separated)." };
    private readonly Option<string> checkpoints = new("--checkpoints") { Description = "The checkpoint folder (one sub-folder per API key).", DefaultValueFactory = _ => "checkpoints" };
    private readonly Option<int> maxQueue = new("--max-queue") { Description = "Requests allowed to wait behind the running one; more are refused with RESOURCE_EXHAUSTED.", DefaultValueFactory = _ => 64 };
    private readonly Option<int> maxMessageMb = new("--max-message-mb") { Description = "The largest request or response, in MiB.", DefaultValueFactory = _ => ProtocolLimits.DefaultMaxMessageBytes / (1024 * 1024) };
    private readonly Option<int> maxHeaderKb = new("--max-header-kb") { Description = "The most request-header bytes per call, in KiB.", DefaultValueFactory = _ => 32 };
    private readonly Option<int> maxSessionsPerKey = new("--max-sessions-per-key") { Description = "Sessions one API key may hold open; more are refused with RESOURCE_EXHAUSTED.", DefaultValueFactory = _ => 16 };
    private readonly Option<int> maxSessions = new("--max-sessions") { Description = "Sessions the server holds open over all keys.", DefaultValueFactory = _ => EngineLimits.Default.MaxSessions };
    private readonly Option<int> maxLoraRank = new("--max-lora-rank") { Description = "The largest LoRA rank a session may ask for.", DefaultValueFactory = _ => EngineLimits.Default.MaxLoraRank };
    private readonly Option<int> maxBatchSize = new("--max-batch-size") { Description = "The most datums in one forward or forward_backward.", DefaultValueFactory = _ => EngineLimits.Default.MaxBatchSize };
    private readonly Option<long> maxTokensPerRequest = new("--max-tokens-per-request") { Description = "The most tokens one request may make the engine hold (batch tokens; samples × (prompt + max_tokens)).", DefaultValueFactory = _ => EngineLimits.Default.MaxTokensPerRequest };
    private readonly Option<int> maxNumSamples = new("--max-num-samples") { Description = "The most completions one sample call may ask for.", DefaultValueFactory = _ => EngineLimits.Default.MaxNumSamples };
    private readonly Option<int> maxSampleTokens = new("--max-sample-tokens") { Description = "The most new tokens per completion (max_tokens).", DefaultValueFactory = _ => EngineLimits.Default.MaxSampleTokens };
    private readonly Option<string> device = new("--device") { Description = "The TorchSharp device: cpu, cuda, cuda:1, ….", DefaultValueFactory = _ => "cpu" };
    private readonly Option<WeightPrecision> dtype = new("--dtype")
    {
        Description = "Base-weight precision: float32, bfloat16 (bf16) or float16 (fp16). LoRA and optimizer state stay float32.",
        DefaultValueFactory = _ => WeightPrecision.Float32,
        CustomParser = result =>
        {
            try
            {
                return WeightPrecisions.Parse(result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty, "--dtype");
            }
            catch (ArgumentException error)
            {
                result.AddError(error.Message);
                return WeightPrecision.Float32;
            }
        },
    };

    private readonly Option<bool> tf32 = new("--tf32") { Description = "Let CUDA run float32 matrix products on TF32 tensor cores." };
    private readonly Option<bool> activationCheckpointing = new("--activation-checkpointing") { Description = "Recompute each layer during backward instead of keeping its activations (less memory, about one more forward pass)." };
    private readonly Option<string?> settings = new("--settings") { Description = "A JSON settings file (ASP.NET Core configuration), e.g. Kestrel TLS endpoints." };
    private readonly Option<LogFormat> logFormat = new("--log-format") { Description = "Console log format: Text or Json.", DefaultValueFactory = _ => LogFormat.Text };

    public ServerCommandLine()
    {
        maxQueue.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--max-queue must be 0 or more.");
            }
        });
        maxMessageMb.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 2047)
            {
                result.AddError("--max-message-mb must be between 1 and 2047.");
            }
        });

        maxHeaderKb.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1024)
            {
                result.AddError("--max-header-kb must be between 1 and 1024.");
            }
        });
        foreach (var limit in new Option<int>[] { maxSessionsPerKey, maxSessions, maxLoraRank, maxBatchSize, maxNumSamples, maxSampleTokens })
        {
            limit.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"{limit.Name} must be at least 1.");
                }
            });
        }

        maxTokensPerRequest.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() < 1)
            {
                result.AddError("--max-tokens-per-request must be at least 1.");
            }
        });

        Command = new RootCommand("Mint.Server: serves one base model for LoRA training and sampling over gRPC.");
        foreach (var option in new Option[]
                 {
                     model, modelName, createModel, host, port, httpPort, apiKeys, checkpoints, maxQueue, maxMessageMb, maxHeaderKb, maxSessionsPerKey,
                     maxSessions, maxLoraRank, maxBatchSize, maxTokensPerRequest, maxNumSamples, maxSampleTokens, device, dtype, tf32,
                     activationCheckpointing, settings, logFormat,
                 })
        {
            Command.Options.Add(option);
        }
    }

    /// <summary>The root command, with every option.</summary>
    public RootCommand Command { get; }

    /// <summary>Parses <paramref name="args"/>.</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => Command.Parse(args);

    /// <summary>The options a parsed command line asks for; API keys from <paramref name="environmentKeys"/> are added.</summary>
    public ServerOptions ToOptions(ParseResult parsed, string? environmentKeys)
    {
        var keys = (parsed.GetValue(apiKeys) ?? [])
            .Concat((environmentKeys ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new ServerOptions
        {
            ModelPath = parsed.GetRequiredValue(model),
            ModelName = parsed.GetValue(modelName),
            Host = parsed.GetValue(host)!,
            Port = parsed.GetValue(port),
            HttpPort = parsed.GetValue(httpPort),
            ApiKeys = keys,
            CheckpointDirectory = parsed.GetValue(checkpoints)!,
            MaxQueue = parsed.GetValue(maxQueue),
            MaxMessageBytes = parsed.GetValue(maxMessageMb) * 1024 * 1024,
            MaxHeaderBytes = parsed.GetValue(maxHeaderKb) * 1024,
            MaxSessionsPerKey = parsed.GetValue(maxSessionsPerKey),
            Limits = new EngineLimits
            {
                MaxSessions = parsed.GetValue(maxSessions),
                MaxLoraRank = parsed.GetValue(maxLoraRank),
                MaxBatchSize = parsed.GetValue(maxBatchSize),
                MaxTokensPerRequest = parsed.GetValue(maxTokensPerRequest),
                MaxNumSamples = parsed.GetValue(maxNumSamples),
                MaxSampleTokens = parsed.GetValue(maxSampleTokens),
            },
            Device = parsed.GetValue(device)!,
            Precision = parsed.GetValue(dtype),
            AllowTf32 = parsed.GetValue(tf32),
            ActivationCheckpointing = parsed.GetValue(activationCheckpointing),
            SettingsFile = parsed.GetValue(settings),
            LogFormat = parsed.GetValue(logFormat),
        };
    }

    /// <summary>Whether the command line asks for a demo model to be created.</summary>
    public bool WantsDemoModel(ParseResult parsed) => parsed.GetValue(createModel);

    /// <summary>Parse errors, one message each.</summary>
    public static IReadOnlyList<string> Errors(ParseResult parsed) => parsed.Errors.Select(error => error.Message).ToList();
}

using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using Mint.Protocol;

namespace Mint.Server.Hosting;

/// <summary>
/// The server's command line: <c>--model &lt;folder&gt; [--port 50051] [--host 127.0.0.1] [--api-key KEY]…
/// [--checkpoints DIR] [--max-queue N] [--max-message-mb N] [--device cpu] [--settings FILE]
/// [--log-format text|json] [--create-model]</c>. API keys also come from <c>MINT_API_KEY</c>
/// (comma-separated).
/// </summary>
internal static class ServerCommandLine
{
    /// <summary>The environment variable holding API keys, comma-separated.</summary>
    public const string ApiKeyVariable = "MINT_API_KEY";

    public static Option<string> Model { get; } = new("--model") { Description = "The base model folder (config.json + *.safetensors).", Required = true };

    public static Option<bool> CreateModel { get; } = new("--create-model") { Description = "Write a small random model into --model first if it holds none (to try the server out)." };

    public static Option<string> Host { get; } = new("--host") { Description = "The address to listen on: an IP, 'localhost', or '*' for every interface.", DefaultValueFactory = _ => "127.0.0.1" };

    public static Option<int> Port { get; } = new("--port") { Description = "The port to listen on (HTTP/2 cleartext; 0 picks a free one).", DefaultValueFactory = _ => 50051 };

    public static Option<string[]> ApiKeys { get; } = new("--api-key") { Description = $"An accepted API key; repeat for several clients. Also read from {ApiKeyVariable} (comma-separated)." };

    public static Option<string> Checkpoints { get; } = new("--checkpoints") { Description = "The checkpoint folder (one sub-folder per API key).", DefaultValueFactory = _ => "checkpoints" };

    public static Option<int> MaxQueue { get; } = new("--max-queue") { Description = "Requests allowed to wait behind the running one; more are refused with RESOURCE_EXHAUSTED.", DefaultValueFactory = _ => 64 };

    public static Option<int> MaxMessageMb { get; } = new("--max-message-mb") { Description = "The largest request or response, in MiB.", DefaultValueFactory = _ => ProtocolLimits.DefaultMaxMessageBytes / (1024 * 1024) };

    public static Option<string> Device { get; } = new("--device") { Description = "The TorchSharp device: cpu, cuda, cuda:1, ….", DefaultValueFactory = _ => "cpu" };

    public static Option<string?> Settings { get; } = new("--settings") { Description = "A JSON settings file (ASP.NET Core configuration), e.g. Kestrel TLS endpoints." };

    public static Option<LogFormat> LogFormatOption { get; } = new("--log-format") { Description = "Console log format: text or json.", DefaultValueFactory = _ => LogFormat.Text };

    /// <summary>The root command, with every option.</summary>
    public static RootCommand Command()
    {
        var command = new RootCommand("Mint.Server: serves one base model for LoRA training and sampling over gRPC.");
        foreach (var option in new Option[] { Model, CreateModel, Host, Port, ApiKeys, Checkpoints, MaxQueue, MaxMessageMb, Device, Settings, LogFormatOption })
        {
            command.Options.Add(option);
        }

        MaxQueue.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--max-queue must be 0 or more.");
            }
        });
        MaxMessageMb.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 2047)
            {
                result.AddError("--max-message-mb must be between 1 and 2047.");
            }
        });
        return command;
    }

    /// <summary>The options a parsed command line asks for; API keys from <paramref name="environmentKeys"/> are added.</summary>
    public static ServerOptions ToOptions(ParseResult parsed, string? environmentKeys)
    {
        var keys = (parsed.GetValue(ApiKeys) ?? [])
            .Concat((environmentKeys ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new ServerOptions
        {
            ModelPath = parsed.GetRequiredValue(Model),
            Host = parsed.GetValue(Host)!,
            Port = parsed.GetValue(Port),
            ApiKeys = keys,
            CheckpointDirectory = parsed.GetValue(Checkpoints)!,
            MaxQueue = parsed.GetValue(MaxQueue),
            MaxMessageBytes = parsed.GetValue(MaxMessageMb) * 1024 * 1024,
            Device = parsed.GetValue(Device)!,
            SettingsFile = parsed.GetValue(Settings),
            LogFormat = parsed.GetValue(LogFormatOption),
        };
    }

    /// <summary>Whether the command line asks for a demo model to be created.</summary>
    public static bool WantsDemoModel(ParseResult parsed) => parsed.GetValue(CreateModel);

    /// <summary>Parse errors, one message each.</summary>
    public static IReadOnlyList<string> Errors(ParseResult parsed) => parsed.Errors.Select(error => error.Message).ToList();
}

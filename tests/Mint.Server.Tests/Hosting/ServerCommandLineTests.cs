using Mint.Server.Hosting;
using Xunit;

namespace Mint.Server.Tests.Hosting;

/// <summary>The server's command line.</summary>
public sealed class ServerCommandLineTests
{
    private static ServerOptions Parse(string[] args, string? environmentKeys = null)
    {
        var commandLine = new ServerCommandLine();
        var parsed = commandLine.Parse(args);
        Assert.Empty(ServerCommandLine.Errors(parsed));
        return commandLine.ToOptions(parsed, environmentKeys);
    }

    [Fact]
    public void Defaults_listen_on_loopback_port_50051_without_keys()
    {
        var options = Parse(["--model", "models/tiny"]);

        Assert.Equal("models/tiny", options.ModelPath);
        Assert.Null(options.ModelName);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(50051, options.Port);
        Assert.Empty(options.ApiKeys);
        Assert.Equal("checkpoints", options.CheckpointDirectory);
        Assert.Equal(64, options.MaxQueue);
        Assert.Equal(256 * 1024 * 1024, options.MaxMessageBytes);
        Assert.Equal(LogFormat.Text, options.LogFormat);
    }

    [Fact]
    public void Every_option_is_read_and_keys_come_from_flags_and_the_environment()
    {
        var options = Parse(
            ["--model", "m", "--model-name", "Qwen/Qwen3-8B", "--host", "0.0.0.0", "--port", "6000", "--api-key", "a", "--api-key", "b", "--checkpoints", "/srv/ckpt",
             "--max-queue", "0", "--max-message-mb", "512", "--device", "cuda:1", "--dtype", "bf16", "--tf32", "--activation-checkpointing",
             "--settings", "tls.json", "--log-format", "json"],
            environmentKeys: "c, a");

        Assert.Equal("Qwen/Qwen3-8B", options.ModelName);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(6000, options.Port);
        Assert.Equal(["a", "b", "c"], options.ApiKeys);
        Assert.Equal("/srv/ckpt", options.CheckpointDirectory);
        Assert.Equal(0, options.MaxQueue);
        Assert.Equal(512 * 1024 * 1024, options.MaxMessageBytes);
        Assert.Equal("cuda:1", options.Device);
        Assert.Equal(Mint.Engine.Compute.WeightPrecision.BFloat16, options.Precision);
        Assert.True(options.AllowTf32);
        Assert.True(options.ActivationCheckpointing);
        Assert.Equal("tls.json", options.SettingsFile);
        Assert.Equal(LogFormat.Json, options.LogFormat);
    }

    [Theory]
    [InlineData(new[] { "--port", "1" }, "--model")]
    [InlineData(new[] { "--model", "m", "--max-queue", "-1" }, "--max-queue must be 0 or more.")]
    [InlineData(new[] { "--model", "m", "--max-message-mb", "4096" }, "--max-message-mb must be between 1 and 2047.")]
    [InlineData(new[] { "--model", "m", "--dtype", "int8" }, "--dtype is 'int8'; use float32, bfloat16 or float16.")]
    public void Bad_command_lines_are_reported(string[] args, string expected)
    {
        var errors = ServerCommandLine.Errors(new ServerCommandLine().Parse(args));

        Assert.Contains(errors, error => error.Contains(expected));
    }
}

using System;
using System.IO;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;
using Mint.Engine.Model;
using Mint.Server.Hosting;

namespace Mint.Server;

/// <summary>
/// <c>dotnet run --project src/Mint.Server -- --model &lt;folder&gt; --port 50051</c>: serves the model
/// until Ctrl+C (or SIGTERM), then finishes running calls and exits.
/// </summary>
public static class Program
{
    /// <summary>Parses the command line and runs the server.</summary>
    public static Task<int> Main(string[] args)
    {
        var commandLine = new ServerCommandLine();
        commandLine.Command.SetAction((parsed, cancellationToken) => RunAsync(commandLine, parsed, cancellationToken));
        // Ctrl+C cancels the action's token; give running calls time to finish before the process ends.
        return commandLine.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
    }

    private static async Task<int> RunAsync(ServerCommandLine commandLine, ParseResult parsed, CancellationToken cancellationToken)
    {
        var options = commandLine.ToOptions(parsed, Environment.GetEnvironmentVariable(ServerCommandLine.ApiKeyVariable));
        if (commandLine.WantsDemoModel(parsed) && DemoModel.CreateIfMissing(options.ModelPath))
        {
            Console.WriteLine($"Created a small random model in {options.ModelPath}.");
        }

        MintServer server;
        try
        {
            server = await MintServer.StartAsync(options, cancellationToken);
        }
        catch (Exception error) when (error is ModelLoadException or ArgumentException or IOException)
        {
            // A model that does not load, a bad --host, a port in use: say so, without a stack trace.
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        await using (server)
        {
            await server.WaitForShutdownAsync(cancellationToken);
        }

        return 0;
    }
}

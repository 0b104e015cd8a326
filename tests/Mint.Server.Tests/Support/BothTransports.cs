using System.Threading.Tasks;
using Mint.Client;

namespace Mint.Server.Tests.Support;

/// <summary>One tiny model served two ways: by a real server over gRPC and by the in-process engine.</summary>
internal sealed class BothTransports : System.IAsyncDisposable
{
    private BothTransports(ModelFolder model, RunningServer server, EmbeddedReference embedded)
    {
        Model = model;
        Server = server;
        Embedded = embedded;
    }

    public ModelFolder Model { get; }

    public RunningServer Server { get; }

    public EmbeddedReference Embedded { get; }

    public static async Task<BothTransports> StartAsync(long seed)
    {
        var model = new ModelFolder(seed);
        return new BothTransports(model, await RunningServer.StartAsync(model.Path), new EmbeddedReference(model.Path));
    }

    /// <summary>A client over <c>"grpc"</c> or <c>"embedded"</c>, as theories name them.</summary>
    public ServiceClient Over(string transport) => transport == "grpc" ? Server.Client() : Embedded.Client;

    /// <summary>The engine behind <c>"grpc"</c> or <c>"embedded"</c>, to read a session's gradients.</summary>
    public Mint.Engine.MintEngine Engine(string transport) => transport == "grpc" ? Server.Server.Engine : Embedded.Engine;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Embedded.DisposeAsync();
        Model.Dispose();
    }
}

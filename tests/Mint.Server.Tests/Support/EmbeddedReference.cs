using System;
using System.IO;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Engine;
using Mint.Engine.Model;

namespace Mint.Server.Tests.Support;

/// <summary>The in-process engine on the same model folder a server loads: the reference gRPC results must equal.</summary>
internal sealed class EmbeddedReference : IAsyncDisposable
{
    public EmbeddedReference(string modelFolder)
    {
        CheckpointRoot = Directory.CreateTempSubdirectory("mint-embedded-checkpoints-").FullName;
        Engine = new MintEngine(PretrainedModel.Load(modelFolder));
        Client = new ServiceClient(new EmbeddedTransport(Engine, CheckpointRoot));
    }

    public MintEngine Engine { get; }

    public ServiceClient Client { get; }

    public string CheckpointRoot { get; }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        Engine.Dispose();
        Directory.Delete(CheckpointRoot, recursive: true);
    }
}

using System;
using System.IO;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Engine;
using Mint.Engine.Tests.Support;

namespace Mint.Client.Tests.Support;

/// <summary>A service client over a real in-process engine on a tiny model, with its own checkpoint folder.</summary>
internal sealed class EmbeddedService : IAsyncDisposable
{
    public EmbeddedService(long seed = 1, int vocab = 48)
    {
        CheckpointRoot = Directory.CreateTempSubdirectory("mint-checkpoints-").FullName;
        Engine = new MintEngine(TinyModel.Load(TinyModel.Config(vocab: vocab), seed));
        Transport = new CountingTransport(new EmbeddedTransport(Engine, CheckpointRoot));
        Client = new ServiceClient(Transport);
    }

    public MintEngine Engine { get; }

    public CountingTransport Transport { get; }

    public ServiceClient Client { get; }

    public string CheckpointRoot { get; }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        Engine.Dispose();
        Directory.Delete(CheckpointRoot, recursive: true);
    }
}

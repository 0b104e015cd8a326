using System;
using System.IO;
using Mint.Engine.Tests.Support;

namespace Mint.Server.Tests.Support;

/// <summary>A tiny seeded model saved as a real model folder, deleted on dispose.</summary>
internal sealed class ModelFolder : IDisposable
{
    public ModelFolder(long seed = 1, int vocab = 48)
    {
        Path = TinyModel.SaveFolder(TinyModel.Config(vocab: vocab), seed);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

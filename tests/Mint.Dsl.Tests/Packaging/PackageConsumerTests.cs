using System;
using System.IO;
using System.Reflection;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Packaging;

/// <summary>
/// SLOW (about a minute; filter it out with <c>--filter Category!=Packaging</c>): packs every package
/// from this build's outputs and builds a throwaway consumer from a local folder feed, exactly as a
/// user adds the package. Proves that one PackageReference (<c>Mint.Client</c>) brings the runtime,
/// the engine, the generator, the analyzers and the native-library fix (the consumer computes a loss
/// and trains a step with TorchSharp, which on this Debian only loads once the buildTransitive targets
/// have patched it), and that the server ships as its own package.
/// </summary>
[Trait("Category", "Packaging")]
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private readonly string scratch = Directory.CreateTempSubdirectory("mint-package-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Fact]
    public void A_consumer_of_the_packed_package_generates_computes_and_gets_MINT_diagnostics()
    {
        // A fresh version per run: nothing can come from a cache of an earlier pack.
        var version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..8];
        var configuration = typeof(PackageConsumerTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var feed = Path.Combine(scratch, "feed");
        var (packed, packOutput) = DotnetCli.Run(scratch, Timeout,
            "pack", Path.Combine(RepositoryPaths.Root, "Mint.Dsl.sln"),
            "--no-build", "-c", configuration, "-o", feed, $"-p:PackageVersion={version}");
        Assert.True(packed == 0, packOutput);
        foreach (var package in new[] { "Mint.Dsl", "Mint.Engine", "Mint.Protocol", "Mint.Client", "Mint.Server" })
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{version}.nupkg")), $"{package} was not packed:\n{packOutput}");
        }

        var consumer = Directory.CreateDirectory(Path.Combine(scratch, "Consumer")).FullName;
        File.WriteAllText(Path.Combine(scratch, "nuget.config"), NuGetConfig());
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), Project(version));
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), Program);

        var (built, buildOutput) = DotnetCli.Run(consumer, Timeout, "build", "--disable-build-servers", "-c", "Debug");
        Assert.True(built == 0, buildOutput);
        var (ran, runOutput) = DotnetCli.Run(consumer, Timeout, Path.Combine(consumer, "bin", "Debug", "net10.0", "Consumer.dll"));
        Assert.True(ran == 0, runOutput);
        Assert.True(runOutput.Contains("contract: my_sft(target_tokens: int64, weights: float32)") && runOutput.Contains("loss: 5"), runOutput);
        Assert.True(runOutput.Contains("trained step: 1"), runOutput);

        File.WriteAllText(Path.Combine(consumer, "Broken.cs"), Broken);
        var (rebuilt, brokenOutput) = DotnetCli.Run(consumer, Timeout, "build", "--disable-build-servers", "-c", "Debug");
        Assert.NotEqual(0, rebuilt);
        Assert.True(brokenOutput.Contains("Broken.cs(6,40): error MINT001: Loss method 'Instance' must be static"), brokenOutput);
    }

    private const string Program = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using Mint.Client;
        using Mint.Dsl;
        using Mint.Engine.Model;
        using static TorchSharp.torch;

        var batch = new List<Datum>
        {
            new(ModelInput.FromInts([1, 2, 3]), new Dictionary<string, TensorData>
            {
                ["target_tokens"] = TensorData.FromInt64s([2L, 3L, 4L]),
                ["weights"] = TensorData.FromSingles([0f, 1f, 1f]),
            }),
        };
        Console.WriteLine($"contract: {MyLosses.SftLoss.Contract}");
        var result = MyLosses.SftLoss.ComputeGradient(batch, [TensorData.FromSingles([-1f, -2f, -3f])]);
        Console.WriteLine($"loss: {result.Loss}");

        var folder = Path.Combine(Path.GetTempPath(), "mint-consumer-" + Guid.NewGuid().ToString("N"));
        var config = new ModelConfig { VocabSize = 16, HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, MaxPositionEmbeddings = 16 };
        PretrainedModel.SaveRandom(folder, config, seed: 1);

        await using (var service = new ServiceClient(new ServiceClientOptions { BaseModelPath = folder }))
        {
            var training = await service.CreateLoraTrainingClientAsync(new LoraConfig(Rank: 2));
            await training.ForwardBackwardCustomAsync(batch, MyLosses.SftLoss);
            Console.WriteLine($"trained step: {(await training.OptimStepAsync(new AdamParams(1e-3))).Step}");
        }

        Directory.Delete(folder, recursive: true);

        public static partial class MyLosses
        {
            [Loss("my_sft")]
            public static LossResult Sft(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());
        }
        """;

    private const string Broken = """
        using Mint.Dsl;
        using static TorchSharp.torch;

        public partial class BrokenLosses
        {
            [Loss("broken")] public LossResult Instance(Tensor logprobs) => new(logprobs.sum());
        }
        """;

    private static string Project(string version) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Mint.Client" Version="{version}" />
          </ItemGroup>
        </Project>
        """;

    /// <summary>
    /// The local feed beside the machine's own sources (TorchSharp-cpu comes from those), a private
    /// packages folder, and the machine's packages folder as a read-only fallback so TorchSharp's
    /// natives are not extracted again.
    /// </summary>
    private static string NuGetConfig()
    {
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="packages" />
              </config>
              <packageSources>
                <add key="mint-local" value="feed" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """;
    }
}

using System;
using System.IO;
using System.Reflection;
using Mint.Dsl.Build;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Packaging;

/// <summary>
/// SLOW (two consumer builds; <c>--filter Category!=Packaging</c> skips it): a project outside the
/// repository that references Mint.Dsl's <em>project</em> gets no buildTransitive targets, so on a
/// machine whose libstdc++ lacks GLIBCXX_3.4.32 TorchSharp cannot load. It must then fail with a
/// <see cref="NativeLibraryException"/> that says what to import, and work once it imports it.
/// </summary>
[Trait("Category", "Packaging")]
public sealed class ProjectReferenceConsumerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private readonly string scratch = Directory.CreateTempSubdirectory("mint-projref-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Fact]
    public void A_project_reference_from_outside_gets_a_clear_error_and_works_with_the_documented_import()
    {
        var configuration = typeof(ProjectReferenceConsumerTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var dsl = Path.Combine(RepositoryPaths.Root, "src", "Mint.Dsl", "Mint.Dsl.csproj");
        var targets = Path.Combine(RepositoryPaths.Root, "build", "Mint.Dsl.targets");
        File.WriteAllText(Path.Combine(scratch, "Program.cs"), Program);

        File.WriteAllText(Path.Combine(scratch, "Consumer.csproj"), Project(dsl, import: null));
        var (ran, output) = BuildAndRun(configuration);
        if (ElfVersionPatch.SystemLibStdCxxProvides("GLIBCXX_3.4.32"))
        {
            // This machine's libstdc++ is new enough: there is nothing to explain, and the import must not hurt.
            Assert.True(ran == 0, output);
            Assert.Contains("loss: 5", output);
        }
        else
        {
            Assert.True(ran != 0, output);
            Assert.Contains("Mint.Dsl.NativeLibraryException", output);
            Assert.Contains("GLIBCXX_3.4.32", output);
            Assert.Contains("build/Mint.Dsl.targets", output);
        }

        File.WriteAllText(Path.Combine(scratch, "Consumer.csproj"), Project(dsl, import: targets));
        var (fixedRun, fixedOutput) = BuildAndRun(configuration);
        Assert.True(fixedRun == 0, fixedOutput);
        Assert.Contains("loss: 5", fixedOutput);
    }

    private (int ExitCode, string Output) BuildAndRun(string configuration)
    {
        // The referenced project is already built by this test run; building it again could race with it.
        var (built, buildOutput) = DotnetCli.Run(scratch, Timeout, "build", "--disable-build-servers", "-c", configuration, "-p:BuildProjectReferences=false");
        Assert.True(built == 0, buildOutput);
        return DotnetCli.Run(scratch, Timeout, Path.Combine(scratch, "bin", configuration, "net10.0", "Consumer.dll"));
    }

    private const string Program = """
        using System;
        using System.Collections.Generic;
        using Mint.Dsl;

        var batch = new List<Datum>
        {
            new(ModelInput.FromInts([1, 2, 3]), new Dictionary<string, TensorData>
            {
                ["target_tokens"] = TensorData.FromInt64s([2L, 3L, 4L]),
                ["weights"] = TensorData.FromSingles([0f, 1f, 1f]),
            }),
        };
        var result = BuiltinLosses.CrossEntropyLoss.ComputeGradient(batch, [TensorData.FromSingles([-1f, -2f, -3f])]);
        Console.WriteLine($"loss: {result.Loss}");
        """;

    private static string Project(string dsl, string? import) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="{dsl}" />
          </ItemGroup>
          {(import is null ? string.Empty : $"<Import Project=\"{import}\" />")}
        </Project>
        """;
}

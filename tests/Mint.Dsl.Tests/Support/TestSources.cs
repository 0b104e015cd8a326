namespace Mint.Dsl.Tests.Support;

/// <summary>Source snippets the analyzer tests share.</summary>
internal static class TestSources
{
    /// <summary>What every test source starts with.</summary>
    public const string Usings = "using Mint.Dsl;\nusing static TorchSharp.torch;\n";

    /// <summary>
    /// A stand-in for <c>Mint.Client.TrainingClient</c>, which ships apart from the DSL: the dispatch
    /// analyzer matches the two methods by name and by the type's name.
    /// </summary>
    public const string TrainingClient = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Mint.Dsl;

        namespace Mint.Client
        {
            public sealed class ForwardBackwardResult
            {
            }

            public sealed class TrainingClient
            {
                public Task<ForwardBackwardResult> ForwardBackwardAsync(IReadOnlyList<Datum> data, LossFn lossFn, CancellationToken ct = default) =>
                    Task.FromResult(new ForwardBackwardResult());

                public Task<ForwardBackwardResult> ForwardBackwardCustomAsync(IReadOnlyList<Datum> data, LossDefinition loss, CancellationToken ct = default) =>
                    Task.FromResult(new ForwardBackwardResult());
            }
        }
        """;

    /// <summary><paramref name="members"/> inside <c>public static partial class Losses</c>, with the usings.</summary>
    public static string InLossClass(string members) => Usings + "\npublic static partial class Losses\n{\n" + members + "\n}\n";
}

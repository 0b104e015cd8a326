using System;
using System.Globalization;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Mint.Dsl.Benchmarks.Generator;

/// <summary>
/// A compilation with many loss methods of the shapes users write (per-datum, paired, with config),
/// ten to a file, plus one file of ordinary code to edit. <c>#</c> in a shape is the loss's number.
/// </summary>
internal static class LossCorpus
{
    private static readonly string[] Shapes =
    [
        "[Loss(\"sft_#\")] public static LossResult Sft#(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());",
        "[Loss(\"ppo_#\")] public static LossResult Ppo#(Tensor targetLogprobs, [LossInput(\"logprobs\")] Tensor samplingLogprobs, Tensor advantages, double clipLowThreshold = 0.8, double clipHighThreshold = 1.2) { var ratio = (targetLogprobs - samplingLogprobs).exp(); return new(-minimum(ratio * advantages, ratio.clamp(clipLowThreshold, clipHighThreshold) * advantages).sum()); }",
        "[Loss(\"dpo_#\")] public static LossResult Dpo#(Pair<Tensor> logprobs, Pair<Tensor> referenceLogprobs, Pair<Tensor> weights, double beta = 0.1) { var margins = beta * (((logprobs.Chosen - referenceLogprobs.Chosen) * weights.Chosen).sum(1) - ((logprobs.Rejected - referenceLogprobs.Rejected) * weights.Rejected).sum(1)); return new LossResult(-nn.functional.logsigmoid(margins).mean()).Metric(\"accuracy\", (margins > 0).to(float32).mean()); }",
        "[Loss(\"dro_#\")] public static LossResult Dro#(Tensor targetLogprobs, [LossInput(\"logprobs\")] Tensor samplingLogprobs, Tensor advantages, double beta) { var q = (targetLogprobs - samplingLogprobs).square(); return new(-(targetLogprobs * advantages - 0.5 * beta * q).sum()); }",
    ];

    public const string OtherFile = "public static class Other { public static int Value => 1; }";

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Create(int losses)
    {
        var files = Enumerable.Range(0, (losses + 9) / 10)
            .Select(file => CSharpSyntaxTree.ParseText(LossFile(file, Math.Min(10, losses - (file * 10))), ParseOptions, path: $"Losses{file}.cs"))
            .Append(CSharpSyntaxTree.ParseText(OtherFile, ParseOptions, path: "Other.cs"));
        return CSharpCompilation.Create(
            "Corpus",
            files,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static string LossFile(int file, int count) =>
        "using Mint.Dsl;\nusing TorchSharp;\nusing static TorchSharp.torch;\n"
        + $"public static partial class Losses{file}\n{{\n"
        + string.Concat(Enumerable.Range(0, count).Select(index => "    " + Shapes[index % Shapes.Length].Replace("#", ((file * 10) + index).ToString(CultureInfo.InvariantCulture)) + "\n"))
        + "}\n";

    private static ImmutableArray<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll" or "Mint.Dsl.dll" or "TorchSharp.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
}

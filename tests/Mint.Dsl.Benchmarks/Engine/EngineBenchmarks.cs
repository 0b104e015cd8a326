using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Dsl.Benchmarks.Ledger;
using Mint.Engine;
using Mint.Engine.Model;
using static TorchSharp.torch;

namespace Mint.Dsl.Benchmarks.Engine;

/// <summary>
/// End-to-end measurements with a plain stopwatch (medians after warm-up): custom-loss overhead per
/// transport, engine throughput against the machine's matmul peak, and sampling with and without the KV cache.
/// </summary>
public static class EngineBenchmarks
{
    /// <summary>A transport under test: its name and how to open a client on a model folder.</summary>
    public sealed record TransportUnderTest(string Name, Func<string, Task<ServiceClient>> Open, Func<Task>? Close = null);

    /// <summary>Run settings.</summary>
    public sealed record Settings(bool Quick, string LedgerPath, string Command)
    {
        public int Warmup => Quick ? 1 : 2;

        public int Repeats => Quick ? 1 : 5;
    }

    private static string F(double value, string format = "F2") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A batch of <paramref name="count"/> next-token datums of <paramref name="length"/> tokens.</summary>
    public static List<Datum> SftBatch(int count, int length, int vocab, int seed = 5)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var sequence = Enumerable.Range(0, length + 1).Select(_ => random.Next(vocab)).ToArray();
            return new Datum(ModelInput.FromInts(sequence[..^1]), new Dictionary<string, TensorData>
            {
                ["target_tokens"] = TensorData.FromInt64s(sequence[1..].Select(token => (long)token)),
                ["weights"] = TensorData.FromSingles(Enumerable.Repeat(1f, length)),
            });
        }).ToList();
    }

    /// <summary>
    /// Built-in cross-entropy vs the same loss as a custom loss, on each transport, in one run: the
    /// custom loss in the engine's pass (in-process: the definition; over gRPC: its registered loss
    /// graph) and on the client-side two-pass path, steps interleaved.
    /// </summary>
    public static async Task CustomLossOverheadAsync(Settings settings, IReadOnlyList<TransportUnderTest> transports)
    {
        var config = settings.Quick ? BenchmarkModels.Tiny : BenchmarkModels.Medium;
        var (count, length) = settings.Quick ? (2, 16) : (8, 128);
        var folder = BenchmarkModels.Save(settings.Quick ? "tiny" : "medium", config);
        var batch = SftBatch(count, length, config.VocabSize);
        var repeats = settings.Quick ? 1 : 9;
        var table = new MarkdownTable("transport", "built-in step (ms)", "custom, in-engine (ms)", "ratio", "custom, two-pass (ms)", "ratio", "target (in-engine ≤ 1.05x)");
        foreach (var transport in transports)
        {
            await using var service = await transport.Open(folder);
            var session = await service.CreateLoraTrainingClientAsync(new LoraConfig(8));
            var inEngine = session.WithCustomLossRouting(CustomLossRouting.InEngine);
            var twoPass = session.WithCustomLossRouting(CustomLossRouting.TwoPass);
            var (builtin, oneCall, twoCalls) = (new List<double>(), new List<double>(), new List<double>());
            var steps = new (List<double> Times, Func<Task> Step)[]
            {
                (builtin, () => session.ForwardBackwardAsync(batch, LossFn.CrossEntropy)),
                (oneCall, () => inEngine.ForwardBackwardCustomAsync(batch, BenchmarkLosses.CrossEntropyAsCustomLoss)),
                (twoCalls, () => twoPass.ForwardBackwardCustomAsync(batch, BenchmarkLosses.CrossEntropyAsCustomLoss)),
            };
            for (var run = 0; run < settings.Warmup + repeats; run++)
            {
                // The order rotates from run to run, so no path always follows another (caches, allocator).
                for (var offset = 0; offset < steps.Length; offset++)
                {
                    var (times, step) = steps[(run + offset) % steps.Length];
                    var seconds = await Stopwatches.MedianSecondsAsync(step, 0, 1);
                    if (run >= settings.Warmup)
                    {
                        times.Add(seconds);
                    }
                }
            }

            var builtinMedian = Median(builtin);
            var inEngineRatio = Median(oneCall) / builtinMedian;
            table.Row(transport.Name, F(builtinMedian * 1000), F(Median(oneCall) * 1000), F(inEngineRatio) + "x", F(Median(twoCalls) * 1000), F(Median(twoCalls) / builtinMedian) + "x",
                inEngineRatio <= 1.05 ? "met" : "**missed**");
            if (transport.Close is not null)
            {
                await transport.Close();
            }
        }

        PerformanceLedger.Write("custom-loss-overhead", "Custom-loss overhead", settings.Command,
            $"Model: {Describe(config)}; batch {count} × {length} tokens; LoRA rank 8. The custom loss is cross-entropy as a "
            + "custom loss graph. **In-engine**, it runs inside the engine's forward/backward pass in one call, like a built-in "
            + "(over gRPC: registered once per session, then named by each call). **Two-pass**, it costs a `forward` plus a "
            + "weighted `forward_backward`; with frozen base weights a forward/backward is about 2 forwards, so the expected "
            + $"FLOPs ratio is (1 + 2) / 2 = 1.5x. Medians of {repeats} interleaved steps (order rotating) after {settings.Warmup} warm-up.\n\n{table}",
            settings.LedgerPath);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>forward_backward tokens/s for two model sizes, against a float32 matmul peak measured in the same run.</summary>
    public static void Efficiency(Settings settings)
    {
        var size = settings.Quick ? 256 : 2048;
        using var a = randn(size, size);
        using var b = randn(size, size);
        var peakSeconds = Stopwatches.FastestSeconds(() => { using var product = a.mm(b); }, settings.Warmup, settings.Quick ? 1 : 10);
        var peak = 2.0 * size * size * size / peakSeconds;

        var table = new MarkdownTable("model", "tokens / step", "step (ms)", "tokens/s", "achieved GFLOP/s", "share of matmul peak");
        var sizes = settings.Quick ? [("tiny", BenchmarkModels.Tiny)] : new[] { ("small", BenchmarkModels.Small), ("medium", BenchmarkModels.Medium) };
        foreach (var (name, config) in sizes)
        {
            using var engine = new MintEngine(PretrainedModel.Load(BenchmarkModels.Save(name, config)));
            var session = engine.CreateSession(new LoraConfig(8));
            var (count, length) = settings.Quick ? (2, 16) : (8, 256);
            var batch = SftBatch(count, length, config.VocabSize);
            var seconds = Stopwatches.MedianSeconds(() => session.ForwardBackward(batch, LossFn.CrossEntropy), settings.Warmup, settings.Repeats);
            var tokens = count * length;
            var flops = 2 * BenchmarkModels.ForwardFlopsPerToken(config, length / 2) * tokens / seconds;
            table.Row(name + $" ({Describe(config)})", tokens.ToString(CultureInfo.InvariantCulture), F(seconds * 1000), F(tokens / seconds, "F0"), F(flops / 1e9), F(100 * flops / peak, "F1") + "%");
        }

        PerformanceLedger.Write("engine-efficiency", "Engine efficiency", settings.Command,
            $"float32 matmul peak ({size}×{size}, `torch.mm`, fastest of {(settings.Quick ? 1 : 10)}): **{F(peak / 1e9)} GFLOP/s**. Model steps are medians of {settings.Repeats}.\n\n"
            + "Achieved FLOPs count a forward/backward as 2 forwards (base weights are frozen, so no weight-gradient "
            + "matmuls), with attention over the average causal context.\n\n" + table,
            settings.LedgerPath);
    }

    /// <summary>Sampling tokens/s with and without the KV cache.</summary>
    public static void Sampling(Settings settings)
    {
        var config = settings.Quick ? BenchmarkModels.Tiny : BenchmarkModels.Small;
        using var engine = new MintEngine(PretrainedModel.Load(BenchmarkModels.Save(settings.Quick ? "tiny" : "small", config)));
        var session = engine.CreateSession(new LoraConfig(8));
        var prompt = ModelInput.FromInts(Enumerable.Range(1, 16));
        var table = new MarkdownTable("new tokens", "with KV cache (tokens/s)", "without (tokens/s)", "speed-up");
        foreach (var newTokens in settings.Quick ? [8, 16] : new[] { 64, 512 })
        {
            var parameters = new SamplingParams { MaxTokens = newTokens, Seed = 1 };
            var cached = Stopwatches.MedianSeconds(() => session.Sample(prompt, 1, parameters), 1, settings.Quick ? 1 : 3);
            var uncached = Stopwatches.MedianSeconds(() => session.Sample(prompt, 1, parameters, useKvCache: false), settings.Quick ? 0 : 1, settings.Quick ? 1 : 3);
            table.Row(newTokens.ToString(CultureInfo.InvariantCulture), F(newTokens / cached, "F0"), F(newTokens / uncached, "F0"), F(uncached / cached, "F1") + "x");
        }

        PerformanceLedger.Write("sampling", "Sampling", settings.Command,
            $"Model: {Describe(config)}; prompt 16 tokens, 1 sample. Without the cache every new token re-reads the whole sequence.\n\n{table}",
            settings.LedgerPath);
    }

    private static string Describe(ModelConfig config) =>
        $"{config.NumHiddenLayers} layers, width {config.HiddenSize}, {config.NumAttentionHeads}/{config.KeyValueHeads} heads, vocab {config.VocabSize}";
}

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Mint.Dsl.Benchmarks.Ledger;
using Mint.Protocol.Conversion;

namespace Mint.Dsl.Benchmarks.Engine;

/// <summary>What the gRPC transport costs: bytes per token on the wire, and step time against the embedded engine.</summary>
public static class TransportBenchmarks
{
    private static string F(double value, string format = "F2") => value.ToString(format, CultureInfo.InvariantCulture);

    public static async Task RunAsync(EngineBenchmarks.Settings settings)
    {
        var wire = new MarkdownTable("vocabulary", "request bytes / token", "response bytes / token");
        var (count, length) = settings.Quick ? (2, 16) : (8, 512);
        foreach (var vocab in new[] { 2048, 32000, 151936 })
        {
            var batch = EngineBenchmarks.SftBatch(count, length, vocab);
            var request = batch.Sum(datum => BatchCodec.ToWire(datum).CalculateSize());
            var logprobs = batch.Select(datum => TensorData.FromSingles(new float[datum.ModelInput.Length])).ToList();
            var response = ResultCodec.ToWire(new ForwardBackwardResult(
                new Dictionary<string, double> { [ForwardBackwardResult.LossMetric] = 0 },
                logprobs.Select(row => (IReadOnlyDictionary<string, TensorData>)new Dictionary<string, TensorData> { ["logprobs"] = row }).ToList())).CalculateSize();
            wire.Row(vocab.ToString(CultureInfo.InvariantCulture), F((double)request / (count * length)), F((double)response / (count * length)));
        }

        var config = settings.Quick ? BenchmarkModels.Tiny : BenchmarkModels.Medium;
        var folder = BenchmarkModels.Save(settings.Quick ? "tiny" : "medium", config);
        var (stepCount, stepLength) = settings.Quick ? (2, 16) : (8, 128);
        var stepBatch = EngineBenchmarks.SftBatch(stepCount, stepLength, config.VocabSize);
        var times = new Dictionary<string, double>();
        foreach (var transport in new[] { Transports.Embedded(), Transports.Grpc() })
        {
            await using (var service = await transport.Open(folder))
            {
                var training = await service.CreateLoraTrainingClientAsync(new LoraConfig(8));
                times[transport.Name] = await Stopwatches.MedianSecondsAsync(async () =>
                {
                    await training.ForwardBackwardAsync(stepBatch, LossFn.CrossEntropy);
                    await training.OptimStepAsync(new AdamParams(1e-4));
                }, settings.Warmup, settings.Repeats);
            }

            if (transport.Close is not null)
            {
                await transport.Close();
            }
        }

        var steps = new MarkdownTable("transport", "forward_backward + optim_step (ms)")
            .Row("embedded", F(times["embedded"] * 1000))
            .Row("gRPC (loopback)", F(times["gRPC"] * 1000));
        PerformanceLedger.Write("transport", "Transport overhead", settings.Command,
            $"Bytes of the encoded `Datum`s (model input, int64 targets, float32 weights; raw little-endian tensors, packed token ids) "
            + $"and of the `forward_backward` response (float32 log-probs), for an SFT batch of {count} × {length} tokens:\n\n{wire}\n"
            + $"Step time on {stepCount} × {stepLength} tokens, medium model, medians of {settings.Repeats}: "
            + $"gRPC / embedded = **{F(times["gRPC"] / times["embedded"])}x**.\n\n{steps}",
            settings.LedgerPath);
    }
}

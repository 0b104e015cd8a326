using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using static TorchSharp.torch;

namespace Mint.GpuRunner;

/// <summary>
/// One benchmark configuration on the GPU: median milliseconds of built-in forward_backward
/// (cross-entropy), no-grad forward, optim_step and optionally the two-pass custom-loss path, and the
/// device memory in use at the end. Prints one JSON line; eng/gpu/peer.py prints the same fields.
/// </summary>
internal static class GpuBenchmark
{
    public static int Run(BenchmarkSettings settings)
    {
        var config = settings.Config();
        var device = ComputeDevice.Parse(settings.Device, "--device");
        var watch = Stopwatch.StartNew();
        using var engine = new MintEngine(RandomModel(config, settings.Precision, device), new EngineOptions
        {
            Device = device,
            Precision = settings.Precision,
            AllowTf32 = settings.Tf32,
            ActivationCheckpointing = settings.Checkpointing,
        });
        var session = engine.CreateSession(new LoraConfig(Rank: 8, Alpha: 16, Seed: 1));
        var data = Batch(config, settings.Batch, settings.Tokens);
        var setup = watch.Elapsed.TotalSeconds;

        var forwardBackward = new List<double>();
        var optimStep = new List<double>();
        double loss = 0;
        for (var step = 0; step < settings.Steps + 2; step++)
        {
            watch.Restart();
            loss = session.ForwardBackward(data, LossFn.CrossEntropy).Loss;
            var fb = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            session.OptimStep(new AdamParams(LearningRate: 1e-5));
            var optim = watch.Elapsed.TotalMilliseconds;
            if (step >= 2)
            {
                forwardBackward.Add(fb);
                optimStep.Add(optim);
            }
        }

        var forward = Time(settings.Steps, () => session.Forward(data));
        double? custom = null;
        if (settings.Custom)
        {
            var transport = new EmbeddedTransport(engine, System.IO.Path.GetTempPath());
            var client = new ServiceClient(transport).ResumeTrainingClientAsync(session.Id).GetAwaiter().GetResult();
            client.LossOptions = new LossComputeOptions { Device = device };
            custom = Time(settings.Steps, () => client.ForwardBackwardCustomAsync(data, BuiltinLosses.CrossEntropyLoss).GetAwaiter().GetResult());
        }

        var result = new Dictionary<string, object?>
        {
            ["impl"] = "mint",
            ["shape"] = settings.Shape,
            ["batch"] = settings.Batch,
            ["tokens"] = settings.Tokens,
            ["precision"] = settings.Precision.ToString().ToLowerInvariant() + (settings.Tf32 ? "+tf32" : string.Empty),
            ["checkpointing"] = settings.Checkpointing,
            ["forward_backward_ms"] = Median(forwardBackward),
            ["forward_ms"] = forward,
            ["custom_forward_backward_ms"] = custom,
            ["optim_step_ms"] = Median(optimStep),
            ["device_memory_gib"] = DeviceMemory.InUseGiB(),
            ["loss"] = loss,
            ["setup_s"] = setup,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>
    /// Random weights made on the GPU itself (a 1.7 B model is not carried to the machine): matrices
    /// normal with std 1/sqrt(fan-in), embeddings with std 0.02 as transformers initialises them, norms 1.
    /// </summary>
    private static PretrainedModel RandomModel(ModelConfig config, WeightPrecision precision, Device device)
    {
        var dtype = precision.ToScalarType();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in ModelWeights.Expected(config))
        {
            tensors[name] = name.EndsWith("norm.weight", StringComparison.Ordinal) ? ones(shape, dtype, device)
                : name.EndsWith(".bias", StringComparison.Ordinal) ? zeros(shape, dtype, device)
                : randn(shape, dtype, device).mul_(name == "model.embed_tokens.weight" ? 0.02 : 1 / Math.Sqrt(shape[1]));
        }

        var weights = ModelWeights.From(config, tensors, device, "random init on the device", precision);
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }

        return new PretrainedModel("bench-" + config.NumHiddenLayers, weights);
    }

    private static List<Datum> Batch(ModelConfig config, int batch, int tokens)
    {
        var random = new Random(7);
        return Enumerable.Range(0, batch).Select(_ =>
        {
            var sequence = Enumerable.Range(0, tokens + 1).Select(_ => random.Next(config.VocabSize)).ToArray();
            return new Datum(ModelInput.FromInts(sequence[..^1]), new Dictionary<string, TensorData>
            {
                ["target_tokens"] = TensorData.FromInt64s(sequence[1..].Select(token => (long)token)),
                ["weights"] = TensorData.FromSingles(Enumerable.Repeat(1f, tokens).ToArray()),
            });
        }).ToList();
    }

    private static double Time(int steps, Action action)
    {
        action();
        var times = new List<double>();
        for (var step = 0; step < steps; step++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return Median(times);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

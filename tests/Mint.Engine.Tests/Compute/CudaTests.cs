using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Compute;

/// <summary>
/// Every path on a CUDA device, against the same path on the CPU. Skipped without CUDA; the GPU
/// runner (<c>eng/gpu-check.sh run</c>) runs them on a GPU machine.
/// </summary>
public sealed class CudaTests : IDisposable
{
    private readonly string folder = TinyModel.SaveFolder(seed: 8);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static List<Datum> Batch() =>
    [
        Data.Sft([1, 10, 20, 30, 40, 2], [1, 1, 0.5f, 1, 2]),
        Data.Sft([1, 11, 21, 2]),
        Data.Sft([5, 6, 7, 8, 9, 10, 11], [0, 0, 1, 1, 1, 1]),
    ];

    private MintEngine Engine(Device device, WeightPrecision precision = WeightPrecision.Float32, bool checkpointing = false) =>
        MintEngine.Load(folder, new EngineOptions { Device = device, Precision = precision, ActivationCheckpointing = checkpointing, LogprobChunkTokens = 5 });

    private static void AssertClose(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual, double tolerance)
    {
        foreach (var (name, value) in expected)
        {
            var other = actual[name].cpu();
            Assert.True(other.allclose(value.cpu(), rtol: tolerance, atol: tolerance), $"{name}: max difference {(other - value.cpu()).abs().max().item<float>()}");
        }
    }

    [CudaFact]
    public void Forward_backward_and_optim_step_on_cuda_match_the_cpu()
    {
        using var cpu = Engine(CPU);
        using var gpu = Engine(CUDA, checkpointing: true);
        var onCpu = cpu.CreateSession(new LoraConfig(8, Seed: 2));
        var onGpu = gpu.CreateSession(new LoraConfig(8, Seed: 2));
        AssertClose(onCpu.AdapterWeights(), onGpu.AdapterWeights(), 0);
        for (var step = 0; step < 3; step++)
        {
            var expected = onCpu.ForwardBackward(Batch(), LossFn.CrossEntropy);
            var actual = onGpu.ForwardBackward(Batch(), LossFn.CrossEntropy);
            Assert.Equal(expected.Loss, actual.Loss, 1e-4);
            var norms = (onCpu.OptimStep(new AdamParams(1e-2)).Metrics["grad_norm"], onGpu.OptimStep(new AdamParams(1e-2)).Metrics["grad_norm"]);
            Assert.Equal(norms.Item1, norms.Item2, 1e-4);
        }

        AssertClose(onCpu.AdapterWeights(), onGpu.AdapterWeights(), 1e-4);
        var forward = (onCpu.Forward(Batch()), onGpu.Forward(Batch()));
        for (var datum = 0; datum < 3; datum++)
        {
            Assert.Equal(forward.Item1.Logprobs[datum].ToSingles(), forward.Item2.Logprobs[datum].ToSingles(), (a, b) => Math.Abs(a - b) < 1e-4);
        }
    }

    [CudaFact]
    public void A_seed_gives_the_same_tokens_on_cuda_and_cpu_with_and_without_the_kv_cache()
    {
        using var cpu = Engine(CPU);
        using var gpu = Engine(CUDA);
        var parameters = new SamplingParams { MaxTokens = 16, Temperature = 1.0, TopP = 0.95, Seed = 12 };
        var prompt = ModelInput.FromInts([1, 10, 20]);
        var expected = cpu.CreateSession(new LoraConfig(4)).Sample(prompt, 4, parameters);
        var session = gpu.CreateSession(new LoraConfig(4));
        var cached = session.Sample(prompt, 4, parameters);
        var uncached = session.Sample(prompt, 4, parameters, useKvCache: false);
        for (var row = 0; row < 4; row++)
        {
            Assert.Equal(expected.Sequences[row].Tokens, cached.Sequences[row].Tokens);
            Assert.Equal(expected.Sequences[row].Tokens, uncached.Sequences[row].Tokens);
        }

        var unseeded = session.Sample(prompt, 2, parameters with { Seed = null });
        Assert.All(unseeded.Sequences, sequence => Assert.Equal(16, sequence.Tokens.Count));
    }

    [CudaFact]
    public void A_checkpoint_saved_on_cuda_loads_on_the_cpu_and_back()
    {
        using var cpu = Engine(CPU);
        using var gpu = Engine(CUDA);
        var trained = gpu.CreateSession(new LoraConfig(4, Seed: 5));
        trained.ForwardBackward(Batch(), LossFn.CrossEntropy);
        trained.OptimStep(new AdamParams(1e-2));
        var checkpoint = Directory.CreateTempSubdirectory("mint-cuda-ckpt-").FullName;
        try
        {
            trained.SaveState(checkpoint);
            var restored = cpu.CreateSession(new LoraConfig(4, Seed: 5));
            restored.LoadState(checkpoint);
            AssertClose(trained.AdapterWeights(), restored.AdapterWeights(), 0);

            restored.ForwardBackward(Batch(), LossFn.CrossEntropy);
            restored.OptimStep(new AdamParams(1e-2));
            restored.SaveState(checkpoint);
            var back = gpu.CreateSession(new LoraConfig(4, Seed: 5));
            back.LoadState(checkpoint);
            AssertClose(restored.AdapterWeights(), back.AdapterWeights(), 0);
            Assert.Equal(2, back.Info.Step);
        }
        finally
        {
            Directory.Delete(checkpoint, recursive: true);
        }
    }

    [CudaFact]
    public void A_custom_loss_computed_on_cuda_matches_the_cpu()
    {
        var data = Batch();
        var logprobs = data.Select(datum => TensorData.FromSingles(Enumerable.Range(0, datum.ModelInput.Length).Select(index => -0.5f - (0.1f * index)))).ToList();
        var loss = BuiltinLosses.CrossEntropyLoss;
        var onCpu = loss.ComputeGradient(data, logprobs);
        var onGpu = loss.ComputeGradient(data, logprobs, new LossComputeOptions { Device = CUDA });
        var inDouble = loss.ComputeGradient(data, logprobs, new LossComputeOptions().OnDevice("cuda") with { Precision = LossPrecision.Float64 });
        Assert.Equal(onCpu.Loss, onGpu.Loss, 1e-5);
        Assert.Equal(onCpu.Loss, inDouble.Loss, 1e-5);
        Assert.Equal(TensorDType.Float64, inDouble.LogprobGradients[0].DType);
        for (var datum = 0; datum < data.Count; datum++)
        {
            Assert.Equal(onCpu.LogprobGradients[datum].ToSingles(), onGpu.LogprobGradients[datum].ToSingles());
        }
    }

    [CudaFact]
    public void Bfloat16_weights_on_cuda_stay_within_tolerance_and_train()
    {
        using var cpu = Engine(CPU);
        using var gpu = Engine(CUDA, WeightPrecision.BFloat16, checkpointing: true);
        var exact = cpu.CreateSession(new LoraConfig(8, Seed: 1)).Forward(Batch());
        var session = gpu.CreateSession(new LoraConfig(8, Seed: 1));
        var rounded = session.Forward(Batch());
        for (var datum = 0; datum < 3; datum++)
        {
            Assert.Equal(exact.Logprobs[datum].ToSingles(), rounded.Logprobs[datum].ToSingles(), (a, b) => Math.Abs(a - b) < 0.1);
        }

        var first = session.ForwardBackward(Batch(), LossFn.CrossEntropy).Loss;
        session.OptimStep(new AdamParams(2e-2));
        var last = first;
        for (var step = 0; step < 15; step++)
        {
            last = session.ForwardBackward(Batch(), LossFn.CrossEntropy).Loss;
            session.OptimStep(new AdamParams(2e-2));
        }

        Assert.True(last < first * 0.6, $"loss went from {first:F3} to {last:F3}");
    }

    [CudaFact]
    public void Adapters_on_the_cpu_over_cuda_weights_are_refused_naming_both_devices()
    {
        using var gpu = Engine(CUDA);
        using var adapters = new LoraAdapters(gpu.Model.Config, new LoraConfig(4), CPU);
        var error = Assert.Throws<ArgumentException>(() => new DecoderModel(gpu.Model.Weights, adapters));
        Assert.Contains("cuda", error.Message);
        Assert.Contains("cpu", error.Message);
    }

    [CudaFact]
    public void The_tf32_switch_reaches_libtorch()
    {
        using (MintEngine.Load(folder, new EngineOptions { Device = CUDA, AllowTf32 = true }))
        {
            Assert.True(TorchSharp.torch.backends.cuda.matmul.allow_tf32);
        }

        using (MintEngine.Load(folder, new EngineOptions { Device = CUDA }))
        {
            Assert.False(TorchSharp.torch.backends.cuda.matmul.allow_tf32);
        }
    }
}

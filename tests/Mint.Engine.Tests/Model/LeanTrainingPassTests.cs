using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// The memory-lean training pass (chunked log-probs, staged backward, activation checkpointing)
/// against the plain one: one autograd graph over the whole model and the full logits.
/// </summary>
public sealed class LeanTrainingPassTests : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load(seed: 6);

    public void Dispose() => model.Dispose();

    private static readonly long[] Tokens = [3, 17, 4, 40, 9, 22, 1, 0, 5, 30, 31, 2, 8, 8];
    private static readonly long[] Targets = [17, 4, 40, 9, 22, 1, 0, 5, 30, 31, 2, 8, 8, 47];

    private static Tensor Batch(long[] values) => tensor(values, [2, 7]);

    /// <summary>A loss with different weights per position, so every position's gradient matters.</summary>
    private static Tensor Loss(Tensor logprobs) => -(logprobs * arange(1, 15, ScalarType.Float32).view(2, 7)).sum();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(14)]
    public void Chunked_log_probs_equal_the_full_logits_log_softmax(int chunk)
    {
        using var scope = NewDisposeScope();
        var decoder = new DecoderModel(model.Weights, null, new EngineOptions { LogprobChunkTokens = chunk });
        var logits = decoder.Forward(Batch(Tokens));
        var expected = TorchSharp.torch.nn.functional.log_softmax(logits, -1).gather(-1, Batch(Targets).unsqueeze(-1)).squeeze(-1);
        var actual = decoder.TargetLogprobs(Batch(Tokens), Batch(Targets));
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5), $"max difference {(actual - expected).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(false, 14)]
    [InlineData(false, 4)]
    [InlineData(true, 14)]
    [InlineData(true, 5)]
    public void Staged_backward_gives_the_plain_graphs_gradients(bool checkpointing, int chunk)
    {
        using var scope = NewDisposeScope();
        using var adapters = new LoraAdapters(model.Config, new LoraConfig(4, Seed: 3), CPU);
        // B starts at zero, which would hide errors in A's gradient: give B values first.
        using (no_grad())
        {
            foreach (var (name, parameter) in adapters.Parameters().Where(entry => entry.Name.Contains("lora_B")))
            {
                parameter.copy_(randn(parameter.shape, generator: new Generator(9)) * 0.1);
            }
        }

        var plain = new DecoderModel(model.Weights, adapters);
        Loss(plain.TargetLogprobs(Batch(Tokens), Batch(Targets))).backward();
        var expected = adapters.Gradients.clone();
        adapters.ZeroGradients();

        var lean = new DecoderModel(model.Weights, adapters, new EngineOptions { ActivationCheckpointing = checkpointing, LogprobChunkTokens = chunk });
        var logprobs = lean.ForwardBackward(Batch(Tokens), Batch(Targets), Loss);

        Assert.False(logprobs.requires_grad);
        Assert.True(expected.abs().sum().item<float>() > 0, "the reference gradient is zero: the test would prove nothing");
        Assert.True(adapters.Gradients.allclose(expected, rtol: 1e-4, atol: 1e-6),
            $"max difference {(adapters.Gradients - expected).abs().max().item<float>()} (largest gradient {expected.abs().max().item<float>()})");
    }

    [Fact]
    public void Gradients_of_two_passes_accumulate_in_the_flat_buffer()
    {
        using var scope = NewDisposeScope();
        using var adapters = new LoraAdapters(model.Config, new LoraConfig(4, Seed: 3), CPU);
        var decoder = new DecoderModel(model.Weights, adapters);
        decoder.ForwardBackward(Batch(Tokens), Batch(Targets), Loss);
        var once = adapters.Gradients.clone();
        decoder.ForwardBackward(Batch(Tokens), Batch(Targets), Loss);
        Assert.True(adapters.Gradients.allclose(once * 2, rtol: 1e-5, atol: 1e-7));
        // The named parameters' gradients are views of the same buffer.
        var (_, first) = adapters.Parameters().First(entry => entry.Parameter.grad!.abs().sum().item<float>() > 0);
        Assert.True(first.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Bfloat16_weights_give_log_probs_within_the_stated_tolerance_of_float32()
    {
        // Stated tolerance for bfloat16 base weights: 0.1 nats per token at most, 0.03 on average (a
        // bfloat16 mantissa has 8 bits: about 0.4% per weight). The fixture-based check of a real
        // checkpoint is in the model-fixture tests.
        using var scope = NewDisposeScope();
        using var bf16 = new PretrainedModel("tiny-bf16", ModelWeights.From(model.Config, model.Weights.ToDictionary(), CPU, "test", WeightPrecision.BFloat16));
        var exact = new DecoderModel(model.Weights, null).TargetLogprobs(Batch(Tokens), Batch(Targets));
        var rounded = new DecoderModel(bf16.Weights, null).TargetLogprobs(Batch(Tokens), Batch(Targets));
        Assert.Equal(ScalarType.Float32, rounded.dtype);
        var difference = (rounded - exact).abs();
        Assert.True(difference.max().item<float>() < 0.1, $"max difference {difference.max().item<float>()}");
        Assert.True(difference.mean().item<float>() < 0.03, $"mean difference {difference.mean().item<float>()}");
        Assert.True(difference.max().item<float>() > 0, "bfloat16 rounding changed nothing: the weights were not rounded");
    }

    [Fact]
    public void Training_with_bfloat16_weights_and_checkpointing_drives_the_loss_down()
    {
        using var bf16 = new PretrainedModel("tiny-bf16", ModelWeights.From(model.Config, model.Weights.ToDictionary(), CPU, "test", WeightPrecision.BFloat16));
        using var session = new TrainingSession("bf16", bf16, new LoraConfig(8, Seed: 1), new EngineOptions { Precision = WeightPrecision.BFloat16, ActivationCheckpointing = true, LogprobChunkTokens = 4 });
        List<Datum> batch = [Data.Sft([1, 10, 20, 30, 40, 2]), Data.Sft([1, 11, 21, 31, 41, 2])];
        var first = session.ForwardBackward(batch, LossFn.CrossEntropy).Loss;
        session.OptimStep(new AdamParams(LearningRate: 2e-2));
        var last = first;
        for (var step = 0; step < 15; step++)
        {
            last = session.ForwardBackward(batch, LossFn.CrossEntropy).Loss;
            session.OptimStep(new AdamParams(LearningRate: 2e-2));
        }

        Assert.True(last < first * 0.6, $"loss went from {first:F3} to {last:F3}");
    }
}

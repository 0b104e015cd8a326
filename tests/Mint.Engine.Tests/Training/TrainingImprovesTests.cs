using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using Xunit.Abstractions;

namespace Mint.Engine.Tests.Training;

/// <summary>Honest training on a small model: each test measures an improvement, not a constant.</summary>
public sealed class TrainingImprovesTests(ITestOutputHelper output) : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load(seed: 4);

    public void Dispose() => model.Dispose();

    [Fact]
    public void Supervised_cross_entropy_drives_the_loss_down_on_a_fixed_batch()
    {
        using var session = new TrainingSession("sft", model, new LoraConfig(8, Seed: 1));
        List<Datum> batch = [Data.Sft([1, 10, 20, 30, 40, 2]), Data.Sft([1, 11, 21, 31, 41, 2]), Data.Sft([1, 12, 22, 32, 2])];
        var losses = new List<double>();
        for (var step = 0; step < 25; step++)
        {
            losses.Add(session.ForwardBackward(batch, LossFn.CrossEntropy).Loss);
            session.OptimStep(new AdamParams(LearningRate: 2e-2));
        }

        output.WriteLine(string.Join(", ", losses.Select(loss => loss.ToString("F3"))));
        Assert.True(losses[^1] < losses[0] * 0.5, $"loss went from {losses[0]:F3} to {losses[^1]:F3}");
    }

    [Fact]
    public void Reinforcement_learning_with_importance_sampling_raises_the_mean_reward()
    {
        // Toy task: reward is the share of sampled tokens from the lower half of the vocabulary.
        using var session = new TrainingSession("rl", model, new LoraConfig(8, Seed: 2));
        var prompt = new[] { 1, 2, 3 };
        double Reward(IReadOnlyList<int> tokens) => tokens.Count(token => token < model.Config.VocabSize / 2) / (double)tokens.Count;
        var rewards = new List<double>();
        for (var iteration = 0; iteration < 12; iteration++)
        {
            var sample = session.Sample(ModelInput.FromInts(prompt), 16, new SamplingParams { MaxTokens = 6, Seed = iteration });
            var scores = sample.Sequences.Select(sequence => Reward(sequence.Tokens)).ToList();
            rewards.Add(scores.Average());
            var batch = sample.Sequences.Select((sequence, index) =>
                Data.Rl(prompt, sequence.Tokens, sequence.Logprobs, (float)(scores[index] - scores.Average()))).ToList();
            session.ForwardBackward(batch, iteration % 2 == 0 ? LossFn.ImportanceSampling : LossFn.Ppo());
            session.OptimStep(new AdamParams(LearningRate: 3e-2));
        }

        output.WriteLine(string.Join(", ", rewards.Select(reward => reward.ToString("F3"))));
        Assert.True(rewards.TakeLast(3).Average() > rewards.Take(3).Average() + 0.2,
            $"mean reward went from {rewards.Take(3).Average():F3} to {rewards.TakeLast(3).Average():F3}");
    }
}

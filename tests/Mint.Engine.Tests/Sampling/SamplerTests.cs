using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Sampling;

/// <summary>Sampling: reproducibility, truncation, stop tokens, and log-probs the RL losses can trust.</summary>
public sealed class SamplerTests : IDisposable
{
    private static readonly ModelInput Prompt = ModelInput.FromInts([3, 1, 4, 1, 5]);
    private readonly PretrainedModel model = TinyModel.Load(seed: 21);
    private readonly TrainingSession session;

    public SamplerTests()
    {
        session = new TrainingSession("sampler", model, new LoraConfig(2));
    }

    public void Dispose()
    {
        session.Dispose();
        model.Dispose();
    }

    private static IEnumerable<int[]> Tokens(SampleResult result) => result.Sequences.Select(sequence => sequence.Tokens.ToArray());

    [Fact]
    public void The_same_seed_gives_the_same_samples_and_another_seed_does_not()
    {
        var parameters = new SamplingParams { MaxTokens = 12, Seed = 7 };

        var first = session.Sample(Prompt, 4, parameters);
        var second = session.Sample(Prompt, 4, parameters);
        var other = session.Sample(Prompt, 4, parameters with { Seed = 8 });

        Assert.Equal(Tokens(first), Tokens(second));
        Assert.NotEqual(Tokens(first), Tokens(other));
        Assert.All(first.Sequences, sequence => Assert.Equal(12, sequence.Tokens.Count));
        Assert.All(first.Sequences, sequence => Assert.Equal(StopReason.Length, sequence.StopReason));
    }

    [Fact]
    public void Sampled_logprobs_equal_the_models_logprobs_of_the_same_tokens()
    {
        var sample = session.Sample(Prompt, 3, new SamplingParams { MaxTokens = 6, Seed = 3 });

        foreach (var sequence in sample.Sequences)
        {
            var full = Prompt.ToInts().Concat(sequence.Tokens).ToArray();
            var datum = Data.Sft(full);
            var forward = session.Forward([datum]).Logprobs[0].ToSingles().Skip(Prompt.Length - 1).ToArray();
            Assert.Equal(forward.Length, sequence.Logprobs.Count);
            for (var index = 0; index < forward.Length; index++)
            {
                Assert.Equal(forward[index], sequence.Logprobs[index], 3);
            }
        }
    }

    [Fact]
    public void Greedy_decoding_picks_the_argmax_and_matches_without_the_cache()
    {
        var greedy = new SamplingParams { MaxTokens = 10, Temperature = 0 };

        var cached = session.Sample(Prompt, 1, greedy).Sequences[0];
        var uncached = session.Sample(Prompt, 1, greedy, useKvCache: false).Sequences[0];

        Assert.Equal(cached.Tokens, uncached.Tokens);
        for (var index = 0; index < cached.Tokens.Count; index++)
        {
            Assert.Equal(cached.Logprobs[index], uncached.Logprobs[index], 4);
        }

        // Every greedy token is the most likely one: its log-prob is the row's maximum.
        var sequence = Prompt.ToInts().Concat(cached.Tokens).ToArray();
        using var noGrad = TorchSharp.torch.no_grad();
        var logits = session.Model.Forward(TorchSharp.torch.tensor(sequence.Select(token => (long)token).ToArray()).unsqueeze(0));
        var argmax = logits.argmax(-1).data<long>().ToArray().Skip(Prompt.Length - 1).Take(cached.Tokens.Count).Select(token => (int)token);
        Assert.Equal(cached.Tokens, argmax);
    }

    [Fact]
    public void Top_k_of_one_and_a_tiny_top_p_reduce_to_greedy()
    {
        var greedy = session.Sample(Prompt, 1, new SamplingParams { MaxTokens = 8, Temperature = 0 }).Sequences[0].Tokens;

        var topK = session.Sample(Prompt, 3, new SamplingParams { MaxTokens = 8, TopK = 1, Seed = 1 });
        var topP = session.Sample(Prompt, 3, new SamplingParams { MaxTokens = 8, TopP = 1e-6, Seed = 2 });

        Assert.All(topK.Sequences, sequence => Assert.Equal(greedy, sequence.Tokens));
        Assert.All(topP.Sequences, sequence => Assert.Equal(greedy, sequence.Tokens));
    }

    [Fact]
    public void Top_k_keeps_samples_inside_the_k_most_likely_tokens()
    {
        var sample = session.Sample(ModelInput.FromInts([9]), 64, new SamplingParams { MaxTokens = 1, TopK = 3, Seed = 5 });

        using var noGrad = TorchSharp.torch.no_grad();
        var top3 = session.Model.Forward(TorchSharp.torch.tensor(new long[] { 9 }).unsqueeze(0)).select(1, -1).topk(3).indexes.data<long>().ToArray();
        var seen = sample.Sequences.Select(sequence => (long)sequence.Tokens[0]).Distinct().ToList();
        Assert.All(seen, token => Assert.Contains(token, top3));
        Assert.True(seen.Count > 1, "64 samples from 3 tokens should not all agree.");
    }

    [Fact]
    public void A_stop_token_ends_its_sequence_and_is_kept()
    {
        var first = session.Sample(Prompt, 1, new SamplingParams { MaxTokens = 1, Temperature = 0 }).Sequences[0].Tokens[0];

        var stopped = session.Sample(Prompt, 2, new SamplingParams { MaxTokens = 9, Temperature = 0, StopTokens = [first] });

        Assert.All(stopped.Sequences, sequence =>
        {
            Assert.Equal([first], sequence.Tokens);
            Assert.Equal(StopReason.StopToken, sequence.StopReason);
        });
    }

    [Fact]
    public void Rows_that_stop_keep_their_stop_token_last_while_the_others_run_to_max_tokens()
    {
        // A sixth of the vocabulary stops a sequence: with this seed some rows stop early and some never do.
        int[] stops = [.. Enumerable.Range(0, 8)];
        const int maxTokens = 6;

        var sample = session.Sample(Prompt, 8, new SamplingParams { MaxTokens = maxTokens, Temperature = 1.5, StopTokens = stops, Seed = 4 });

        Assert.Contains(sample.Sequences, sequence => sequence.StopReason == StopReason.StopToken && sequence.Tokens.Count < maxTokens);
        Assert.Contains(sample.Sequences, sequence => sequence.StopReason == StopReason.Length);
        Assert.All(sample.Sequences, sequence =>
        {
            Assert.Equal(sequence.Tokens.Count, sequence.Logprobs.Count);
            Assert.DoesNotContain(sequence.Tokens.SkipLast(1), token => stops.Contains(token));
            if (sequence.StopReason == StopReason.StopToken)
            {
                Assert.Contains(sequence.Tokens[^1], stops);
            }
            else
            {
                Assert.Equal(maxTokens, sequence.Tokens.Count);
                Assert.DoesNotContain(sequence.Tokens[^1], stops);
            }
        });
    }
}

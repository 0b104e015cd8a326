using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Xunit;

namespace Mint.Engine.Tests.Sampling;

/// <summary>
/// Prompt log-probs and top-k log-probs (sampling's <c>prompt_logprobs</c> / <c>topk_prompt_logprobs</c>,
/// forward's top-k), against transformers' log-probs of the same sequence.
/// </summary>
public sealed class PromptLogprobsTests : IDisposable
{
    private static readonly TransformersFixture Fixture = TransformersFixture.Open("qwen2-tied");
    private readonly MintEngine engine = new(PretrainedModel.Load(Fixture.Folder));

    public void Dispose() => engine.Dispose();

    [Fact]
    public void Prompt_logprobs_are_transformers_logprobs_of_the_prompt_with_none_at_position_0()
    {
        var session = engine.CreateSession(new LoraConfig(2));
        var prompt = Fixture.Sequences[1];

        var result = session.Sample(ModelInput.FromInts(prompt), 2, new SamplingParams { MaxTokens = 2, Seed = 1, PromptLogprobs = true });

        Assert.Equal(prompt.Length, result.PromptLogprobs!.Count);
        Assert.Null(result.PromptLogprobs[0]);
        var expected = Fixture.Logprobs[1];
        Assert.All(Enumerable.Range(1, prompt.Length - 1), position => Assert.Equal(expected[position - 1], result.PromptLogprobs[position]!.Value, 1e-5));
        Assert.Null(result.TopKPromptLogprobs);
        Assert.Equal(2, result.Sequences.Count);
    }

    [Fact]
    public void Top_k_prompt_logprobs_are_the_k_largest_sorted_and_hold_the_prompt_token_when_it_ranks()
    {
        var session = engine.CreateSession(new LoraConfig(2));
        var prompt = Fixture.Sequences[0];
        var parameters = new SamplingParams { MaxTokens = 1, Seed = 1, PromptLogprobs = true, TopKPromptLogprobs = 512 };

        var result = session.Sample(ModelInput.FromInts(prompt), 1, parameters);

        Assert.Null(result.TopKPromptLogprobs![0]);
        for (var position = 1; position < prompt.Length; position++)
        {
            var top = result.TopKPromptLogprobs[position]!;
            Assert.Equal(512, top.Count);
            Assert.Equal(512, top.Select(entry => entry.Token).Distinct().Count());
            Assert.True(top.Zip(top.Skip(1)).All(pair => pair.First.Logprob >= pair.Second.Logprob), "most likely first");
            Assert.Equal(1.0, top.Sum(entry => Math.Exp(entry.Logprob)), 1e-4);
            Assert.Equal(result.PromptLogprobs![position]!.Value, top.Single(entry => entry.Token == prompt[position]).Logprob, 1e-6);
        }

        var three = session.Sample(ModelInput.FromInts(prompt), 1, parameters with { TopKPromptLogprobs = 3, PromptLogprobs = false });
        Assert.Null(three.PromptLogprobs);
        Assert.All(Enumerable.Range(1, prompt.Length - 1), position =>
            Assert.Equal(result.TopKPromptLogprobs[position]!.Take(3).Select(entry => entry.Token), three.TopKPromptLogprobs![position]!.Select(entry => entry.Token)));
    }

    [Fact]
    public void Forward_top_k_at_each_position_ranks_the_next_token_as_the_prompt_top_k_does()
    {
        var session = engine.CreateSession(new LoraConfig(2));
        var sequence = Fixture.Sequences[0];
        var datum = Data.Sft(sequence);

        var forward = session.Forward([datum, Data.Sft(Fixture.Sequences[1][..4])], new ForwardOptions { TopKLogprobs = 4 });
        var sampled = session.Sample(ModelInput.FromInts(sequence), 1, new SamplingParams { MaxTokens = 1, Seed = 1, TopKPromptLogprobs = 4 });

        var top = forward.TopKLogprobs![0];
        Assert.Equal(sequence.Length - 1, top.Count);
        Assert.Equal(3, forward.TopKLogprobs[1].Count);
        for (var position = 0; position < top.Count; position++)
        {
            Assert.Equal(sampled.TopKPromptLogprobs![position + 1]!.Select(entry => entry.Token), top[position].Select(entry => entry.Token));
            Assert.True(top[position][0].Logprob >= forward.Logprobs[0][position] - 1e-6);
        }

        Assert.Null(session.Forward([datum]).TopKLogprobs);
    }

    [Fact]
    public void Top_k_outside_the_vocabulary_is_refused_naming_the_field()
    {
        var session = engine.CreateSession(new LoraConfig(2));

        var sample = Assert.Throws<BatchValidationException>(() => session.Sample(ModelInput.FromInts([1, 2]), 1, new SamplingParams { TopKPromptLogprobs = 513 }));
        var negative = Assert.Throws<BatchValidationException>(() => session.Sample(ModelInput.FromInts([1, 2]), 1, new SamplingParams { TopKPromptLogprobs = -1 }));
        var forward = Assert.Throws<BatchValidationException>(() => session.Forward([Data.Sft([1, 2, 3])], new ForwardOptions { TopKLogprobs = 600 }));

        Assert.Equal("topk_prompt_logprobs", sample.Violations.Single().Key);
        Assert.Equal("topk_prompt_logprobs", negative.Violations.Single().Key);
        Assert.Equal("top_k_logprobs", forward.Violations.Single().Key);
    }
}

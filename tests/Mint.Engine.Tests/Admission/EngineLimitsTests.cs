using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Admission;

/// <summary>
/// Every request the engine could be made to allocate without bound is refused first, naming the
/// limit, and changes nothing — in-process, so the embedded transport is protected like the server.
/// </summary>
public sealed class EngineLimitsTests : IDisposable
{
    private static readonly EngineLimits Small = new()
    {
        MaxLoraRank = 8,
        MaxSessions = 2,
        MaxBatchSize = 4,
        MaxTokensPerRequest = 40,
        MaxNumSamples = 3,
        MaxSampleTokens = 5,
    };

    private readonly MintEngine engine = new(TinyModel.Load(TinyModel.Config(vocab: 48, context: 16)), limits: Small);
    private readonly TrainingSession session;
    private readonly SessionSnapshot snapshot;

    public EngineLimitsTests()
    {
        session = engine.CreateSession(new LoraConfig(4, Seed: 2));
        session.ForwardBackward([Data.Sft([1, 2, 3, 4])], LossFn.CrossEntropy);
        snapshot = SessionSnapshot.Of(session);
    }

    public void Dispose() => engine.Dispose();

    private void AssertRejected(Action call, string message)
    {
        var error = Assert.Throws<BatchValidationException>(call);
        Assert.Equal(message, error.Message);
        snapshot.AssertUnchanged(session);
    }

    [Fact]
    public void A_rank_over_max_lora_rank_is_refused_before_anything_is_allocated()
    {
        var error = Assert.Throws<BatchValidationException>(() => engine.CreateSession(new LoraConfig(int.MaxValue)));
        Assert.Equal(
            "Invalid input for create_session (2 problems):\n"
            + "  - config 'rank': is 2147483647; the limit max_lora_rank is 8.\n"
            + "  - config 'rank': is 2147483647; it cannot exceed the smallest adapted projection dimension of the model (16).",
            error.Message);
        Assert.Single(engine.SessionIds);
    }

    [Fact]
    public void A_rank_above_the_projection_dimensions_is_refused_even_under_the_limit()
    {
        using var roomy = new MintEngine(TinyModel.Load(TinyModel.Config()), limits: new EngineLimits { MaxLoraRank = 1000 });
        var error = Assert.Throws<BatchValidationException>(() => roomy.CreateSession(new LoraConfig(17)));
        Assert.Equal("config 'rank': is 17; it cannot exceed the smallest adapted projection dimension of the model (16).", error.Violations.Single().ToString());
        Assert.Equal(16, roomy.CreateSession(new LoraConfig(16)).Info.Lora.Rank);
    }

    [Fact]
    public void Sessions_beyond_max_sessions_are_refused_until_one_closes()
    {
        var second = engine.CreateSession(new LoraConfig(2));
        var error = Assert.Throws<SessionLimitException>(() => engine.CreateSession(new LoraConfig(2)));
        Assert.Equal("The engine already holds 2 sessions, the limit max_sessions; close one first.", error.Message);
        Assert.Equal(2, engine.SessionIds.Count);

        engine.CloseSession(second.Id);
        engine.CreateSession(new LoraConfig(2));
    }

    [Fact]
    public void Session_ids_are_random_and_carry_no_counter()
    {
        var ids = Enumerable.Range(0, 1).Select(_ => engine.CreateSession(new LoraConfig(2)).Id).Append(session.Id).ToList();
        Assert.All(ids, id => Assert.Matches("^session-[0-9a-f]{32}$", id));
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public void A_batch_over_max_batch_size_is_refused_with_one_violation_not_one_per_datum()
    {
        var data = Enumerable.Range(0, 100_000).Select(_ => new Datum(ModelInput.FromInts([]), new Dictionary<string, TensorData>())).ToList();
        AssertRejected(
            () => session.ForwardBackward(data, LossFn.CrossEntropy),
            "Invalid input for loss 'cross_entropy' (1 problem):\n  - batch: the batch has 100000 datums; the limit max_batch_size is 4.");
        AssertRejected(
            () => session.Forward(data),
            "Invalid input for forward (1 problem):\n  - batch: the batch has 100000 datums; the limit max_batch_size is 4.");
    }

    [Fact]
    public void A_batch_over_max_tokens_per_request_is_refused()
    {
        var data = Enumerable.Range(0, 3).Select(_ => Data.Sft(Enumerable.Range(1, 15).ToArray())).ToList();
        AssertRejected(
            () => session.ForwardBackward(data, LossFn.CrossEntropy),
            "Invalid input for loss 'cross_entropy' (1 problem):\n  - batch: the batch has 42 tokens; the limit max_tokens_per_request is 40.");
    }

    [Fact]
    public void Num_samples_and_max_tokens_over_their_limits_are_refused()
    {
        AssertRejected(
            () => session.Sample(ModelInput.FromInts([1, 2]), 1_000_000, new SamplingParams { MaxTokens = 6 }),
            "Invalid input for sample (2 problems):\n"
            + "  - config 'num_samples': is 1000000; the limit max_num_samples is 3.\n"
            + "  - config 'max_tokens': is 6; the limit max_sample_tokens is 5.");
        AssertRejected(
            () => session.Sample(ModelInput.FromInts(Enumerable.Range(1, 12).ToArray()), 3, new SamplingParams { MaxTokens = 2 }),
            "Invalid input for sample (1 problem):\n"
            + "  - config 'num_samples': 3 samples of 12 prompt + 2 new tokens hold 42 tokens; the limit max_tokens_per_request is 40.");
    }

    [Fact]
    public void Max_tokens_of_int_max_cannot_overflow_past_the_context_check()
    {
        using var roomy = new MintEngine(TinyModel.Load(TinyModel.Config(vocab: 48, context: 16)), limits: new EngineLimits { MaxSampleTokens = int.MaxValue, MaxTokensPerRequest = long.MaxValue });
        var open = roomy.CreateSession(new LoraConfig(2));
        var error = Assert.Throws<BatchValidationException>(() => open.Sample(ModelInput.FromInts([1, 2]), 1, new SamplingParams { MaxTokens = int.MaxValue }));
        Assert.Equal(
            "config 'max_tokens': the prompt (2 tokens) plus 2147483647 new tokens exceed the model's context of 16.",
            error.Violations.Single().ToString());
    }

    [Theory]
    [InlineData(1e-308)]
    [InlineData(double.Epsilon)]
    [InlineData(1e-7)]
    public void A_positive_temperature_too_small_to_scale_logits_is_refused_not_an_internal_failure(double temperature)
    {
        var error = Assert.Throws<BatchValidationException>(() =>
            session.Sample(ModelInput.FromInts([1, 2]), 1, new SamplingParams { MaxTokens = 2, Temperature = temperature }));
        Assert.Equal("temperature", error.Violations.Single().Key);
        Assert.Contains("a positive temperature must be at least 1E-06", error.Message);
    }

    [Fact]
    public void The_smallest_accepted_temperature_samples_greedily_without_failing()
    {
        var tiny = session.Sample(ModelInput.FromInts([1, 2, 3]), 2, new SamplingParams { MaxTokens = 4, Temperature = SamplingParams.MinPositiveTemperature, Seed = 1 });
        var greedy = session.Sample(ModelInput.FromInts([1, 2, 3]), 1, new SamplingParams { MaxTokens = 4, Temperature = 0 });
        Assert.All(tiny.Sequences, sequence => Assert.Equal(greedy.Sequences[0].Tokens, sequence.Tokens));
    }

    [Fact]
    public void A_top_p_too_small_for_float32_keeps_the_most_likely_token_instead_of_failing()
    {
        var tiny = session.Sample(ModelInput.FromInts([1, 2, 3]), 2, new SamplingParams { MaxTokens = 4, TopP = 1e-300, Seed = 1 });
        var greedy = session.Sample(ModelInput.FromInts([1, 2, 3]), 1, new SamplingParams { MaxTokens = 4, Temperature = 0 });
        Assert.All(tiny.Sequences, sequence => Assert.Equal(greedy.Sequences[0].Tokens, sequence.Tokens));
    }

    [Fact]
    public void Limits_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MintEngine(TinyModel.Load(TinyModel.Config()), limits: new EngineLimits { MaxBatchSize = 0 }));
    }
}

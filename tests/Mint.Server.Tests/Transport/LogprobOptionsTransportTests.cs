using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Transport;

/// <summary>Prompt log-probs, top-k prompt log-probs and forward's top-k arrive the same over gRPC as in-process.</summary>
public sealed class LogprobOptionsTransportTests : IAsyncLifetime
{
    private BothTransports transports = null!;

    public async Task InitializeAsync() => transports = await BothTransports.StartAsync(seed: 11);

    public async Task DisposeAsync() => await transports.DisposeAsync();

    [Fact]
    public async Task Prompt_and_top_k_logprobs_are_the_same_over_grpc_and_in_process()
    {
        var samples = new List<SampleResult>();
        var forwards = new List<ForwardResult>();
        foreach (var transport in new[] { "embedded", "grpc" })
        {
            var training = await transports.Over(transport).CreateLoraTrainingClientAsync(new LoraConfig(2, Seed: 1));
            samples.Add(await training.CreateSamplingClient().SampleAsync(ModelInput.FromInts([3, 1, 4, 1, 5]), 2,
                new SamplingParams { MaxTokens = 3, Seed = 4, PromptLogprobs = true, TopKPromptLogprobs = 3 }));
            forwards.Add(await training.ForwardAsync(TrainingRuns.SftBatch(), new ForwardOptions { TopKLogprobs = 2 }));
        }

        Assert.Equal(5, samples[1].PromptLogprobs!.Count);
        Assert.Null(samples[1].PromptLogprobs![0]);
        Assert.Equal(samples[0].PromptLogprobs, samples[1].PromptLogprobs);
        Assert.Null(samples[1].TopKPromptLogprobs![0]);
        Assert.Equal(Flatten(samples[0].TopKPromptLogprobs!.Skip(1)!), Flatten(samples[1].TopKPromptLogprobs!.Skip(1)!));
        Assert.Equal(3, samples[1].TopKPromptLogprobs![4]!.Count);
        Assert.Equal(samples[0].Sequences.SelectMany(sequence => sequence.Tokens), samples[1].Sequences.SelectMany(sequence => sequence.Tokens));

        Assert.Equal(TrainingRuns.SftBatch().Select(datum => datum.ModelInput.Length), forwards[1].TopKLogprobs!.Select(rows => rows.Count));
        Assert.Equal(Flatten(forwards[0].TopKLogprobs!.SelectMany(rows => rows)), Flatten(forwards[1].TopKLogprobs!.SelectMany(rows => rows)));
    }

    [Fact]
    public async Task Without_the_options_nothing_extra_comes_back_over_grpc()
    {
        var training = await transports.Over("grpc").CreateLoraTrainingClientAsync(new LoraConfig(2));

        var sample = await training.CreateSamplingClient().SampleAsync(ModelInput.FromInts([3, 1]), 1, new SamplingParams { MaxTokens = 1, Seed = 1 });
        var forward = await training.ForwardAsync(TrainingRuns.SftBatch());

        Assert.Null(sample.PromptLogprobs);
        Assert.Null(sample.TopKPromptLogprobs);
        Assert.Null(forward.TopKLogprobs);
    }

    private static List<double> Flatten(IEnumerable<IReadOnlyList<TokenLogprob>> positions) =>
        positions.SelectMany(top => top.SelectMany(entry => new double[] { entry.Token, entry.Logprob })).ToList();
}

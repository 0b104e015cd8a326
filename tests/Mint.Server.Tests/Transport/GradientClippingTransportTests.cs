using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Transport;

/// <summary><c>grad_clip_norm</c> reaches the engine over gRPC and clips exactly as in-process.</summary>
public sealed class GradientClippingTransportTests : IAsyncLifetime
{
    private BothTransports transports = null!;

    public async Task InitializeAsync() => transports = await BothTransports.StartAsync(seed: 13);

    public async Task DisposeAsync() => await transports.DisposeAsync();

    [Fact]
    public async Task A_clipped_step_over_grpc_equals_the_embedded_one_and_differs_from_an_unclipped_one()
    {
        var runs = new List<List<double>>();
        foreach (var (transport, clip) in new[] { ("embedded", 0.001), ("grpc", 0.001), ("grpc", 0.0) })
        {
            var training = await transports.Over(transport).CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
            var trace = new List<double>();
            for (var step = 0; step < 2; step++)
            {
                await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
                trace.Add((await training.OptimStepAsync(new AdamParams(LearningRate: 0.05, Eps: 1.0, GradClipNorm: clip))).Metrics["grad_norm"]);
            }

            trace.AddRange((await training.ForwardAsync(TrainingRuns.SftBatch())).Logprobs.SelectMany(row => row.ToDoubles()));
            runs.Add(trace);
        }

        Assert.Equal(runs[0], runs[1]);
        Assert.True(runs[1][1] > 0.001, "the reported norm is the one before clipping");
        Assert.NotEqual(runs[1].Skip(2), runs[2].Skip(2));
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Transport;

/// <summary>A composed custom loss reports the same terms and term gradient norms over gRPC as in-process.</summary>
public sealed class ComposedLossTransportTests : IAsyncLifetime
{
    private BothTransports transports = null!;

    public async Task InitializeAsync() => transports = await BothTransports.StartAsync(seed: 7);

    public async Task DisposeAsync() => await transports.DisposeAsync();

    [Fact]
    public async Task Terms_and_their_gradient_norms_are_the_same_over_grpc_and_in_process()
    {
        var results = new List<ForwardBackwardResult>();
        foreach (var transport in new[] { "embedded", "grpc" })
        {
            var training = await transports.Over(transport).CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
            training.LossOptions = new LossComputeOptions { TermGradientNorms = true };
            results.Add(await training.ForwardBackwardCustomAsync(Batch(), TestLosses.RegularizedSftLoss.With(klWeight: 0.5)));
        }

        Assert.Equal(
            ["loss:sum", "terms/base", "terms/base/grad_norm", "terms/kl", "terms/kl/grad_norm", "terms/l2", "terms/l2/grad_norm", "weighted_tokens"],
            results[1].Metrics.Keys.Order(System.StringComparer.Ordinal));
        Assert.Equal(results[0].Metrics.OrderBy(entry => entry.Key), results[1].Metrics.OrderBy(entry => entry.Key));
        Assert.True(results[1].Metrics["terms/kl/grad_norm"] > 0);
    }

    [Fact]
    public async Task A_composed_loss_lowers_and_runs_in_the_servers_pass_with_the_in_process_numbers()
    {
        var loss = TestLosses.RegularizedSftLoss.With(klWeight: 0.5, l2Weight: 0.25);
        Assert.NotNull(loss.Graph);
        var results = new List<ForwardBackwardResult>();
        var gradients = new List<Dictionary<string, TorchSharp.torch.Tensor>>();
        foreach (var transport in new[] { "embedded", "grpc" })
        {
            var training = await transports.Over(transport).CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
            results.Add(await training.ForwardBackwardCustomAsync(Batch(), loss));
            gradients.Add(transports.Engine(transport).GetSession(training.SessionId).AdapterGradients());
        }

        Assert.Equal(LossExecution.InEngine, results[1].Execution);
        Assert.Equal(["loss:sum", "terms/base", "terms/kl", "terms/l2", "weighted_tokens"], results[1].Metrics.Keys.Order(System.StringComparer.Ordinal));
        Assert.All(results[0].Metrics, metric => Assert.Equal(metric.Value, results[1].Metrics[metric.Key], 5));

        // The total is the base plus each weighted term, and the gradient follows all three.
        var metrics = results[1].Metrics;
        Assert.Equal(metrics["terms/base"] + (0.5 * metrics["terms/kl"]) + (0.25 * metrics["terms/l2"]), results[1].Loss, 4);
        Assert.All(gradients[0], entry => Assert.True(
            TorchSharp.torch.allclose(entry.Value, gradients[1][entry.Key], rtol: 1e-4, atol: 1e-7), entry.Key));
    }

    private static List<Datum> Batch() => TrainingRuns.SftBatch().Select(datum => new Datum(datum.ModelInput, new Dictionary<string, TensorData>(datum.LossFnInputs)
    {
        ["reference_logprobs"] = TensorData.FromSingles(Enumerable.Repeat(-2.5f, datum.ModelInput.Length)),
    })).ToList();
}

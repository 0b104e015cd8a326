using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Samples.Preference;
using Mint.Server.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Server.Tests.Transport;

/// <summary>
/// Inputs of other ranks over a real socket: a multi-target loss and a per-datum input run inside
/// the server's single forward/backward pass (their graphs lower with those ranks), and agree with
/// the in-process engine and with the client-side two-pass path.
/// </summary>
public sealed class InputRankTransportTests : IAsyncLifetime
{
    private BothTransports both = null!;

    public async Task InitializeAsync() => both = await BothTransports.StartAsync(seed: 9);

    public async Task DisposeAsync() => await both.DisposeAsync();

    [Fact]
    public async Task A_multi_target_loss_over_grpc_equals_the_embedded_run_in_one_pass()
    {
        var questions = MultipleChoiceBatches.Questions(4, seed: 8);
        var remote = await both.Over("grpc").CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));
        var local = await both.Over("embedded").CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));

        var forwardRemote = await remote.ForwardAsync(questions);
        var forwardLocal = await local.ForwardAsync(questions);
        var viaServer = await remote.ForwardBackwardCustomAsync(questions, MultipleChoiceLosses.AnswerChoiceLoss);
        var inProcess = await local.ForwardBackwardCustomAsync(questions, MultipleChoiceLosses.AnswerChoiceLoss);

        Assert.Equal([questions[0].ModelInput.Length, 4L], forwardRemote.Logprobs[0].Shape);
        Assert.Equal(forwardLocal.Logprobs.Select(row => row.ToDoubles()), forwardRemote.Logprobs.Select(row => row.ToDoubles()));
        Assert.Equal(LossExecution.InEngine, viaServer.Execution);
        Assert.Equal(inProcess.Loss, viaServer.Loss, 6);
        Assert.Equal(inProcess.Metrics["answer_probability"], viaServer.Metrics["answer_probability"], 6);
        Assert.Equal(inProcess.Logprobs(2).Shape, viaServer.Logprobs(2).Shape);
        var expected = both.Embedded.Engine.GetSession(local.SessionId).AdapterGradients();
        var actual = both.Server.Server.Engine.GetSession(remote.SessionId).AdapterGradients();
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-5);
        Assert.All(expected, entry => Assert.True(allclose(entry.Value, actual[entry.Key], rtol: 1e-4, atol: 1e-7), entry.Key));
    }

    [Fact]
    public async Task A_per_datum_reference_runs_in_one_pass_over_grpc_and_matches_the_float64_client_side_result()
    {
        var loss = PreferenceLosses.DpoSequenceReferenceLoss.With(beta: 0.5);
        var batch = ContractBatches.For(loss.Contract, datums: 6, seed: 4);
        var oneClient = await both.Over("grpc").CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
        var twoClient = await both.Over("grpc").CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));

        var one = await oneClient.ForwardBackwardCustomAsync(batch, loss);
        var two = await twoClient.ForwardBackwardCustomAsync(batch, loss, new LossComputeOptions { Precision = LossPrecision.Float64 });

        Assert.Equal(LossExecution.InEngine, one.Execution);
        Assert.Equal(LossExecution.TwoPass, two.Execution);
        Assert.Equal(two.Loss, one.Loss, 5);
        Assert.Equal(two.Metrics["reward_accuracy"], one.Metrics["reward_accuracy"], 6);
        var expected = both.Server.Server.Engine.GetSession(twoClient.SessionId).AdapterGradients();
        var actual = both.Server.Server.Engine.GetSession(oneClient.SessionId).AdapterGradients();
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-6);
        Assert.All(expected, entry => Assert.True(
            allclose(entry.Value, actual[entry.Key], rtol: 1e-3, atol: 1e-6),
            $"{entry.Key}: max difference {(entry.Value - actual[entry.Key]).abs().max().item<float>()}"));
    }

    [Fact]
    public async Task The_server_reports_a_per_datum_input_of_the_wrong_shape_as_the_client_does()
    {
        var loss = PreferenceLosses.DpoSequenceReferenceLoss;
        var batch = ContractBatches.For(loss.Contract, datums: 4, seed: 2);
        batch[3] = new Datum(batch[3].ModelInput, new Dictionary<string, TensorData>(batch[3].LossFnInputs) { ["reference_logprob"] = TensorData.FromSingles([-1f, -2f]) });
        var expected = Assert.Throws<BatchValidationException>(() => loss.Validate(batch));
        var training = await both.Over("grpc").CreateLoraTrainingClientAsync();

        var graph = Dsl.Graphs.GraphLossDefinition.Load(loss.Graph!);
        var actual = Assert.Throws<BatchValidationException>(() => graph.Validate(batch));
        var remote = await Assert.ThrowsAsync<BatchValidationException>(() => training.ForwardBackwardCustomAsync(batch, loss));

        Assert.Equal("datum 3, 'reference_logprob': shape is [2], expected [] or [1]: this loss reads one value per datum here.", Assert.Single(expected.Violations).ToString());
        Assert.Equal(expected.Violations, actual.Violations);
        Assert.Equal(expected.Violations, remote.Violations);
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Mint.Client;
using Mint.Client.Tests.Support;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Dsl.Graphs;
using Mint.Protocol.Conversion;
using Mint.Server.Tests.Support;
using Xunit;
using static TorchSharp.torch;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Transport;

/// <summary>
/// Custom losses over a real socket: the server runs a registered loss graph inside its own
/// forward/backward pass, and that agrees with the client-side two-pass path.
/// </summary>
public sealed class ServerSideLossTests : IAsyncLifetime
{
    private readonly ModelFolder model = new(seed: 7);
    private RunningServer server = null!;

    public async Task InitializeAsync() => server = await RunningServer.StartAsync(model.Path);

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        model.Dispose();
    }

    public static TheoryData<string> Losses => new(LowerableLosses.Names);

    [Theory]
    [MemberData(nameof(Losses))]
    public async Task Server_side_and_client_side_runs_agree_on_loss_metrics_and_parameter_gradients(string name)
    {
        // The built-ins go through the custom path as plain graphs, exactly as a user's loss would.
        var definition = LowerableLosses.Definition(name);
        var loss = GraphLossDefinition.Load(definition.Graph!).WithConfig(definition.Config);
        var batch = ContractBatches.For(loss.Contract, datums: 4, seed: name.Length);
        var client = server.Client();
        var serverSide = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
        var clientSide = (await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3))).WithCustomLossRouting(CustomLossRouting.TwoPass);

        var one = await serverSide.ForwardBackwardCustomAsync(batch, loss);
        var two = await clientSide.ForwardBackwardCustomAsync(batch, loss);

        Assert.Equal(LossExecution.InEngine, one.Execution);
        Assert.Equal(LossExecution.TwoPass, two.Execution);
        Assert.Equal(two.Loss, one.Loss, 5);
        Assert.Equal(two.Metrics.Keys.Order(), one.Metrics.Keys.Order());
        Assert.All(two.Metrics, metric => Assert.Equal(metric.Value, one.Metrics[metric.Key], 5));
        Assert.Equal(two.Logprobs(1).ToDoubles(), one.Logprobs(1).ToDoubles());
        var expected = server.Server.Engine.GetSession(clientSide.SessionId).AdapterGradients();
        var actual = server.Server.Engine.GetSession(serverSide.SessionId).AdapterGradients();
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-6);
        Assert.All(expected, entry => Assert.True(
            allclose(entry.Value, actual[entry.Key], rtol: 1e-3, atol: 1e-6),
            $"{entry.Key}: max difference {(entry.Value - actual[entry.Key]).abs().max().item<float>()}"));
    }

    [Fact]
    public async Task A_generated_loss_over_grpc_equals_the_same_loss_run_in_process()
    {
        await using var embedded = new EmbeddedReference(model.Path);
        var batch = ContractBatches.For(TestLosses.KlRegularisedPolicyLoss.Contract, datums: 4);
        var remote = await server.Client().CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));
        var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));

        var viaServer = await remote.ForwardBackwardCustomAsync(batch, TestLosses.KlRegularisedPolicyLoss);
        var inProcess = await local.ForwardBackwardCustomAsync(batch, TestLosses.KlRegularisedPolicyLoss);

        Assert.Equal(LossExecution.InEngine, viaServer.Execution);
        Assert.Equal(inProcess.Loss, viaServer.Loss, 6);
        Assert.All(inProcess.Metrics, metric => Assert.Equal(metric.Value, viaServer.Metrics[metric.Key], 6));
        var expected = embedded.Engine.GetSession(local.SessionId).AdapterGradients();
        var actual = server.Server.Engine.GetSession(remote.SessionId).AdapterGradients();
        Assert.All(expected, entry => Assert.True(allclose(entry.Value, actual[entry.Key], rtol: 1e-4, atol: 1e-7), entry.Key));
    }

    [Fact]
    public async Task Registering_the_same_graph_again_returns_the_same_id_and_later_calls_only_name_it()
    {
        var client = server.Client();
        var training = await client.CreateLoraTrainingClientAsync();
        var raw = RawClient();
        var graph = GraphCodec.ToWire(TestLosses.FocalCrossEntropyLoss.Graph!);

        var first = await raw.RegisterLossAsync(new V1.RegisterLossRequest { SessionId = training.SessionId, Graph = graph });
        var again = await raw.RegisterLossAsync(new V1.RegisterLossRequest { SessionId = training.SessionId, Graph = graph });
        var loss = TestLosses.FocalCrossEntropyLoss.With(gamma: 1.0);
        var batch = ContractBatches.For(loss.Contract);
        for (var step = 0; step < 3; step++)
        {
            await training.ForwardBackwardCustomAsync(batch, loss);
        }

        Assert.Equal(first.LossId, again.LossId);
        Assert.StartsWith("loss-", first.LossId);
        // Two raw registrations, the transport's own (once), then each step one forward_backward naming the id.
        var operations = server.Logs.Entries
            .Where(entry => entry.EventId == 1 && Equals(entry.Fields["SessionId"], training.SessionId))
            .Select(entry => (string)entry.Fields["Operation"]!)
            .ToList();
        string[] expected = ["create_session", "register_loss", "register_loss", "register_loss", .. Enumerable.Repeat("forward_backward:" + first.LossId, 3)];
        Assert.Equal(expected, operations);
    }

    [Fact]
    public async Task A_bad_graph_is_rejected_with_invalid_argument_naming_the_node_and_the_rule()
    {
        var training = await server.Client().CreateLoraTrainingClientAsync();
        var graph = GraphCodec.ToWire(TestLosses.KlRegularisedPolicyLoss.Graph!);
        graph.Nodes[3].Op = "softmax";
        graph.Nodes[5].Args[0] = 9;
        graph.Nodes.Add(new V1.GraphNode { Op = "const", Value = double.PositiveInfinity });

        var error = await Assert.ThrowsAsync<RpcException>(() => RawClient().RegisterLossAsync(new V1.RegisterLossRequest { SessionId = training.SessionId, Graph = graph }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("%3 (softmax)", error.Status.Detail);
        Assert.Contains("known op", error.Status.Detail);
        Assert.Contains("references: argument 0 refers to %9", error.Status.Detail);
        Assert.Contains("finite constant", error.Status.Detail);
    }

    [Fact]
    public async Task The_server_validates_a_batch_for_a_registered_loss_with_the_clients_rules_and_messages()
    {
        var client = server.Client();
        var training = await client.CreateLoraTrainingClientAsync();
        var loss = Samples.Preference.PreferenceLosses.DpoLoss;
        var batch = ContractBatches.For(loss.Contract, datums: 5);
        batch[1] = new Datum(batch[1].ModelInput, batch[1].LossFnInputs.Where(entry => entry.Key != "reference_logprobs").ToDictionary());
        var expected = Assert.Throws<BatchValidationException>(() => loss.Validate(batch));

        // The transport itself, so the client's own validation does not run first.
        var error = await Assert.ThrowsAsync<BatchValidationException>(() => client.Transport.ForwardBackwardInEngineAsync(training.SessionId, batch, loss, CancellationToken.None));

        Assert.Equal(expected.Violations, error.Violations);
        Assert.Equal(expected.Operation, error.Operation);
        var gradients = server.Server.Engine.GetSession(training.SessionId).AdapterGradients();
        Assert.All(gradients.Values, gradient => Assert.Equal(0, gradient.abs().sum().item<float>()));
    }

    [Fact]
    public async Task A_loss_that_does_not_lower_takes_the_two_pass_path_unless_the_server_side_path_is_forced()
    {
        var training = await server.Client().CreateLoraTrainingClientAsync();
        var batch = ContractBatches.For(TestLosses.CustomCrossEntropyLoss.Contract);

        var auto = await training.ForwardBackwardCustomAsync(batch, TestLosses.CustomCrossEntropyLoss);
        var forced = await Assert.ThrowsAsync<InEngineLossUnavailableException>(() =>
            training.WithCustomLossRouting(CustomLossRouting.InEngine).ForwardBackwardCustomAsync(batch, TestLosses.CustomCrossEntropyLoss));

        Assert.Null(TestLosses.CustomCrossEntropyLoss.Graph);
        Assert.Equal(LossExecution.TwoPass, auto.Execution);
        Assert.Contains("does not lower to a loss graph", forced.Message);
    }

    [Fact]
    public async Task A_registered_loss_is_gone_with_its_session_and_unreachable_from_another()
    {
        var client = server.Client();
        var owner = await client.CreateLoraTrainingClientAsync();
        var other = await client.CreateLoraTrainingClientAsync();
        var raw = RawClient();
        var id = (await raw.RegisterLossAsync(new V1.RegisterLossRequest { SessionId = owner.SessionId, Graph = GraphCodec.ToWire(TestLosses.KlRegularisedPolicyLoss.Graph!) })).LossId;
        var request = new V1.ForwardBackwardRequest { SessionId = other.SessionId, Registered = new V1.RegisteredLoss { LossId = id } };
        request.Data.AddRange(ContractBatches.For(TestLosses.KlRegularisedPolicyLoss.Contract).Select(BatchCodec.ToWire));

        var fromOther = await Assert.ThrowsAsync<RpcException>(() => raw.ForwardBackwardAsync(request).ResponseAsync);
        await owner.CloseAsync();
        var reopened = await Assert.ThrowsAsync<RpcException>(() => raw.RegisterLossAsync(new V1.RegisterLossRequest { SessionId = owner.SessionId, Graph = GraphCodec.ToWire(TestLosses.KlRegularisedPolicyLoss.Graph!) }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, fromOther.StatusCode);
        Assert.Contains($"no loss '{id}' is registered in this session", fromOther.Status.Detail);
        Assert.Equal(StatusCode.NotFound, reopened.StatusCode);
    }

    [Fact]
    public async Task Config_ranges_and_orders_travel_with_a_graph_and_the_server_enforces_them()
    {
        var graph = BuiltinLosses.PpoLoss.Graph!;
        var decoded = GraphCodec.FromWire(GraphCodec.ToWire(graph));
        Assert.Equal(graph.ToString(), decoded.ToString());
        Assert.Equal([["clip_low_threshold", "clip_high_threshold"]], decoded.ConfigOrders.Select(order => order.ToArray()));
        Assert.All(decoded.Config, spec => Assert.Equal(0, spec.Min));

        var training = await server.Client().CreateLoraTrainingClientAsync();
        var raw = RawClient();
        var id = (await raw.RegisterLossAsync(new V1.RegisterLossRequest { SessionId = training.SessionId, Graph = GraphCodec.ToWire(graph) })).LossId;
        var request = new V1.ForwardBackwardRequest { SessionId = training.SessionId, Registered = new V1.RegisteredLoss { LossId = id } };
        request.Registered.Config.Add("clip_low_threshold", 1.5);
        request.Registered.Config.Add("clip_high_threshold", 1.2);
        request.Data.AddRange(ContractBatches.For(graph.Contract).Select(BatchCodec.ToWire));

        // Sent raw, so the client's own config check does not run first.
        var error = await Assert.ThrowsAsync<RpcException>(() => raw.ForwardBackwardAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("clip_low_threshold", error.Status.Detail);
        Assert.Contains("clip_high_threshold", error.Status.Detail);
        var gradients = server.Server.Engine.GetSession(training.SessionId).AdapterGradients();
        Assert.All(gradients.Values, gradient => Assert.Equal(0, gradient.abs().sum().item<float>()));

        // A graph whose ranges contradict themselves is refused at registration.
        var broken = GraphCodec.ToWire(graph);
        broken.Config[0].Max = -1;
        broken.ConfigOrders[0].Keys.Add("nope");
        var refused = await Assert.ThrowsAsync<RpcException>(() => raw.RegisterLossAsync(new V1.RegisterLossRequest { SessionId = training.SessionId, Graph = broken }).ResponseAsync);
        Assert.Contains("min 0 above max -1", refused.Status.Detail);
        Assert.Contains("config order", refused.Status.Detail);
    }

    private V1.Training.TrainingClient RawClient() => new(((GrpcTransport)server.Client().Transport).Channel);
}

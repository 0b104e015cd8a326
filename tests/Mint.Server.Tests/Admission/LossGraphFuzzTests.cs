using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FsCheck;
using FsCheck.Fluent;
using Grpc.Core;
using Grpc.Health.V1;
using Mint.Client;
using Mint.Client.Tests.Support;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Dsl.Graphs;
using Mint.Dsl.Tests.Support;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Mint.Protocol.Conversion;
using Mint.Protocol.Errors;
using Mint.Samples.Preference;
using Mint.Server.Tests.Support;
using Xunit;
using static TorchSharp.torch;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Admission;

/// <summary>
/// #11's graph fuzz over a real socket: random and mutated loss graphs (the generators the checker's
/// in-process property uses) go through <c>RegisterLoss</c> to a running server, and each one that
/// registers is then named by a <c>forward_backward</c> on a batch fitting its contract. Every graph is
/// refused with INVALID_ARGUMENT naming the part and the rule, or registers and runs; nothing fails
/// as INTERNAL or UNAVAILABLE, refused calls leave the session unchanged, and afterwards a built-in and
/// a custom step still succeed.
/// </summary>
public sealed class LossGraphFuzzTests : IAsyncLifetime
{
    private readonly ModelFolder model = new(seed: 11);
    private RunningServer server = null!;
    private GrpcTransport transport = null!;
    private V1.Training.TrainingClient raw = null!;
    private string session = null!;
    private int registered;
    private int ran;
    private int refusedToRun;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path);
        transport = (GrpcTransport)server.Client(retry: RetryPolicy.None).Transport;
        raw = new V1.Training.TrainingClient(transport.Channel);
        session = await NewSessionAsync();
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        model.Dispose();
    }

    [Fact]
    public async Task Random_and_mutated_graphs_are_refused_by_part_and_rule_or_register_and_run_and_the_server_keeps_serving()
    {
        var graphs = Gen.OneOf(LossGraphFuzz.Mutated(), LossGraphFuzz.Random());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(graphs), graph => Holds(graph)));

        // Some graphs registered and ran (mutations that keep a graph sound); most were refused.
        Assert.InRange(registered, 1, 299);
        Assert.True(ran >= 1, $"{registered} registered, none ran ({refusedToRun} refused to run)");
        Assert.Equal(registered, ran + refusedToRun);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());
        var training = await server.Client().CreateLoraTrainingClientAsync(new LoraConfig(4));
        var builtin = await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        var custom = await training.ForwardBackwardCustomAsync(ContractBatches.For(PreferenceLosses.PairwisePreferenceLoss.Contract, datums: 4), PreferenceLosses.PairwisePreferenceLoss);
        await training.OptimStepAsync(new AdamParams(LearningRate: 1e-2));
        Assert.True(builtin.Loss > 0);
        Assert.Equal(LossExecution.InEngine, custom.Execution);
        Assert.True(double.IsFinite(custom.Loss));
    }

    private bool Holds(LossGraph graph)
    {
        var live = server.Server.Engine.GetSession(session);
        var (weights, gradients, step) = (live.AdapterWeights(), live.AdapterGradients(), live.Info.Step);
        string lossId;
        try
        {
            lossId = raw.RegisterLoss(new V1.RegisterLossRequest { SessionId = session, Graph = Encode(graph) }).LossId;
        }
        catch (RpcException refused)
        {
            AssertNamesPartAndRule(refused, graph);
            AssertUnchanged(live, weights, gradients, step, graph);
            return true;
        }

        registered++;
        var loss = GraphLossDefinition.Load(graph);
        var request = new V1.ForwardBackwardRequest { SessionId = session, Registered = new V1.RegisteredLoss { LossId = lossId } };

        // Required config gets a value every config type accepts, as in the checker's property.
        foreach (var spec in graph.Config.Where(spec => spec.IsRequired))
        {
            request.Registered.Config[spec.Key] = 1.0;
        }

        request.Data.AddRange(ContractBatches.For(loss.Contract, datums: 4, seed: registered).Select(BatchCodec.ToWire));
        try
        {
            raw.ForwardBackward(request);
            ran++;
        }
        catch (RpcException refused)
        {
            // A registered graph whose declared ranges the batch's config breaks is refused before it runs.
            Assert.True(refused.StatusCode == StatusCode.InvalidArgument, $"{graph}: forward_backward {refused.StatusCode} {refused.Status.Detail}");
            AssertUnchanged(live, weights, gradients, step, graph);
            refusedToRun++;
        }

        if (registered % 50 == 0)
        {
            // A session holds at most 64 registered losses: go on in a fresh one.
            raw.CloseSession(new V1.CloseSessionRequest { SessionId = session });
            session = NewSessionAsync().GetAwaiter().GetResult();
        }

        return true;
    }

    /// <summary>
    /// The graph on the wire. The client's codec refuses a dtype it does not know, but the wire carries
    /// any number: such an input is encoded as float32 and then given an unknown dtype value.
    /// </summary>
    private static V1.LossGraph Encode(LossGraph graph)
    {
        var known = new LossGraph(
            graph.Name,
            graph.Layout,
            graph.Inputs.Select(input => Enum.IsDefined(input.DType) ? input : input with { DType = TensorDType.Float32 }).ToList(),
            graph.Config,
            graph.Nodes,
            graph.Loss,
            graph.Metrics,
            graph.Terms,
            graph.ConfigOrders);
        var wire = GraphCodec.ToWire(known);
        for (var index = 0; index < graph.Inputs.Count; index++)
        {
            if (!Enum.IsDefined(graph.Inputs[index].DType))
            {
                wire.Inputs[index].Dtype = (V1.DType)(100 + (int)graph.Inputs[index].DType);
            }
        }

        return wire;
    }

    private static void AssertNamesPartAndRule(RpcException refused, LossGraph graph)
    {
        Assert.True(refused.StatusCode == StatusCode.InvalidArgument, $"{graph}: register {refused.StatusCode} {refused.Status.Detail}");
        var error = ErrorTrailer.Read(refused.Trailers);
        Assert.True(error is not null && error.Violations.Count > 0, $"{graph}: no violations in the trailer");
        Assert.All(error!.Violations, violation => Assert.True(
            violation.HasKey && violation.Key.Length > 0 && violation.Reason.Contains(": ", StringComparison.Ordinal),
            $"{graph}: '{violation.Key}' '{violation.Reason}' names no part and rule"));
    }

    private static void AssertUnchanged(TrainingSession live, Dictionary<string, Tensor> weights, Dictionary<string, Tensor> gradients, long step, LossGraph graph) =>
        Assert.True(
            step == live.Info.Step && SessionSnapshot.Identical(weights, live.AdapterWeights()) && SessionSnapshot.Identical(gradients, live.AdapterGradients()),
            $"{graph}: refused but changed the session");

    private async Task<string> NewSessionAsync() =>
        (await raw.CreateSessionAsync(new V1.CreateSessionRequest { Lora = new V1.LoraConfig { Rank = 4 } })).SessionId;
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Tests.Support;
using Mint.Protocol.Conversion;
using Mint.Server.Tests.Support;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Admission;

/// <summary>
/// Random and mutated wire requests (FsCheck), sent with the raw gRPC client so no client-side check
/// filters them: none crashes the server or fails as INTERNAL, and every rejected one leaves the
/// session's weights, gradients and step exactly as they were.
/// </summary>
public sealed class HostileRequestPropertyTests : IAsyncLifetime
{
    private static readonly StatusCode[] Refusals =
        [StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.FailedPrecondition, StatusCode.ResourceExhausted];

    private readonly ModelFolder model = new(seed: 8);
    private RunningServer server = null!;
    private GrpcTransport transport = null!;
    private V1.Training.TrainingClient raw = null!;
    private string session = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path, configure: options => options with
        {
            MaxMessageBytes = 4 * 1024 * 1024,
            Limits = new EngineLimits { MaxLoraRank = 16, MaxBatchSize = 64, MaxTokensPerRequest = 2048, MaxNumSamples = 4, MaxSampleTokens = 8 },
        });
        transport = (GrpcTransport)server.Client(retry: RetryPolicy.None).Transport;
        raw = new V1.Training.TrainingClient(transport.Channel);
        session = (await raw.CreateSessionAsync(new V1.CreateSessionRequest { Lora = new V1.LoraConfig { Rank = 4 } })).SessionId;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        model.Dispose();
    }

    /// <summary>One hostile call: what it is (shown when the property fails) and how to send it.</summary>
    public sealed record HostileCall(string Description, Func<V1.Training.TrainingClient, string, Task> Send)
    {
        public override string ToString() => Description;
    }

    [Fact]
    public void No_random_or_mutated_request_crashes_the_server_or_changes_state_when_rejected()
    {
        var property = Prop.ForAll(Arb.From(Calls()), call => Holds(call));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    private bool Holds(HostileCall call)
    {
        var live = server.Server.Engine.GetSession(session);
        var (weights, gradients, step) = (live.AdapterWeights(), live.AdapterGradients(), live.Info.Step);
        StatusCode status;
        try
        {
            call.Send(raw, session).GetAwaiter().GetResult();
            status = StatusCode.OK;
        }
        catch (RpcException error)
        {
            status = error.StatusCode;
        }

        var serving = new Health.HealthClient(transport.Channel).Check(new HealthCheckRequest()).Status == HealthCheckResponse.Types.ServingStatus.Serving;
        var unchanged = status == StatusCode.OK
            || (step == live.Info.Step && SessionSnapshot.Identical(weights, live.AdapterWeights()) && SessionSnapshot.Identical(gradients, live.AdapterGradients()));
        Assert.True(status == StatusCode.OK || Refusals.Contains(status), $"{call}: {status}");
        Assert.True(serving, $"{call}: the server stopped serving");
        Assert.True(unchanged, $"{call}: rejected with {status} but changed the session");
        return true;
    }

    private static Gen<HostileCall> Calls() => Gen.OneOf(
        Data().Zip(Losses()).Select(pair => new HostileCall($"forward_backward {pair.Item2} {Describe(pair.Item1)}", (client, id) =>
        {
            var request = new V1.ForwardBackwardRequest { SessionId = id, Builtin = pair.Item2 };
            request.Data.AddRange(pair.Item1);
            return client.ForwardBackwardAsync(request).ResponseAsync;
        })),
        Data().Select(data => new HostileCall($"forward {Describe(data)}", (client, id) =>
        {
            var request = new V1.ForwardRequest { SessionId = id };
            request.Data.AddRange(data);
            return client.ForwardAsync(request).ResponseAsync;
        })),
        Sampling().Select(request => new HostileCall($"sample {request}", (client, id) =>
        {
            request.SessionId = id;
            return client.SampleAsync(request).ResponseAsync;
        })),
        Gen.Zip(Gen.Choose(-3, 40), Gen.Elements(-1.0, 0.0, 1e-300, 8.0, double.NaN, double.PositiveInfinity)).Select(lora => new HostileCall($"create_session rank={lora.Item1} alpha={lora.Item2}", async (client, _) =>
        {
            var created = await client.CreateSessionAsync(new V1.CreateSessionRequest { Lora = new V1.LoraConfig { Rank = lora.Item1, Alpha = lora.Item2 } });
            await client.CloseSessionAsync(new V1.CloseSessionRequest { SessionId = created.SessionId });
        })),
        Gen.Elements(double.NaN, -1.0, 0.0, 1.0, 1e308).Select(rate => new HostileCall($"optim_step lr={rate} beta1={rate}", (client, id) =>
            client.OptimStepAsync(new V1.OptimStepRequest { SessionId = id, AdamParams = new V1.AdamParams { LearningRate = rate, Beta1 = rate, Beta2 = 0.9, Eps = 1e-8 } }).ResponseAsync)),
        Gen.Elements("", "..", "../x", "a/../../b", "ok-name", new string('n', 300), "missing/one", "/abs").Select(name => new HostileCall($"load_state '{name[..Math.Min(name.Length, 20)]}'", (client, id) =>
            client.LoadStateAsync(new V1.CheckpointRequest { SessionId = id, Name = name }).ResponseAsync)),
        Gen.Elements("", "nope", new string('s', 5000), "session-00000000000000000000000000000000").Select(id => new HostileCall($"get_info id of {id.Length} chars", (client, _) =>
            client.GetInfoAsync(new V1.GetInfoRequest { SessionId = id }).ResponseAsync)));

    private static string Describe(IReadOnlyList<V1.Datum> data) => $"[{data.Count} datums: {string.Join("; ", data.Take(3))}]";

    private static Gen<V1.BuiltinLoss> Losses() =>
        Gen.Zip(
            Gen.Elements("cross_entropy", "ppo", "cispo", "dro", "importance_sampling", "", "nope"),
            Gen.ListOf(Gen.Zip(Gen.Elements("beta", "clip_low_threshold", "clip_high_threshold", "junk"), Gen.Elements(-1.0, 0.0, 0.5, 2.0, double.NaN, double.NegativeInfinity)), 3))
        .Select(pair =>
        {
            var loss = new V1.BuiltinLoss { Name = pair.Item1 };
            foreach (var (key, value) in pair.Item2)
            {
                loss.Config[key] = value;
            }

            return loss;
        });

    /// <summary>Batches that start valid and are then mutated: token ids, lengths, keys, dtypes, shapes and raw bytes.</summary>
    private static Gen<List<V1.Datum>> Data() => Gen.ListOf(Datum(), 4).Select(data => data.ToList())
        .Zip(Gen.Elements(0, 0, 0, 70, 100)).Select(pair => pair.Item1.Concat(Enumerable.Repeat(new V1.Datum(), pair.Item2)).ToList());

    private static Gen<V1.Datum> Datum() =>
        from length in Gen.Choose(0, 9)
        from token in Gen.Elements(0, 5, 47, 48, -1, int.MaxValue, int.MinValue)
        from mutation in Gen.Choose(0, 7)
        from key in Gen.Elements("target_tokens", "weights", "logprobs", "advantages", "junk", "")
        from shape in Gen.Elements<long[]>([], [3], [-1], [1L << 40], [2, 2], [long.MaxValue])
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(value => (byte)value), 13)
        from dtype in Gen.Elements(V1.DType.Unspecified, V1.DType.Float32, V1.DType.Int64, V1.DType.Float64, (V1.DType)9)
        select Mutate(length, token, mutation, key, shape, bytes, dtype);

    private static V1.Datum Mutate(int length, int token, int mutation, string key, long[] shape, byte[] bytes, V1.DType dtype)
    {
        var tokens = Enumerable.Range(0, length).Select(position => 1 + (position % 40)).ToArray();
        var datum = BatchCodec.ToWire(new Mint.Dsl.Datum(ModelInput.FromInts(tokens), new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(tokens.Select(value => (long)value + 1)),
            ["weights"] = TensorData.FromSingles(tokens.Select(_ => 1f)),
            ["logprobs"] = TensorData.FromSingles(tokens.Select(_ => -1f)),
            ["advantages"] = TensorData.FromSingles(tokens.Select(_ => 0.5f)),
        }));
        var tensor = datum.LossFnInputs.FirstOrDefault(entry => entry.Key == key)?.Tensor;
        switch (mutation)
        {
            case 1 when length > 0:
                datum.ModelInput.Chunks[0].Tokens[length / 2] = token;
                break;
            case 2:
                datum.LossFnInputs.Add(new V1.NamedTensor { Key = key, Tensor = new V1.Tensor { Dtype = dtype, Data = ByteString.CopyFrom(bytes) } });
                break;
            case 3 when tensor is not null:
                tensor.Shape.Clear();
                tensor.Shape.AddRange(shape);
                break;
            case 4 when tensor is not null:
                tensor.Dtype = dtype;
                break;
            case 5 when tensor is not null:
                tensor.Data = ByteString.CopyFrom(bytes);
                break;
            case 6:
                datum.LossFnInputs.Clear();
                break;
            case 7:
                datum.ModelInput = null;
                break;
        }

        return datum;
    }

    /// <summary>A valid sample request with one field set to a hostile value.</summary>
    private static Gen<V1.SampleRequest> Sampling() =>
        from field in Gen.Choose(0, 5)
        from samples in Gen.Elements(-1, 0, 5, 1_000_000, int.MaxValue)
        from maxTokens in Gen.Elements(-1, 0, 9, 63, int.MaxValue)
        from temperature in Gen.Elements(1e-308, double.Epsilon, 1e-7, 1e308, double.NaN, double.PositiveInfinity, -1.0)
        from topP in Gen.Elements(0.0, -0.5, 2.0, double.NaN, 1e-300)
        from topK in Gen.Elements(-1, 1, int.MaxValue)
        from prompt in Gen.Elements<int[]>([], [48], [-5, 1], Enumerable.Repeat(3, 70).ToArray())
        select new V1.SampleRequest
        {
            Prompt = BatchCodec.ToWire(ModelInput.FromInts(field == 5 ? prompt : [1, 2])),
            NumSamples = field == 0 ? samples : 2,
            SamplingParams = new V1.SamplingParams
            {
                MaxTokens = field == 1 ? maxTokens : 4,
                Temperature = field == 2 ? temperature : 1.0,
                TopP = field == 3 ? topP : 1.0,
                TopK = field == 4 ? topK : 0,
            },
        };
}

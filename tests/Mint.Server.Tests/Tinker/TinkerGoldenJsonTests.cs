using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Mint.Protocol.Tinker;
using Mint.Protocol.Tinker.Wire;

using Xunit;
using Wire = Mint.Protocol.Tinker.Wire;

namespace Mint.Server.Tests.Tinker;

/// <summary>
/// Every request our client sends and every answer our server gives, serialized from our types, equals
/// the JSON the Tinker SDK 0.22.0 sends or reads (goldens written from the SDK source; see
/// Goldens/PROVENANCE.md). Request goldens must also be accepted by the server's strict reader, and
/// answer goldens (a hosted service's, without our <c>mint_*</c> fields) by the client's reader.
/// </summary>
public sealed class TinkerGoldenJsonTests
{
    private static readonly Wire.Datum ForwardDatum = new()
    {
        ModelInput = new Wire.ModelInput { Chunks = [new ModelInputChunk { Tokens = [1, 5, 9] }] },
        LossFnInputs = new Dictionary<string, Wire.TensorData>
        {
            ["target_tokens"] = new() { Dtype = "int64", Integers = [5, 9, 13], Shape = [3] },
            ["weights"] = new() { Dtype = "float32", Floats = [0, 0, 0], Shape = [3] },
        },
    };

    private static readonly TrainingRun Run = new()
    {
        TrainingRunId = "model-1",
        BaseModel = "tiny",
        ModelOwner = "anonymous",
        IsLora = true,
        LoraRank = 8,
        LastRequestTime = new DateTimeOffset(2026, 5, 22, 12, 0, 0, TimeSpan.Zero),
    };

    public static TheoryData<string> Requests => new(Cases.Where(entry => entry.Key.EndsWith(".request", StringComparison.Ordinal)).Select(entry => entry.Key));

    public static TheoryData<string> Responses => new(Cases.Where(entry => entry.Key.EndsWith(".response", StringComparison.Ordinal)).Select(entry => entry.Key));

    private static Dictionary<string, (object Value, JsonTypeInfo Type)> Cases { get; } = new()
    {
        ["client_config.request"] = (new ClientConfigRequest { SdkVersion = "0.22.0" }, TinkerJson.Default.ClientConfigRequest),
        ["client_config.response"] = (new ClientConfigResponse(), TinkerJson.Default.ClientConfigResponse),
        ["create_session.request"] = (new CreateSessionRequest { SdkVersion = "0.22.0", UserMetadata = new Dictionary<string, JsonElement>() }, TinkerJson.Default.CreateSessionRequest),
        ["create_session.response"] = (new CreateSessionResponse { SessionId = "session-1" }, TinkerJson.Default.CreateSessionResponse),
        ["session_heartbeat.request"] = (new SessionHeartbeatRequest { SessionId = "session-1" }, TinkerJson.Default.SessionHeartbeatRequest),
        ["session_heartbeat.response"] = (new SessionHeartbeatResponse(), TinkerJson.Default.SessionHeartbeatResponse),
        ["create_model.request"] = (new CreateModelRequest
        {
            SessionId = "session-1",
            ModelSeqId = 0,
            BaseModel = "tiny",
            LoraConfig = TinkerParamsCodec.ToWire(new Mint.Dsl.LoraConfig(8, Seed: 3)),
        }, TinkerJson.Default.CreateModelRequest),
        ["create_model_sdk_defaults.request"] = (new CreateModelRequest
        {
            SessionId = "session-1",
            ModelSeqId = 0,
            BaseModel = "tiny",
            // The wire type's defaults are the SDK's: every target on, no seed.
            LoraConfig = new Wire.LoraConfig { Rank = 32 },
        }, TinkerJson.Default.CreateModelRequest),
        ["create_model_no_mlp.request"] = (new CreateModelRequest
        {
            SessionId = "session-1",
            ModelSeqId = 1,
            BaseModel = "tiny",
            LoraConfig = TinkerParamsCodec.ToWire(new Mint.Dsl.LoraConfig(8, Seed: 3) { TrainMlp = false, TrainUnembed = true }),
        }, TinkerJson.Default.CreateModelRequest),
        ["create_model.response"] = (new CreateModelResponse { ModelId = "model-1" }, TinkerJson.Default.CreateModelResponse),
        ["untyped_api_future.response"] = (new UntypedApiFuture { RequestId = "req-1", ModelId = "model-1" }, TinkerJson.Default.UntypedApiFuture),
        ["get_info.request"] = (new GetInfoRequest { ModelId = "model-1" }, TinkerJson.Default.GetInfoRequest),
        ["get_info.response"] = (new GetInfoResponse
        {
            ModelId = "model-1",
            ModelData = new ModelData { Arch = "llama", ModelName = "tiny", TokenizerId = "tiny" },
            IsLora = true,
            LoraRank = 8,
            ModelName = "tiny",
            MintVocabSize = 48,
            MintContextLength = 64,
            MintStep = 3,
            MintTrainAttn = true,
            MintTrainMlp = true,
            MintTrainUnembed = true,
        }, TinkerJson.Default.GetInfoResponse),
        ["forward.request"] = (new ForwardRequest
        {
            ForwardInput = new ForwardBackwardInput { Data = [ForwardDatum], LossFn = "cross_entropy" },
            ModelId = "model-1",
            SeqId = 1,
        }, TinkerJson.Default.ForwardRequest),
        ["forward_backward.request"] = (new ForwardBackwardRequest
        {
            ForwardBackwardInput = new ForwardBackwardInput
            {
                Data = [TinkerCodec.ToWire(new Mint.Dsl.Datum(Mint.Dsl.ModelInput.FromInts([1, 5, 9]), new Dictionary<string, Mint.Dsl.TensorData>
                {
                    ["target_tokens"] = Mint.Dsl.TensorData.FromInt64s([5, 9, 13]),
                    ["logprobs"] = Mint.Dsl.TensorData.FromSingles([-1.5f, -2.25f, -0.5f]),
                    ["advantages"] = Mint.Dsl.TensorData.FromDoubles([1, 1, 1]),
                }))],
                LossFn = "ppo",
                LossFnConfig = Mint.Dsl.LossFn.Ppo(0.9, 1.1).Config,
            },
            ModelId = "model-1",
            SeqId = 2,
        }, TinkerJson.Default.ForwardBackwardRequest),
        ["forward_backward.response"] = (TinkerResultCodec.ToWire(new Mint.Dsl.ForwardBackwardResult(
            new Dictionary<string, double> { ["loss:sum"] = 7.9375 },
            [new Dictionary<string, Mint.Dsl.TensorData> { ["logprobs"] = Mint.Dsl.TensorData.FromSingles([-3.75f, -4.125f, -0.0625f]) }])), TinkerJson.Default.ForwardBackwardOutput),
        ["optim_step.request"] = (new OptimStepRequest { AdamParams = TinkerParamsCodec.ToWire(new Mint.Dsl.AdamParams()), ModelId = "model-1", SeqId = 3 }, TinkerJson.Default.OptimStepRequest),
        ["optim_step.response"] = (TinkerResultCodec.ToWire(new Mint.Dsl.OptimStepResult(4, new Dictionary<string, double> { ["grad_norm"] = 0.5, ["learning_rate"] = 0.0001 })), TinkerJson.Default.OptimStepResponse),
        ["save_weights.request"] = (new SaveWeightsRequest { ModelId = "model-1", Path = "step-1", SeqId = 4 }, TinkerJson.Default.SaveWeightsRequest),
        ["save_weights.response"] = (new SaveWeightsResponse { Path = TinkerPaths.Format("model-1", TinkerPaths.Weights, "step-1") }, TinkerJson.Default.SaveWeightsResponse),
        ["load_weights.request"] = (new LoadWeightsRequest { ModelId = "model-1", Path = "tinker://model-1/weights/step-1", Optimizer = true, SeqId = 5 }, TinkerJson.Default.LoadWeightsRequest),
        ["load_weights.response"] = (new LoadWeightsResponse { Path = "tinker://model-1/weights/step-1" }, TinkerJson.Default.LoadWeightsResponse),
        ["load_state.request"] = (new LoadWeightsRequest { ModelId = "model-1", Path = "tinker://model-1/weights/step-1", Optimizer = false, SeqId = 5 }, TinkerJson.Default.LoadWeightsRequest),
        ["weights_info.request"] = (new WeightsInfoRequest { TinkerPath = "tinker://model-1/weights/step-1" }, TinkerJson.Default.WeightsInfoRequest),
        ["weights_info.response"] = (TinkerParamsCodec.ToWire(new Mint.Dsl.CheckpointWeightsInfo("tiny", new Mint.Dsl.LoraConfig(8))), TinkerJson.Default.WeightsInfoResponse),
        ["save_weights_for_sampler.request"] = (new SaveWeightsForSamplerRequest { ModelId = "model-1", SamplingSessionSeqId = 0, SeqId = 6 }, TinkerJson.Default.SaveWeightsForSamplerRequest),
        ["save_weights_for_sampler.response"] = (new SaveWeightsForSamplerResponse { SamplingSessionId = "sampler-1" }, TinkerJson.Default.SaveWeightsForSamplerResponse),
        ["create_sampling_session.request"] = (new CreateSamplingSessionRequest { SessionId = "session-1", SamplingSessionSeqId = 1, ModelPath = "tinker://model-1/weights/step-1" }, TinkerJson.Default.CreateSamplingSessionRequest),
        ["create_sampling_session.response"] = (new CreateSamplingSessionResponse { SamplingSessionId = "sampler-2" }, TinkerJson.Default.CreateSamplingSessionResponse),
        ["get_sampler.response"] = (new GetSamplerResponse { SamplerId = "sampler-1", BaseModel = "tiny", ModelPath = "tinker://model-1/sampler_weights/s1" }, TinkerJson.Default.GetSamplerResponse),
        ["asample.request"] = (new SampleRequest
        {
            NumSamples = 2,
            Prompt = TinkerCodec.ToWire(Mint.Dsl.ModelInput.FromInts([1, 2, 3])),
            SamplingParams = TinkerParamsCodec.ToWire(new Mint.Dsl.SamplingParams { MaxTokens = 4, Seed = 11, StopTokens = [3], Temperature = 0.8 }),
            SamplingSessionId = "sampler-1",
            SeqId = 0,
            PromptLogprobs = false,
        }, TinkerJson.Default.SampleRequest),
        ["asample.response"] = (TinkerResultCodec.ToWire(new Mint.Dsl.SampleResult(
        [
            new Mint.Dsl.SampledSequence([7, 8, 9, 10], [-0.5f, -1.25f, -2.0f, -0.75f], Mint.Dsl.StopReason.Length),
            new Mint.Dsl.SampledSequence([3], [-0.125f], Mint.Dsl.StopReason.StopToken),
        ])), TinkerJson.Default.SampleResponse),
        ["asample_prompt_logprobs.response"] = (TinkerResultCodec.ToWire(new Mint.Dsl.SampleResult(
        [
            new Mint.Dsl.SampledSequence([7], [-0.5f], Mint.Dsl.StopReason.Length),
        ])
        {
            PromptLogprobs = [null, -1.5f, -0.25f],
            TopKPromptLogprobs = [null, [new(4, -0.5f), new(1, -1.5f)], [new(9, -0.25f), new(2, -2.0f)]],
        }), TinkerJson.Default.SampleResponse),
        ["retrieve_future.request"] = (new FutureRetrieveRequest { RequestId = "req-1", AllowMetadataOnly = true }, TinkerJson.Default.FutureRetrieveRequest),
        ["try_again.response"] = (new TryAgainResponse { RequestId = "req-1", QueueState = QueueStates.PausedCapacity }, TinkerJson.Default.TryAgainResponse),
        ["request_failed.response"] = (new RequestFailedResponse
        {
            Error = "Invalid batch for loss 'ppo': datum 0, 'advantages': missing.",
            Category = ErrorCategories.User,
            MintError = new MintErrorDetail { Kind = "batch_validation" },
        }, TinkerJson.Default.RequestFailedResponse),
        ["unload_model.request"] = (new UnloadModelRequest { ModelId = "model-1" }, TinkerJson.Default.UnloadModelRequest),
        ["unload_model.response"] = (new UnloadModelResponse { ModelId = "model-1" }, TinkerJson.Default.UnloadModelResponse),
        ["healthz.response"] = (new HealthResponse(), TinkerJson.Default.HealthResponse),
        ["get_server_capabilities.response"] = (new GetServerCapabilitiesResponse { SupportedModels = [new SupportedModel { ModelName = "tiny", MaxContextLength = 64 }] }, TinkerJson.Default.GetServerCapabilitiesResponse),
        ["training_runs.response"] = (new TrainingRunsResponse
        {
            TrainingRuns = [Run],
            Cursor = new Cursor { Offset = 0, Limit = 20, TotalCount = 1 },
        }, TinkerJson.Default.TrainingRunsResponse),
        ["training_run.response"] = (Run, TinkerJson.Default.TrainingRun),
        ["checkpoints_list.response"] = (new CheckpointsListResponse
        {
            Checkpoints = [new Checkpoint
            {
                CheckpointId = "weights/step-1",
                CheckpointType = "training",
                Time = new DateTimeOffset(2026, 5, 22, 12, 0, 0, TimeSpan.Zero),
                TinkerPath = "tinker://model-1/weights/step-1",
                SizeBytes = 1024,
            }],
        }, TinkerJson.Default.CheckpointsListResponse),
    };

    [Fact]
    public void Every_golden_file_has_a_case_and_every_case_a_golden_file()
    {
        var files = Directory.GetFiles(GoldenFolder, "*.json").Select(file => Path.GetFileNameWithoutExtension(file)).Order(StringComparer.Ordinal);
        Assert.Equal(files, Cases.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Our_request_is_the_sdks_request_and_the_server_reads_the_sdks(string name)
    {
        var (value, type) = Cases[name];
        var golden = Golden(name);

        AssertSameJson(golden, JsonSerializer.SerializeToNode(value, type)!);

        // The server reads requests strictly (unknown fields refused, as the SDK's StrictBase does).
        var read = JsonSerializer.Deserialize(golden.ToJsonString(), TinkerJson.Strict.GetTypeInfo(type.Type));
        AssertSameJson(golden, JsonSerializer.SerializeToNode(read, type)!);
    }

    [Theory]
    [MemberData(nameof(Responses))]
    public void Our_answer_is_what_the_sdk_reads_and_the_client_reads_a_hosted_answer(string name)
    {
        var (value, type) = Cases[name];
        var golden = Golden(name);

        // Mint.Server's own additions (mint_*) aside, the answer is the SDK's shape field for field.
        var ours = JsonSerializer.SerializeToNode(value, type)!;
        AssertSameJson(golden, WithoutMintFields(ours));

        var read = JsonSerializer.Deserialize(golden.ToJsonString(), type);
        AssertSameJson(golden, WithoutMintFields(JsonSerializer.SerializeToNode(read, type)!));
    }

    [Theory]
    [InlineData("create_model_sdk_defaults.request", 32, 0L, true, true, true)]
    [InlineData("create_model_no_mlp.request", 8, 3L, true, false, true)]
    [InlineData("create_model.request", 8, 3L, true, true, false)]
    public void The_server_reads_the_sdks_lora_config_as_exactly_those_targets(string name, int rank, long seed, bool attention, bool mlp, bool unembed)
    {
        var request = (CreateModelRequest)JsonSerializer.Deserialize(Golden(name).ToJsonString(), TinkerJson.Strict.GetTypeInfo(typeof(CreateModelRequest)))!;
        var violations = new List<Mint.Dsl.BatchViolation>();

        var lora = TinkerParamsCodec.FromWire(request.LoraConfig, violations);

        Assert.Empty(violations);
        Assert.Equal(new Mint.Dsl.LoraConfig(rank, Seed: seed) { TrainAttention = attention, TrainMlp = mlp, TrainUnembed = unembed }, lora);
    }

    [Fact]
    public void Requests_with_fields_the_sdk_does_not_have_are_refused_by_the_server()
    {
        var error = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize("""{"model_id": "m", "type": "get_info", "verbose": true}""", TinkerJson.Strict.GetTypeInfo(typeof(GetInfoRequest))));
        Assert.Contains("verbose", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float32_values_cross_json_exactly_and_int64_values_stay_integers()
    {
        float[] values = [0.1f, -3.3333333f, 1e-30f, 16777217f, float.Epsilon, -0f];
        var wire = TinkerCodec.ToWire(Mint.Dsl.TensorData.FromSingles(values, [2, 3]));
        var json = JsonSerializer.Serialize(new ForwardBackwardInput
        {
            Data = [new Wire.Datum { ModelInput = ForwardDatum.ModelInput, LossFnInputs = new Dictionary<string, Wire.TensorData> { ["x"] = wire, ["t"] = TinkerCodec.ToWire(Mint.Dsl.TensorData.FromInt64s([long.MaxValue, -1])) } }],
            LossFn = "cross_entropy",
        }, TinkerJson.Default.ForwardBackwardInput);

        var back = Mint.Protocol.Tinker.TinkerCodec.FromWire(JsonSerializer.Deserialize(json, TinkerJson.Default.ForwardBackwardInput)!.Data, "test")[0];
        Assert.Equal(values, back.LossFnInputs["x"].ToSingles());
        Assert.Equal([2L, 3L], back.LossFnInputs["x"].Shape);
        Assert.Equal([long.MaxValue, -1L], back.LossFnInputs["t"].ToInt64s());
    }

    [Fact]
    public void A_sparse_tensor_from_the_sdk_is_read_densely()
    {
        // TensorData.from_torch_sparse: CSR values, crow and col indices of a 2-D tensor.
        const string Json = """{"data": [2.5, -1.0], "dtype": "float32", "shape": [2, 3], "sparse_crow_indices": [0, 1, 2], "sparse_col_indices": [2, 0]}""";
        var wire = JsonSerializer.Deserialize(Json, TinkerJson.Default.GetTypeInfo(typeof(Wire.TensorData))!)!;

        Assert.True(TinkerCodec.TryFromWire((Wire.TensorData)wire, out var tensor, out _));
        Assert.Equal([0f, 0f, 2.5f, -1f, 0f, 0f], tensor!.ToSingles());
    }

    private static string GoldenFolder => Path.Combine(AppContext.BaseDirectory, "Tinker", "Goldens");

    private static JsonNode Golden(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenFolder, name + ".json")))!;

    private static JsonNode WithoutMintFields(JsonNode node)
    {
        if (node is JsonObject json)
        {
            foreach (var key in json.Select(entry => entry.Key).Where(key => key.StartsWith("mint_", StringComparison.Ordinal)).ToList())
            {
                json.Remove(key);
            }

            foreach (var child in json.Select(entry => entry.Value).OfType<JsonNode>().ToList())
            {
                WithoutMintFields(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array.OfType<JsonNode>())
            {
                WithoutMintFields(child);
            }
        }

        return node;
    }

    private static void AssertSameJson(JsonNode expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\n  actual {actual.ToJsonString()}");
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Training;
using Mint.Protocol.Tinker;
using Mint.Protocol.Tinker.Wire;
using Mint.Server.Scheduling;
using Mint.Server.Security;
using Mint.Server.Sessions;
using Datum = Mint.Dsl.Datum;
using TensorData = Mint.Dsl.TensorData;

namespace Mint.Server.Http;

/// <summary>
/// Tinker's HTTP protocol (SDK 0.22.0) on Mint.Server, beside gRPC and sharing its engine queue,
/// API keys, session owners and checkpoint folders: a training model here is an engine session
/// there. Work requests answer a future at once and run in the background, one model's requests
/// in <c>seq_id</c> order; <c>retrieve_future</c> waits up to <see cref="PollWait"/> for the answer
/// and otherwise says <c>try_again</c>. See <see cref="TinkerEndpoints"/> for the routes.
/// This part holds the service, model, training and training-run routes; the checkpoint routes are
/// in <c>TinkerApi.Checkpoints.cs</c>, the sampling routes in <c>TinkerApi.Sampling.cs</c>, and how
/// every route reads, answers and refuses a request (and runs futures) in <c>TinkerApi.Requests.cs</c>.
/// </summary>
internal sealed partial class TinkerApi(
    MintEngine engine,
    EngineQueue queue,
    ApiKeys keys,
    SessionOwners owners,
    CheckpointStore checkpoints,
    TinkerFutures futures,
    SeqIdOrder order,
    TinkerSessions sessions,
    SamplerSessions samplers,
    TinkerApiSettings settings,
    ILogger<TinkerApi> logger)
{
    private readonly CancellationTokenSource stopping = new();

    private int pending;

    /// <summary>How long one <c>retrieve_future</c> waits for the answer before saying <c>try_again</c>.</summary>
    public TimeSpan PollWait => settings.PollWait;

    /// <summary>Stops waiting work (server shutdown); work already running finishes.</summary>
    public void Stop() => stopping.Cancel();

    public Task ClientConfig(HttpContext http) => Answer(http, TinkerJson.Default.ClientConfigRequest, TinkerJson.Default.ClientConfigResponse, (_, _) =>
        new ClientConfigResponse());

    public Task CreateSession(HttpContext http) => Answer(http, TinkerJson.Default.CreateSessionRequest, TinkerJson.Default.CreateSessionResponse, (caller, _) =>
        new CreateSessionResponse { SessionId = sessions.Create(caller) });

    public Task SessionHeartbeat(HttpContext http) => Answer(http, TinkerJson.Default.SessionHeartbeatRequest, TinkerJson.Default.SessionHeartbeatResponse, (caller, request) =>
    {
        RefuseLongId("session_heartbeat", "session_id", request.SessionId);
        return sessions.Owns(caller, request.SessionId) ? new SessionHeartbeatResponse() : throw new SessionNotFoundException(request.SessionId);
    });

    public Task Telemetry(HttpContext http) => Answer(http, TinkerJson.Default.DictionaryStringJsonElement, TinkerJson.Default.TelemetryResponse, (_, _) =>
        new TelemetryResponse(), strict: false);

    public async Task Healthz(HttpContext http) => await Write(http, StatusCodes.Status200OK, new HealthResponse(), TinkerJson.Default.HealthResponse).ConfigureAwait(false);

    public async Task Capabilities(HttpContext http) => await Write(http, StatusCodes.Status200OK, new GetServerCapabilitiesResponse
    {
        SupportedModels = [new SupportedModel { ModelName = engine.Model.Name, MaxContextLength = engine.Model.Config.MaxPositionEmbeddings }],
    }, TinkerJson.Default.GetServerCapabilitiesResponse).ConfigureAwait(false);

    public Task GetInfo(HttpContext http) => Answer(http, TinkerJson.Default.GetInfoRequest, TinkerJson.Default.GetInfoResponse, (caller, request) =>
    {
        RefuseLongId("get_info", "model_id", request.ModelId);
        var info = owners.Get(caller, request.ModelId).Info;
        return new GetInfoResponse
        {
            ModelId = request.ModelId,
            ModelData = new ModelData { Arch = engine.Model.Config.ModelType, ModelName = info.ModelName, TokenizerId = info.ModelName },
            IsLora = true,
            LoraRank = info.Lora.Rank,
            ModelName = info.ModelName,
            MintVocabSize = info.VocabSize,
            MintContextLength = info.ContextLength,
            MintLoraAlpha = info.Lora.Alpha,
            MintLoraSeed = info.Lora.Seed,
            MintStep = info.Step,
            MintTrainAttn = info.Lora.TrainAttention,
            MintTrainMlp = info.Lora.TrainMlp,
            MintTrainUnembed = info.Lora.TrainUnembed,
        };
    }, queued: true);

    public Task CreateModel(HttpContext http) => Submit(http, TinkerJson.Default.CreateModelRequest, "create_model", _ => null, _ => null, (caller, request) =>
    {
        RefuseLongId("create_model", "session_id", request.SessionId);
        if (!sessions.Owns(caller, request.SessionId))
        {
            throw new SessionNotFoundException(request.SessionId);
        }

        var violations = new List<BatchViolation>();
        var lora = TinkerParamsCodec.FromWire(request.LoraConfig, violations);
        if (request.BaseModel != engine.Model.Name)
        {
            violations.Add(new(null, "base_model", $"is '{request.BaseModel}'; this server serves '{engine.Model.Name}' only."));
        }

        Reject("create_model", violations);
        return () =>
        {
            // Inside the queue, as gRPC's CreateSession: creates run one at a time, so the count cannot race.
            owners.CheckRoom(caller);
            var session = engine.CreateSession(lora);
            owners.Add(session.Id, caller);
            return Json(new CreateModelResponse { ModelId = session.Id }, TinkerJson.Default.CreateModelResponse);
        };
    });

    public Task UnloadModel(HttpContext http) => Submit(http, TinkerJson.Default.UnloadModelRequest, "unload_model", request => request.ModelId, _ => null, (caller, request) => () =>
    {
        owners.Close(caller, request.ModelId);
        order.Remove(request.ModelId);
        return Json(new UnloadModelResponse { ModelId = request.ModelId }, TinkerJson.Default.UnloadModelResponse);
    });

    public Task Forward(HttpContext http) => Submit(http, TinkerJson.Default.ForwardRequest, "forward", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        var (loss, data) = Decode(request.ForwardInput);
        return () =>
        {
            var logprobs = owners.Get(caller, request.ModelId).Forward(data).Logprobs;

            // The SDK's forward reports the named loss too; its definition computes it from the log-probs.
            var computed = loss.Definition.ComputeGradient(data, logprobs);
            var metrics = new Dictionary<string, double>(computed.Metrics) { [ForwardBackwardResult.LossMetric] = computed.Loss };
            var outputs = logprobs.Select(row => (IReadOnlyDictionary<string, TensorData>)new Dictionary<string, TensorData> { ["logprobs"] = row }).ToList();
            return Json(TinkerResultCodec.ToWire(new ForwardBackwardResult(metrics, outputs)), TinkerJson.Default.ForwardBackwardOutput);
        };
    });

    public Task ForwardBackward(HttpContext http) => Submit(http, TinkerJson.Default.ForwardBackwardRequest, "forward_backward", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        var (loss, data) = Decode(request.ForwardBackwardInput);
        return () => Json(TinkerResultCodec.ToWire(owners.Get(caller, request.ModelId).ForwardBackward(data, loss)), TinkerJson.Default.ForwardBackwardOutput);
    });

    public Task OptimStep(HttpContext http) => Submit(http, TinkerJson.Default.OptimStepRequest, "optim_step", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        var adam = TinkerParamsCodec.FromWire(request.AdamParams);
        return () => Json(TinkerResultCodec.ToWire(owners.Get(caller, request.ModelId).OptimStep(adam)), TinkerJson.Default.OptimStepResponse);
    });

    public async Task TrainingRuns(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        var limit = int.TryParse(http.Request.Query["limit"], out var parsedLimit) && parsedLimit > 0 ? parsedLimit : 20;
        var offset = int.TryParse(http.Request.Query["offset"], out var parsedOffset) && parsedOffset >= 0 ? parsedOffset : 0;
        var ids = owners.Of(caller);
        var runs = await queue.RunAsync(() => ids.Skip(offset).Take(limit).Select(id => Run(caller, id)).ToList(), http.RequestAborted).ConfigureAwait(false);
        await Write(http, StatusCodes.Status200OK, new TrainingRunsResponse
        {
            TrainingRuns = runs,
            Cursor = new Cursor { Offset = offset, Limit = limit, TotalCount = ids.Count },
        }, TinkerJson.Default.TrainingRunsResponse).ConfigureAwait(false);
    }

    /// <summary>One run (the SDK's <c>RestClient.get_training_run</c> and <c>get_training_run_by_tinker_path</c>).</summary>
    public async Task GetTrainingRun(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        var modelId = (string)http.Request.RouteValues["model_id"]!;
        if (LongId("get_training_run", "model_id", modelId) is { } tooLong)
        {
            await Refuse(http, tooLong).ConfigureAwait(false);
            return;
        }

        TrainingRun run;
        try
        {
            run = await queue.RunAsync(() => Run(caller, modelId), http.RequestAborted).ConfigureAwait(false);
        }
        catch (SessionNotFoundException error)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }

        await Write(http, StatusCodes.Status200OK, run, TinkerJson.Default.TrainingRun).ConfigureAwait(false);
    }

    /// <summary>The run <paramref name="modelId"/> of <paramref name="caller"/> as the SDK's <c>TrainingRun</c>; call inside the engine queue.</summary>
    private TrainingRun Run(Caller caller, string modelId) => new()
    {
        TrainingRunId = modelId,
        BaseModel = engine.Model.Name,
        ModelOwner = caller.Id,
        IsLora = true,
        LoraRank = owners.Get(caller, modelId).Info.Lora.Rank,
        LastRequestTime = DateTimeOffset.UtcNow,
    };

    private (LossFn Loss, IReadOnlyList<Datum> Data) Decode(ForwardBackwardInput input)
    {
        var loss = LossFn.FromName(input.LossFn, input.LossFnConfig ?? new Dictionary<string, double>());
        return (loss, TinkerCodec.FromWire(input.Data, BatchValidationException.ForLoss(loss.Name), settings.MaxBodyBytes / sizeof(float)));
    }
}

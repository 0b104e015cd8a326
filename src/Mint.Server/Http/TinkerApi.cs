using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Training;
using Mint.Protocol.Errors;
using Mint.Protocol.Tinker;
using Mint.Protocol.Tinker.Wire;
using Mint.Server.Logging;
using Mint.Server.Scheduling;
using Mint.Server.Security;
using Mint.Server.Services;
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
/// </summary>
internal sealed class TinkerApi(
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

    public Task SaveWeights(HttpContext http) => Submit(http, TinkerJson.Default.SaveWeightsRequest, "save_weights", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        var violations = new List<BatchViolation>();
        if (string.IsNullOrEmpty(request.Path))
        {
            violations.Add(new(null, "path", "is missing; name the checkpoint."));
        }

        if (request.TtlSeconds is not null)
        {
            violations.Add(new(null, "ttl_seconds", "is set; checkpoints on this server do not expire: leave it out."));
        }

        Reject("save_weights", violations);
        var folder = CheckpointFolder(caller, request.Path!);
        return () =>
        {
            if (!request.Overwrite && Directory.Exists(folder))
            {
                Reject("save_weights", [new(null, "path", $"checkpoint '{request.Path}' exists; pass overwrite=True to replace it.")]);
            }

            checkpoints.Save(caller, owners.Get(caller, request.ModelId), request.Path!);
            return Json(new SaveWeightsResponse { Path = TinkerPaths.Format(request.ModelId, TinkerPaths.Weights, request.Path!) }, TinkerJson.Default.SaveWeightsResponse);
        };
    });

    public Task LoadWeights(HttpContext http) => Submit(http, TinkerJson.Default.LoadWeightsRequest, "load_weights", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        var violations = new List<BatchViolation>();
        if (request.WeightsAccessToken is not null)
        {
            violations.Add(new(null, "weights_access_token", "is set; this server reads only the caller's own checkpoints."));
        }

        var name = CheckpointName(request.Path, violations, "path");
        Reject("load_weights", violations);
        return () =>
        {
            checkpoints.Load(caller, owners.Get(caller, request.ModelId), name, withOptimizer: request.Optimizer);
            return Json(new LoadWeightsResponse { Path = request.Path }, TinkerJson.Default.LoadWeightsResponse);
        };
    });

    /// <summary>What a training checkpoint was trained as; answered at once, as the SDK's rest client expects.</summary>
    public Task WeightsInfo(HttpContext http) => Answer(http, TinkerJson.Default.WeightsInfoRequest, TinkerJson.Default.WeightsInfoResponse, (caller, request) =>
    {
        var violations = new List<BatchViolation>();
        var name = CheckpointName(request.TinkerPath, violations, "tinker_path");
        Reject("weights_info", violations);
        return TinkerParamsCodec.ToWire(checkpoints.WeightsInfo(caller, name));
    });

    public Task SaveWeightsForSampler(HttpContext http) => Submit(http, TinkerJson.Default.SaveWeightsForSamplerRequest, "save_weights_for_sampler", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        if (request.TtlSeconds is not null)
        {
            Reject("save_weights_for_sampler", [new(null, "ttl_seconds", "is set; sampler weights on this server do not expire: leave it out.")]);
        }

        if (request.Path is null)
        {
            return () => Json(new SaveWeightsForSamplerResponse { SamplingSessionId = samplers.Snapshot(caller, owners.Get(caller, request.ModelId)) }, TinkerJson.Default.SaveWeightsForSamplerResponse);
        }

        // Sampler weights are the adapters alone, in peft's layout (what gRPC's SaveWeightsForSampler writes).
        var name = StoredName(TinkerPaths.SamplerWeights, request.Path);
        CheckpointFolder(caller, name);
        return () =>
        {
            checkpoints.SaveWeightsForSampler(caller, owners.Get(caller, request.ModelId), name);
            return Json(new SaveWeightsForSamplerResponse { Path = TinkerPaths.Format(request.ModelId, TinkerPaths.SamplerWeights, request.Path) }, TinkerJson.Default.SaveWeightsForSamplerResponse);
        };
    });

    public Task CreateSamplingSession(HttpContext http) => Answer(http, TinkerJson.Default.CreateSamplingSessionRequest, TinkerJson.Default.CreateSamplingSessionResponse, (caller, request) =>
    {
        RefuseLongId("create_sampling_session", "session_id", request.SessionId);
        if (!sessions.Owns(caller, request.SessionId))
        {
            throw new SessionNotFoundException(request.SessionId);
        }

        var violations = new List<BatchViolation>();
        if ((request.ModelPath is null) == (request.BaseModel is null))
        {
            violations.Add(new(null, "model_path", "name either model_path or base_model, not both or neither."));
        }
        else if (request.BaseModel is not null && request.BaseModel != engine.Model.Name)
        {
            violations.Add(new(null, "base_model", $"is '{request.BaseModel}'; this server serves '{engine.Model.Name}' only."));
        }

        var name = request.ModelPath is null ? null : CheckpointName(request.ModelPath, violations, "model_path");
        Reject("create_sampling_session", violations);
        if (name is null)
        {
            return new CreateSamplingSessionResponse { SamplingSessionId = samplers.BaseModel(caller) };
        }

        return checkpoints.KindOf(caller, name) switch
        {
            CheckpointKind.Training => new CreateSamplingSessionResponse { SamplingSessionId = samplers.FromCheckpoint(caller, CheckpointFolder(caller, name), modelPath: request.ModelPath) },
            CheckpointKind.SamplerWeights => new CreateSamplingSessionResponse { SamplingSessionId = samplers.FromWeights(caller, checkpoints.ReadSamplerWeights(caller, name), request.ModelPath!) },
            _ => throw new CheckpointNotFoundException(request.ModelPath!),
        };
    }, queued: true);

    public Task ASample(HttpContext http) => Submit(http, TinkerJson.Default.SampleRequest, "sample", _ => null, _ => null, (caller, request) =>
    {
        RefuseLongId("sample", "sampling_session_id", request.SamplingSessionId);
        var violations = new List<BatchViolation>();
        if (request.SamplingSessionId is null || request.BaseModel is not null || request.ModelPath is not null)
        {
            violations.Add(new(null, "sampling_session_id", "name the sampling session (from create_sampling_session or save_weights_for_sampler) and neither base_model nor model_path."));
        }

        // The engine checks top-k against the vocabulary when it runs.
        var sampling = TinkerParamsCodec.FromWire(request.SamplingParams, violations) with
        {
            PromptLogprobs = request.PromptLogprobs == true,
            TopKPromptLogprobs = request.TopkPromptLogprobs,
        };
        violations.AddRange(sampling.Check().Where(violation => violation.Key == "topk_prompt_logprobs"));
        if (!TinkerCodec.TryFromWire(request.Prompt, out var prompt, out var problem))
        {
            violations.Add(new(null, "prompt", problem!));
        }

        Reject("sample", violations);
        return () => Json(TinkerResultCodec.ToWire(samplers.Get(caller, request.SamplingSessionId!).Sample(prompt!, request.NumSamples, sampling)), TinkerJson.Default.SampleResponse);
    });

    /// <summary>What a sampler samples from (the SDK's <c>SamplingClient.get_base_model()</c> and <c>get_tokenizer()</c> ask).</summary>
    public async Task GetSampler(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        var samplerId = (string)http.Request.RouteValues["sampler_id"]!;
        if (LongId("get_sampler", "sampler_id", samplerId) is { } tooLong)
        {
            await Refuse(http, tooLong).ConfigureAwait(false);
            return;
        }

        string? modelPath;
        try
        {
            modelPath = samplers.ModelPath(caller, samplerId);
        }
        catch (SessionNotFoundException error)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }

        await Write(http, StatusCodes.Status200OK, new GetSamplerResponse { SamplerId = samplerId, BaseModel = engine.Model.Name, ModelPath = modelPath }, TinkerJson.Default.GetSamplerResponse).ConfigureAwait(false);
    }

    public async Task RetrieveFuture(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        var request = caller is null ? null : await Read(http, TinkerJson.Default.FutureRetrieveRequest, strict: true).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        if (LongId("retrieve_future", "request_id", request.RequestId) is { } tooLong)
        {
            await Refuse(http, tooLong).ConfigureAwait(false);
            return;
        }

        var entry = futures.Find(caller!, request.RequestId, out var gone);
        if (entry is null)
        {
            await Write(http, gone ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound, new ErrorBody
            {
                Detail = gone ? $"The answer to request {request.RequestId} has expired; submit the request again." : $"No request {request.RequestId} exists.",
            }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
            return;
        }

        try
        {
            await entry.Completed.WaitAsync(PollWait, http.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await Write(http, StatusCodes.Status200OK, new TryAgainResponse { RequestId = entry.Id, QueueState = entry.QueueState }, TinkerJson.Default.TryAgainResponse).ConfigureAwait(false);
            return;
        }

        var answer = entry.Answer;
        if (answer is null)
        {
            await Write(http, StatusCodes.Status410Gone, new ErrorBody { Detail = $"The answer to request {request.RequestId} has expired; submit the request again." }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(answer, http.RequestAborted).ConfigureAwait(false);
    }

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

    public async Task Checkpoints(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        var modelId = (string)http.Request.RouteValues["model_id"]!;

        // Checkpoints belong to the API key here, not to a run: every run of the key lists them all.
        var found = checkpoints.List(caller).Select(checkpoint =>
        {
            var (kind, shortName) = TinkerName(checkpoint.Name);
            return new Checkpoint
            {
                CheckpointId = kind + "/" + shortName,
                CheckpointType = checkpoint.Kind == CheckpointKind.SamplerWeights ? "sampler" : "training",
                Time = checkpoint.Time,
                TinkerPath = TinkerPaths.Format(modelId, kind, shortName),
                SizeBytes = checkpoint.SizeBytes,
            };
        }).ToList();
        await Write(http, StatusCodes.Status200OK, new CheckpointsListResponse { Checkpoints = found }, TinkerJson.Default.CheckpointsListResponse).ConfigureAwait(false);
    }

    public async Task DeleteCheckpoint(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        // A catch-all segment may be empty (".../checkpoints/"): then there is no value at all.
        var checkpointId = http.Request.RouteValues["checkpoint_id"] as string ?? string.Empty;
        var slash = checkpointId.IndexOf('/', StringComparison.Ordinal);
        var kind = slash < 0 ? string.Empty : checkpointId[..slash];
        if (kind is not (TinkerPaths.Weights or TinkerPaths.SamplerWeights) || slash == checkpointId.Length - 1)
        {
            await Refuse(http, new BatchValidationException("delete_checkpoint", [new(null, "checkpoint_id", $"'{checkpointId}' is not weights/<name> or sampler_weights/<name>.")])).ConfigureAwait(false);
            return;
        }

        var name = StoredName(kind, checkpointId[(slash + 1)..]);
        try
        {
            await queue.RunAsync(() =>
            {
                checkpoints.Delete(caller, name);
                return true;
            }, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>A stored checkpoint name as Tinker's kind and name (the inverse of <see cref="StoredName"/>): <c>sampler_weights/x</c> is sampler weights <c>x</c>, anything else training weights.</summary>
    private static (string Kind, string Name) TinkerName(string stored) =>
        stored.StartsWith(TinkerPaths.SamplerWeights + "/", StringComparison.Ordinal)
            ? (TinkerPaths.SamplerWeights, stored[(TinkerPaths.SamplerWeights.Length + 1)..])
            : (TinkerPaths.Weights, stored);

    /// <summary>A request answered directly (not with a future); <paramref name="queued"/> when it touches the engine.</summary>
    private async Task Answer<TRequest, TResponse>(
        HttpContext http, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, Func<Caller, TRequest, TResponse> handle, bool queued = false, bool strict = true)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        var request = caller is null ? default : await Read(http, requestType, strict).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        TResponse response;
        try
        {
            response = queued
                ? await queue.RunAsync(() => handle(caller!, request), http.RequestAborted).ConfigureAwait(false)
                : handle(caller!, request);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }

        await Write(http, StatusCodes.Status200OK, response, responseType).ConfigureAwait(false);
    }

    /// <summary>
    /// A work request: decoded and checked now (<paramref name="prepare"/> returns the engine work),
    /// answered with a future, run in the background in the model's <c>seq_id</c> order.
    /// </summary>
    private async Task Submit<TRequest>(
        HttpContext http,
        JsonTypeInfo<TRequest> requestType,
        string operation,
        Func<TRequest, string?> modelOf,
        Func<TRequest, long?> seqOf,
        Func<Caller, TRequest, Func<byte[]>> prepare)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        var request = caller is null ? default : await Read(http, requestType, strict: true).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var modelId = modelOf(request);
        if (LongId(operation, "model_id", modelId) is { } tooLong)
        {
            await Refuse(http, tooLong).ConfigureAwait(false);
            return;
        }

        Func<byte[]>? work = null;
        Exception? early = null;
        try
        {
            if (modelId is not null)
            {
                // Unknown, or another key's: refused before any future exists (404), as gRPC answers NOT_FOUND.
                owners.Get(caller!, modelId);
            }

            work = prepare(caller!, request);
        }
        catch (SessionNotFoundException error)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }
        catch (Exception error) when (TinkerFailures.IsUserError(error))
        {
            // A bad request still gets a future, so it keeps its place in the seq_id order.
            early = error;
        }

        if (Interlocked.Increment(ref pending) > queue.Capacity + 1)
        {
            Interlocked.Decrement(ref pending);
            http.Response.Headers.RetryAfter = "1";
            await Refuse(http, new QueueFullException(queue.Capacity)).ConfigureAwait(false);
            return;
        }

        var entry = futures.Create(caller!);
        _ = Task.Run(() => RunAsync(entry, operation, modelId, seqOf(request), DatumsOf(request), work, early));
        await Write(http, StatusCodes.Status200OK, new UntypedApiFuture { RequestId = entry.Id, ModelId = modelId }, TinkerJson.Default.UntypedApiFuture).ConfigureAwait(false);
    }

    private async Task RunAsync(TinkerFutures.Entry entry, string operation, string? modelId, long? seqId, int datums, Func<byte[]>? work, Exception? early)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.OK;
        try
        {
            if (modelId is not null && seqId is { } seq)
            {
                await order.WaitTurnAsync(modelId, seq, stopping.Token).ConfigureAwait(false);
            }

            entry.Complete(early is null ? await RunQueuedAsync(entry, work!).ConfigureAwait(false) : Failed(early, out status), DateTimeOffset.UtcNow);
        }
        catch (Exception error)
        {
            if (!TinkerFailures.IsUserError(error) && error is not OperationCanceledException)
            {
                ServerLog.Failed(logger, error, "tinker:" + operation, modelId);
            }

            entry.Complete(Failed(error, out status), DateTimeOffset.UtcNow);
        }
        finally
        {
            if (modelId is not null && seqId is { } seq)
            {
                order.Done(modelId, seq);
            }

            Interlocked.Decrement(ref pending);
            ServerLog.Request(logger, status is StatusCode.OK or StatusCode.InvalidArgument ? LogLevel.Information : LogLevel.Warning,
                "tinker:" + operation, modelId ?? "-", entry.Owner.Id, datums, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>The datums a request carries, for the request log (the field gRPC's log line fills too).</summary>
    private static int DatumsOf(object? request) => request switch
    {
        ForwardRequest forward => forward.ForwardInput.Data.Count,
        ForwardBackwardRequest pass => pass.ForwardBackwardInput.Data.Count,
        _ => 0,
    };

    /// <summary>Waits for the engine; while gRPC callers keep the queue full, the future says <c>paused_capacity</c>.</summary>
    private async Task<byte[]> RunQueuedAsync(TinkerFutures.Entry entry, Func<byte[]> work)
    {
        while (true)
        {
            try
            {
                var task = queue.RunAsync(work, stopping.Token);
                entry.QueueState = QueueStates.Active;
                return await task.ConfigureAwait(false);
            }
            catch (QueueFullException)
            {
                entry.QueueState = QueueStates.PausedCapacity;
                await Task.Delay(TimeSpan.FromMilliseconds(100), stopping.Token).ConfigureAwait(false);
            }
        }
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

    private static byte[] Failed(Exception error, out StatusCode status)
    {
        var failed = TinkerFailures.Failed(error);
        status = failed.Category == ErrorCategories.User ? StatusCode.InvalidArgument : StatusCode.Internal;
        return Json(failed, TinkerJson.Default.RequestFailedResponse);
    }

    private (LossFn Loss, IReadOnlyList<Datum> Data) Decode(ForwardBackwardInput input)
    {
        var loss = LossFn.FromName(input.LossFn, input.LossFnConfig ?? new Dictionary<string, double>());
        return (loss, TinkerCodec.FromWire(input.Data, BatchValidationException.ForLoss(loss.Name), settings.MaxBodyBytes / sizeof(float)));
    }

    /// <summary>The checkpoint name in a <c>tinker://run/kind/name</c> path (or a bare name); sampler weights live under <c>sampler_weights/</c>.</summary>
    private static string CheckpointName(string path, List<BatchViolation> violations, string key)
    {
        if (!path.StartsWith(TinkerPaths.Scheme, StringComparison.Ordinal))
        {
            return path;
        }

        if (!TinkerPaths.TryParse(path, out _, out var kind, out var name))
        {
            violations.Add(new(null, key, $"'{path}' is not a tinker://<run>/weights/<name> or tinker://<run>/sampler_weights/<name> path."));
            return path;
        }

        return StoredName(kind, name);
    }

    /// <summary>
    /// Where Tinker's checkpoint <paramref name="name"/> of <paramref name="kind"/> is stored: training
    /// weights under their own name (the name gRPC uses), sampler weights under <c>sampler_weights/</c>.
    /// <see cref="TinkerName"/> is the inverse.
    /// </summary>
    private static string StoredName(string kind, string name) => kind == TinkerPaths.SamplerWeights ? kind + "/" + name : name;

    /// <summary>Where checkpoint <paramref name="name"/> of <paramref name="caller"/> lives (the folder <see cref="CheckpointStore"/> uses).</summary>
    private string CheckpointFolder(Caller caller, string name) => CheckpointNames.Resolve(Path.Combine(checkpoints.Root, caller.Id), name);

    /// <summary>
    /// A refusal for an id longer than any this server hands out, or null. The id is not echoed: it
    /// could be megabytes, and would come back in the answer and the log.
    /// </summary>
    private static BatchValidationException? LongId(string operation, string key, string? id) => id?.Length > TrainingService.MaxSessionIdLength
        ? new BatchValidationException(operation, [new(null, key, $"is {id.Length} characters; ids on this server have at most {TrainingService.MaxSessionIdLength}.")])
        : null;

    private static void RefuseLongId(string operation, string key, string? id)
    {
        if (LongId(operation, key, id) is { } tooLong)
        {
            throw tooLong;
        }
    }

    private static void Reject(string operation, List<BatchViolation> violations)
    {
        if (violations.Count > 0)
        {
            throw new BatchValidationException(operation, violations);
        }
    }

    private async Task<Caller?> Authenticate(HttpContext http)
    {
        if (!keys.Required)
        {
            return Caller.Anonymous;
        }

        string? key = http.Request.Headers[TinkerRoutes.ApiKeyHeader];
        string? authorization = http.Request.Headers.Authorization;
        if (key is null && authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
        {
            key = authorization["Bearer ".Length..].Trim();
        }

        var caller = key is null ? null : keys.Find(key);
        if (caller is null)
        {
            var reason = key is null ? $"Missing API key: send the header '{TinkerRoutes.ApiKeyHeader}: <key>'." : "Invalid API key.";
            ServerLog.Unauthenticated(logger, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "-", reason);
            await Write(http, StatusCodes.Status401Unauthorized, new ErrorBody { Detail = reason }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
        }

        return caller;
    }

    private async Task<T?> Read<T>(HttpContext http, JsonTypeInfo<T> type, bool strict)
    {
        // Kestrel's own body limit is off for the gRPC port's sake (see MintServer); each Tinker request sets its own.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = settings.MaxBodyBytes;
        }

        try
        {
            var info = strict ? (JsonTypeInfo<T>)TinkerJson.Strict.GetTypeInfo(typeof(T)) : type;
            var value = await JsonSerializer.DeserializeAsync(http.Request.Body, info, http.RequestAborted).ConfigureAwait(false);
            if (value is not null)
            {
                return value;
            }
        }
        catch (JsonException error)
        {
            await Write(http, StatusCodes.Status400BadRequest, new ErrorBody { Detail = "The request body is not valid for this route: " + ErrorTrailer.Cut(error.Message, ErrorTrailer.MaxFieldLength) }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
            return default;
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Write(http, StatusCodes.Status413PayloadTooLarge, new ErrorBody
            {
                Detail = $"The request body is larger than {settings.MaxBodyBytes} bytes, the limit max_message_bytes (--max-message-mb).",
                MintError = new MintErrorDetail { Kind = "invalid_argument" },
            }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
            return default;
        }

        await Write(http, StatusCodes.Status400BadRequest, new ErrorBody { Detail = "The request body is empty." }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
        return default;
    }

    private Task Refuse(HttpContext http, Exception error)
    {
        var (status, body) = TinkerFailures.Refused(error);
        if (status == StatusCodes.Status500InternalServerError)
        {
            ServerLog.Failed(logger, error, "tinker:" + http.Request.Path, null);
        }

        return Write(http, status, body, TinkerJson.Default.ErrorBody);
    }

    private static async Task Write<T>(HttpContext http, int status, T value, JsonTypeInfo<T> type)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, value, type, http.RequestAborted).ConfigureAwait(false);
    }

    private static byte[] Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);
}

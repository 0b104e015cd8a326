using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mint.Dsl;
using Mint.Protocol.Tinker;
using Mint.Protocol.Tinker.Wire;
using AdamParams = Mint.Dsl.AdamParams;
using Datum = Mint.Dsl.Datum;
using LoraConfig = Mint.Dsl.LoraConfig;
using ModelInput = Mint.Dsl.ModelInput;
using SamplingParams = Mint.Dsl.SamplingParams;
using TensorData = Mint.Dsl.TensorData;

namespace Mint.Client.Transport.Tinker;

/// <summary>
/// Talks Tinker's HTTP protocol (SDK 0.22.0): to hosted MinT/Tinker services, or to Mint.Server's
/// <c>--http-port</c>. A training session here is a Tinker model; the client opens one Tinker
/// session on first use and keeps it alive with heartbeats. Work requests return futures, polled to
/// their answer; a model's requests carry <c>seq_id</c> 1, 2, 3, … in call order so the service runs
/// them in that order. Custom losses take the two-pass path (<c>forward</c>, then a weighted
/// <c>cross_entropy</c>) as the Python SDK's <c>forward_backward_custom</c> does. Sampling saves the
/// current weights for a sampler (<c>save_weights_for_sampler</c>) once per weight change, then
/// samples from it. Failures surface as the exceptions the other transports throw. Cancelling stops
/// waiting; a request the service already accepted may still run. Thread-safe.
/// </summary>
public sealed class TinkerTransport : ITrainingTransport
{
    private readonly TinkerConnection connection;
    private readonly TinkerTransportOptions options;
    private readonly SemaphoreSlim sessionGate = new(1, 1);
    private readonly ConcurrentDictionary<string, ModelState> models = new();
    private readonly ConcurrentDictionary<string, byte> samplingSessions = new();
    private readonly ConcurrentDictionary<string, string> savedSamplerPaths = new();
    private readonly CancellationTokenSource closing = new();
    private string? sessionId;
    private Task? heartbeat;
    private long modelSeqId;
    private long samplingSessionSeqId;
    private long sampleSeqId;

    /// <summary>Connects as <paramref name="options"/> say. No request is made until the first call.</summary>
    public TinkerTransport(TinkerTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseUrl = options.BaseUrl.AbsoluteUri.EndsWith('/') ? options.BaseUrl : new Uri(options.BaseUrl.AbsoluteUri + "/");
        this.options = options with { BaseUrl = baseUrl };
        connection = new TinkerConnection(this.options);
    }

    /// <summary>The service requests go to.</summary>
    public Uri BaseUrl => options.BaseUrl;

    /// <inheritdoc />
    public async Task<string> CreateSessionAsync(LoraConfig lora, CancellationToken cancellationToken)
    {
        // The engine's own check, so a bad config fails here exactly as it does in-process.
        var problems = lora.Check();
        if (problems.Count > 0)
        {
            throw new BatchValidationException(LoraConfig.Operation, problems);
        }

        var wireLora = TinkerParamsCodec.ToWire(lora);
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        var baseModel = options.BaseModel ?? await OnlyModelAsync(cancellationToken).ConfigureAwait(false);
        var created = await connection.RunAsync(TinkerRoutes.CreateModel, new CreateModelRequest
        {
            SessionId = session,
            ModelSeqId = Interlocked.Increment(ref modelSeqId) - 1,
            BaseModel = baseModel,
            LoraConfig = wireLora,
        }, TinkerJson.Default.CreateModelRequest, TinkerJson.Default.CreateModelResponse, "CreateModel", cancellationToken).ConfigureAwait(false);
        return created.ModelId;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken)
    {
        const int Page = 100;
        var ids = new List<string>();
        for (var offset = 0; ; offset += Page)
        {
            var page = await connection.GetAsync($"{TinkerRoutes.TrainingRuns}?limit={Page}&offset={offset}", TinkerJson.Default.TrainingRunsResponse, cancellationToken).ConfigureAwait(false);
            ids.AddRange(page.TrainingRuns.Select(run => run.TrainingRunId));
            if (page.TrainingRuns.Count == 0 || ids.Count >= page.Cursor.TotalCount)
            {
                return ids;
            }
        }
    }

    /// <inheritdoc />
    public async Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        // The protocol has no call that closes a sampling session: the service drops it with the client's session.
        if (samplingSessions.TryRemove(sessionId, out _))
        {
            return;
        }

        await connection.RunAsync(TinkerRoutes.UnloadModel, new UnloadModelRequest { ModelId = sessionId },
            TinkerJson.Default.UnloadModelRequest, TinkerJson.Default.UnloadModelResponse, "UnloadModel", cancellationToken).ConfigureAwait(false);
        models.TryRemove(sessionId, out _);
    }

    /// <inheritdoc />
    public async Task<ModelInfo> GetInfoAsync(string sessionId, CancellationToken cancellationToken)
    {
        var info = await connection.PostAsync(TinkerRoutes.GetInfo, new GetInfoRequest { ModelId = sessionId },
            TinkerJson.Default.GetInfoRequest, TinkerJson.Default.GetInfoResponse, cancellationToken).ConfigureAwait(false);

        // The mint_* fields are Mint.Server's; a hosted service leaves them out (0 where unknown,
        // and LoraConfig's default targets).
        var defaults = new LoraConfig();
        return new ModelInfo(
            info.ModelData.ModelName ?? info.ModelName ?? string.Empty,
            info.MintVocabSize ?? 0,
            info.MintContextLength ?? 0,
            new LoraConfig(info.LoraRank ?? 0, info.MintLoraAlpha, info.MintLoraSeed ?? 0)
            {
                TrainAttention = info.MintTrainAttn ?? defaults.TrainAttention,
                TrainMlp = info.MintTrainMlp ?? defaults.TrainMlp,
                TrainUnembed = info.MintTrainUnembed ?? defaults.TrainUnembed,
            },
            info.MintStep ?? Model(sessionId).Steps);
    }

    /// <inheritdoc />
    public async Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, CancellationToken cancellationToken)
    {
        RefuseMultiTarget(data);
        var model = Model(sessionId);
        var output = await connection.RunAsync(TinkerRoutes.Forward, new ForwardRequest
        {
            // As the SDK's forward_backward_custom does: cross_entropy with zero weights where none are given.
            ForwardInput = new ForwardBackwardInput { Data = data.Select(ForLogprobs).ToList(), LossFn = LossFn.CrossEntropy.Name },
            ModelId = sessionId,
            SeqId = model.NextSeqId(),
        }, TinkerJson.Default.ForwardRequest, TinkerJson.Default.ForwardBackwardOutput, "Forward", cancellationToken).ConfigureAwait(false);
        return TinkerResultCodec.ToForwardResult(output);
    }

    /// <inheritdoc />
    public async Task<ForwardBackwardResult> ForwardBackwardAsync(string sessionId, IReadOnlyList<Datum> data, LossFn lossFn, CancellationToken cancellationToken)
    {
        var model = Model(sessionId);
        var output = await connection.RunAsync(TinkerRoutes.ForwardBackward, new ForwardBackwardRequest
        {
            ForwardBackwardInput = new ForwardBackwardInput
            {
                Data = data.Select(TinkerCodec.ToWire).ToList(),
                LossFn = lossFn.Name,
                LossFnConfig = lossFn.Config.Count == 0 ? null : lossFn.Config.ToDictionary(entry => entry.Key, entry => entry.Value),
            },
            ModelId = sessionId,
            SeqId = model.NextSeqId(),
        }, TinkerJson.Default.ForwardBackwardRequest, TinkerJson.Default.ForwardBackwardOutput, "ForwardBackward", cancellationToken).ConfigureAwait(false);
        return TinkerResultCodec.FromWire(output);
    }

    /// <inheritdoc />
    public async Task<OptimStepResult> OptimStepAsync(string sessionId, AdamParams adamParams, CancellationToken cancellationToken)
    {
        var model = Model(sessionId);
        var response = await connection.RunAsync(TinkerRoutes.OptimStep, new OptimStepRequest
        {
            AdamParams = TinkerParamsCodec.ToWire(adamParams),
            ModelId = sessionId,
            SeqId = model.NextSeqId(),
        }, TinkerJson.Default.OptimStepRequest, TinkerJson.Default.OptimStepResponse, "OptimStep", cancellationToken).ConfigureAwait(false);
        var result = TinkerResultCodec.FromWire(response, model.Steps + 1);
        model.Stepped(result.Step);
        return result;
    }

    /// <inheritdoc />
    public async Task<SampleResult> SampleAsync(string sessionId, ModelInput prompt, int numSamples, SamplingParams samplingParams, CancellationToken cancellationToken)
    {
        var sampler = samplingSessions.ContainsKey(sessionId) ? sessionId : await SamplerAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var response = await connection.RunAsync(TinkerRoutes.ASample, new SampleRequest
        {
            NumSamples = numSamples,
            Prompt = TinkerCodec.ToWire(prompt),
            SamplingParams = TinkerParamsCodec.ToWire(samplingParams),
            SamplingSessionId = sampler,
            SeqId = Interlocked.Increment(ref sampleSeqId) - 1,
            PromptLogprobs = samplingParams.PromptLogprobs ? true : null,
            TopkPromptLogprobs = samplingParams.TopKPromptLogprobs,
        }, TinkerJson.Default.SampleRequest, TinkerJson.Default.SampleResponse, "Sample", cancellationToken).ConfigureAwait(false);
        return TinkerResultCodec.FromWire(response);
    }

    /// <inheritdoc />
    public async Task SaveStateAsync(string sessionId, string name, CancellationToken cancellationToken)
    {
        var model = Model(sessionId);
        await connection.RunAsync(TinkerRoutes.SaveWeights, new SaveWeightsRequest
        {
            ModelId = sessionId,
            Path = name,
            SeqId = model.NextSeqId(),

            // The other transports replace a checkpoint of the same name.
            Overwrite = true,
        }, TinkerJson.Default.SaveWeightsRequest, TinkerJson.Default.SaveWeightsResponse, "SaveWeights", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Restores adapters and optimizer state (<c>load_state_with_optimizer</c>). <paramref name="name"/>
    /// is a checkpoint name of this session's run, or a full <c>tinker://run/weights/name</c> path.
    /// </summary>
    public Task LoadStateAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        LoadAsync(sessionId, name, withOptimizer: true, cancellationToken);

    /// <summary>
    /// Restores the adapters alone and restarts the optimizer (<c>load_state</c>). <paramref name="name"/>
    /// is a checkpoint name of this session's run, or a full <c>tinker://run/weights/name</c> path.
    /// </summary>
    public Task LoadWeightsAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        LoadAsync(sessionId, name, withOptimizer: false, cancellationToken);

    /// <summary>
    /// What the training checkpoint at <paramref name="name"/> was trained as (<c>weights_info</c>);
    /// <paramref name="name"/> must be a full <c>tinker://run/weights/name</c> path, since no session names the run.
    /// </summary>
    public async Task<CheckpointWeightsInfo> GetWeightsInfoAsync(string name, CancellationToken cancellationToken)
    {
        if (!name.StartsWith(TinkerPaths.Scheme, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a tinker:// path; over Tinker's protocol a checkpoint outside a session is named by its full tinker://<run>/weights/<name> path.", nameof(name));
        }

        var info = await connection.PostAsync(TinkerRoutes.WeightsInfo, new WeightsInfoRequest { TinkerPath = name },
            TinkerJson.Default.WeightsInfoRequest, TinkerJson.Default.WeightsInfoResponse, cancellationToken).ConfigureAwait(false);
        return TinkerParamsCodec.FromWire(info);
    }

    /// <summary>
    /// Saves the adapters alone as sampler weights <paramref name="name"/> (<c>save_weights_for_sampler</c>
    /// with a path); the service names them <c>tinker://&lt;run&gt;/sampler_weights/&lt;name&gt;</c>, the path
    /// the Python SDK's <c>create_sampling_client(model_path=…)</c> takes.
    /// </summary>
    public async Task SaveWeightsForSamplerAsync(string sessionId, string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var model = Model(sessionId);
        var saved = await connection.RunAsync(TinkerRoutes.SaveWeightsForSampler, new SaveWeightsForSamplerRequest
        {
            ModelId = sessionId,
            Path = name,
            SeqId = model.NextSeqId(),
        }, TinkerJson.Default.SaveWeightsForSamplerRequest, TinkerJson.Default.SaveWeightsForSamplerResponse, "SaveWeightsForSampler", cancellationToken).ConfigureAwait(false);
        savedSamplerPaths[name] = saved.Path ?? TinkerPaths.Format(sessionId, TinkerPaths.SamplerWeights, name);
    }

    /// <summary>
    /// Opens a sampling session over saved sampler weights (<c>create_sampling_session</c> with a
    /// <c>model_path</c>): <paramref name="name"/> is a <c>tinker://&lt;run&gt;/sampler_weights/&lt;name&gt;</c>
    /// path, or a name this client saved with <see cref="SaveWeightsForSamplerAsync"/>. Closing it only
    /// forgets it (the protocol has no such call).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is neither.</exception>
    public async Task<string> CreateSessionFromSamplerWeightsAsync(string name, CancellationToken cancellationToken)
    {
        var path = name.StartsWith(TinkerPaths.Scheme, StringComparison.Ordinal) ? name
            : savedSamplerPaths.TryGetValue(name, out var saved) ? saved
            : throw new ArgumentException($"'{name}' is not sampler weights this client saved; over Tinker's protocol name others by their tinker://<run>/sampler_weights/<name> path.", nameof(name));
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        var created = await connection.PostAsync(TinkerRoutes.CreateSamplingSession, new CreateSamplingSessionRequest
        {
            SessionId = session,
            SamplingSessionSeqId = Interlocked.Increment(ref samplingSessionSeqId) - 1,
            ModelPath = path,
        }, TinkerJson.Default.CreateSamplingSessionRequest, TinkerJson.Default.CreateSamplingSessionResponse, cancellationToken).ConfigureAwait(false);
        samplingSessions[created.SamplingSessionId] = 0;
        return created.SamplingSessionId;
    }

    /// <summary>
    /// Deletes a checkpoint named by its full path, <c>tinker://&lt;run&gt;/weights/&lt;name&gt;</c> or
    /// <c>tinker://&lt;run&gt;/sampler_weights/&lt;name&gt;</c> (checkpoints belong to a run on Tinker).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not such a path.</exception>
    public async Task DeleteCheckpointAsync(string name, CancellationToken cancellationToken)
    {
        if (!TinkerPaths.TryParse(name, out var run, out var kind, out var checkpoint))
        {
            throw new ArgumentException($"'{name}' is not a checkpoint path: over Tinker's protocol name it as tinker://<run>/weights/<name> or tinker://<run>/sampler_weights/<name>.", nameof(name));
        }

        var segments = string.Join('/', checkpoint.Split('/').Select(Uri.EscapeDataString));
        await connection.DeleteAsync($"{TinkerRoutes.Prefix}training_runs/{Uri.EscapeDataString(run)}/checkpoints/{kind}/{segments}", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync().ConfigureAwait(false);
        if (heartbeat is not null)
        {
            await heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        connection.Dispose();
        closing.Dispose();
        sessionGate.Dispose();
    }

    /// <summary>
    /// Tinker's forward computes a built-in loss (cross_entropy) beside the log-probs, and built-ins read
    /// one target per position: multi-target <c>target_tokens [T, K]</c> is refused here, before sending,
    /// rather than by the server under the built-in's name.
    /// </summary>
    private static void RefuseMultiTarget(IReadOnlyList<Datum> data)
    {
        var violations = new List<BatchViolation>();
        for (var index = 0; index < data.Count; index++)
        {
            if (data[index]?.LossFnInputs.TryGetValue("target_tokens", out var targets) == true && targets?.Shape is [var length, > 1 and var candidates])
            {
                violations.Add(new(index, "target_tokens", $"shape is [{length}, {candidates}]: Tinker's HTTP forward computes cross_entropy, which reads one target per position; "
                    + "multi-target log-probs (and losses declared [TargetLogprobs(Rank = InputRank.KPerToken)]) need the embedded or gRPC transport."));
            }
        }

        if (violations.Count > 0)
        {
            throw new BatchValidationException("forward", violations);
        }
    }

    /// <summary>The target tokens and weights a forward needs (zero weights when the datum has none).</summary>
    private static Protocol.Tinker.Wire.Datum ForLogprobs(Datum datum)
    {
        var targets = datum.LossFnInputs["target_tokens"];
        var weights = datum.LossFnInputs.TryGetValue("weights", out var given) ? given : TensorData.FromSingles(new float[targets.Count], targets.Shape.ToArray());
        return TinkerCodec.ToWire(new Datum(datum.ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = targets, ["weights"] = weights }));
    }

    private ModelState Model(string sessionId) => models.GetOrAdd(sessionId, _ => new ModelState());

    /// <summary><c>load_weights</c>, with or without the optimizer state; the model's weights changed, so its sampler is made again.</summary>
    private async Task LoadAsync(string sessionId, string name, bool withOptimizer, CancellationToken cancellationToken)
    {
        var model = Model(sessionId);
        await connection.RunAsync(TinkerRoutes.LoadWeights, new LoadWeightsRequest
        {
            ModelId = sessionId,
            Path = WeightsPath(sessionId, name),
            Optimizer = withOptimizer,
            SeqId = model.NextSeqId(),
        }, TinkerJson.Default.LoadWeightsRequest, TinkerJson.Default.LoadWeightsResponse, "LoadWeights", cancellationToken).ConfigureAwait(false);
        model.Loaded();
    }

    /// <summary>A training checkpoint's path: <paramref name="name"/> itself when it is a <c>tinker://</c> path, else that name in this session's run.</summary>
    private static string WeightsPath(string sessionId, string name) =>
        name.StartsWith(TinkerPaths.Scheme, StringComparison.Ordinal) ? name : TinkerPaths.Format(sessionId, TinkerPaths.Weights, name);

    /// <summary>A sampler over the model's current weights, made once per change of weights.</summary>
    private async Task<string> SamplerAsync(string sessionId, CancellationToken cancellationToken)
    {
        var model = Model(sessionId);
        var version = model.WeightsVersion;
        if (model.Sampler is { } cached && cached.Version == version)
        {
            return cached.Id;
        }

        var saved = await connection.RunAsync(TinkerRoutes.SaveWeightsForSampler, new SaveWeightsForSamplerRequest
        {
            ModelId = sessionId,
            SamplingSessionSeqId = Interlocked.Increment(ref samplingSessionSeqId) - 1,
            SeqId = model.NextSeqId(),
        }, TinkerJson.Default.SaveWeightsForSamplerRequest, TinkerJson.Default.SaveWeightsForSamplerResponse, "SaveWeightsForSampler", cancellationToken).ConfigureAwait(false);
        var id = saved.SamplingSessionId ?? throw new FormatException("save_weights_for_sampler answered no sampling_session_id.");
        model.Sampler = (version, id);
        return id;
    }

    /// <summary>The Tinker session, created on first use, then kept alive by heartbeats until disposal.</summary>
    private async Task<string> SessionAsync(CancellationToken cancellationToken)
    {
        if (sessionId is not null)
        {
            return sessionId;
        }

        await sessionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (sessionId is null)
            {
                var created = await connection.PostAsync(TinkerRoutes.CreateSession, new CreateSessionRequest
                {
                    SdkVersion = "mint-dotnet",
                    UserMetadata = new Dictionary<string, System.Text.Json.JsonElement>(),
                }, TinkerJson.Default.CreateSessionRequest, TinkerJson.Default.CreateSessionResponse, cancellationToken).ConfigureAwait(false);
                sessionId = created.SessionId;
                heartbeat = HeartbeatAsync(created.SessionId, closing.Token);
            }

            return sessionId;
        }
        finally
        {
            sessionGate.Release();
        }
    }

    private async Task HeartbeatAsync(string session, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, options.TimeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await connection.PostAsync(TinkerRoutes.SessionHeartbeat, new SessionHeartbeatRequest { SessionId = session },
                    TinkerJson.Default.SessionHeartbeatRequest, TinkerJson.Default.SessionHeartbeatResponse, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is MintException or FormatException)
            {
                // Best effort, as in the SDK: a missed heartbeat is retried at the next tick.
            }
        }
    }

    private async Task<string> OnlyModelAsync(CancellationToken cancellationToken)
    {
        var capabilities = await connection.GetAsync(TinkerRoutes.ServerCapabilities, TinkerJson.Default.GetServerCapabilitiesResponse, cancellationToken).ConfigureAwait(false);
        var names = capabilities.SupportedModels.Select(model => model.ModelName).OfType<string>().ToList();
        return names.Count == 1
            ? names[0]
            : throw new InvalidOperationException($"The service offers {names.Count} base models ({string.Join(", ", names)}); set TinkerTransportOptions.BaseModel to one of them.");
    }

    /// <summary>What the client tracks per model: its next <c>seq_id</c>, steps, and the sampler of its current weights.</summary>
    private sealed class ModelState
    {
        private long seqId;
        private long steps;
        private long weightsVersion;

        public long Steps => Interlocked.Read(ref steps);

        public long WeightsVersion => Interlocked.Read(ref weightsVersion);

        public (long Version, string Id)? Sampler { get; set; }

        /// <summary>1, 2, 3, …: the SDK's numbering (its request id + 1).</summary>
        public long NextSeqId() => Interlocked.Increment(ref seqId);

        public void Stepped(long step)
        {
            Interlocked.Exchange(ref steps, step);
            Interlocked.Increment(ref weightsVersion);
        }

        public void Loaded() => Interlocked.Increment(ref weightsVersion);
    }
}

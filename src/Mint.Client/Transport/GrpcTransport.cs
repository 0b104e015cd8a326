using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Net.Client;
using Mint.Dsl;
using Mint.Dsl.Graphs;
using Mint.Protocol.Conversion;
using V1 = Mint.Protocol.V1;

namespace Mint.Client.Transport;

/// <summary>
/// Talks to a <c>Mint.Server</c> over gRPC (HTTP/2). Built-in losses run on the server, and so do
/// custom losses that lower to a loss graph (registered once per session); other custom losses take
/// two ordinary calls (forward, then weighted cross-entropy). Failed calls
/// surface as the exceptions the embedded engine throws (<see cref="BatchValidationException"/>,
/// <see cref="Mint.Engine.Training.SessionNotFoundException"/>, <see cref="Mint.Engine.Training.CheckpointException"/>)
/// or as <see cref="MintServerException"/> subclasses; a cancelled call throws
/// <see cref="OperationCanceledException"/>. A call refused because the server's queue was full is
/// retried with backoff as <see cref="GrpcTransportOptions.Retry"/> says. Thread-safe: calls may run concurrently.
/// </summary>
public sealed class GrpcTransport : ITrainingTransport
{
    private readonly GrpcChannel channel;
    private readonly V1.Training.TrainingClient client;
    private readonly Metadata headers = [];
    private readonly RetryPolicy retry;

    // Registered loss ids by session and graph (graphs are one instance per generated loss type).
    private readonly ConcurrentDictionary<(string SessionId, LossGraph Graph), string> registered = new();
    private volatile bool serverLacksLossGraphs;

    /// <summary>Connects to <paramref name="serverUrl"/>, presenting <paramref name="apiKey"/> when given.</summary>
    public GrpcTransport(Uri serverUrl, string? apiKey = null)
        : this(new GrpcTransportOptions { ServerUrl = serverUrl, ApiKey = apiKey })
    {
    }

    /// <summary>Connects as <paramref name="options"/> say. No call is made until the first request.</summary>
    public GrpcTransport(GrpcTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.Check();
        retry = options.Retry;
        channel = GrpcChannel.ForAddress(options.ServerUrl, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = options.MaxMessageBytes,
            MaxSendMessageSize = options.MaxMessageBytes,
            HttpHandler = options.HttpHandler ?? new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                // Validation failures list every violation in a trailer; allow large ones (in KiB).
                MaxResponseHeadersLength = 64 * 1024,
                // A long engine call leaves the connection silent; pings keep middleboxes from dropping it.
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            },
            DisposeHttpClient = true,
            ThrowOperationCanceledOnCancellation = true,
        });
        client = new V1.Training.TrainingClient(channel);
        if (options.ApiKey is not null)
        {
            headers.Add("authorization", "Bearer " + options.ApiKey);
        }

        ServerUrl = options.ServerUrl;
    }

    /// <summary>The server calls go to.</summary>
    public Uri ServerUrl { get; }

    /// <summary>The channel, for calls outside the training service (e.g. gRPC health checks).</summary>
    public ChannelBase Channel => channel;

    /// <inheritdoc />
    public async Task<string> CreateSessionAsync(LoraConfig lora, CancellationToken cancellationToken)
    {
        // The engine's own check, so a bad config fails here exactly as it does in-process.
        var problems = lora.Check();
        if (problems.Count > 0)
        {
            throw new BatchValidationException(LoraConfig.Operation, problems);
        }

        return await Call(
            options => client.CreateSessionAsync(new V1.CreateSessionRequest { Lora = ParamsCodec.ToWire(lora) }, options),
            response => response.SessionId,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken) => Call(
        options => client.ListSessionsAsync(new V1.ListSessionsRequest(), options),
        response => (IReadOnlyList<string>)response.SessionIds.ToList(),
        cancellationToken);

    /// <inheritdoc />
    public async Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        await Call(options => client.CloseSessionAsync(new V1.CloseSessionRequest { SessionId = sessionId }, options), _ => true, cancellationToken).ConfigureAwait(false);
        foreach (var key in registered.Keys.Where(key => key.SessionId == sessionId))
        {
            registered.TryRemove(key, out _);
        }
    }

    /// <inheritdoc />
    public Task<ModelInfo> GetInfoAsync(string sessionId, CancellationToken cancellationToken) => Call(
        options => client.GetInfoAsync(new V1.GetInfoRequest { SessionId = sessionId }, options),
        ResultCodec.FromWire,
        cancellationToken);

    /// <inheritdoc />
    public Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, CancellationToken cancellationToken) =>
        ForwardAsync(sessionId, data, new ForwardOptions(), cancellationToken);

    /// <inheritdoc />
    public Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, ForwardOptions options, CancellationToken cancellationToken)
    {
        var request = new V1.ForwardRequest { SessionId = sessionId, TopKLogprobs = options.TopKLogprobs };
        request.Data.AddRange(data.Select(BatchCodec.ToWire));
        return Call(options => client.ForwardAsync(request, options), ResultCodec.FromWire, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ForwardBackwardResult> ForwardBackwardAsync(string sessionId, IReadOnlyList<Datum> data, LossFn lossFn, CancellationToken cancellationToken)
    {
        var loss = new V1.BuiltinLoss { Name = lossFn.Name };
        loss.Config.Add(lossFn.Config.ToDictionary(entry => entry.Key, entry => entry.Value));
        var request = new V1.ForwardBackwardRequest { SessionId = sessionId, Builtin = loss };
        request.Data.AddRange(data.Select(BatchCodec.ToWire));
        return Call(options => client.ForwardBackwardAsync(request, options), ResultCodec.FromWire, cancellationToken);
    }

    /// <summary>
    /// Runs a custom loss on the server inside its forward/backward pass: its loss graph is registered
    /// with the session on first use (one extra call, once), then every call names it. Throws
    /// <see cref="InEngineLossUnavailableException"/> when the loss has no graph or the server does
    /// not accept loss graphs.
    /// </summary>
    public async Task<ForwardBackwardResult> ForwardBackwardInEngineAsync(string sessionId, IReadOnlyList<Datum> data, LossDefinition loss, CancellationToken cancellationToken)
    {
        var graph = loss.Graph
            ?? throw new InEngineLossUnavailableException(loss.Name, "its body does not lower to a loss graph (diagnostic MINT018 names the expressions), so a server cannot run it");
        if (serverLacksLossGraphs)
        {
            throw new InEngineLossUnavailableException(loss.Name, $"the server at {ServerUrl} does not accept loss graphs");
        }

        if (!registered.TryGetValue((sessionId, graph), out var lossId))
        {
            lossId = await RegisterAsync(sessionId, loss.Name, graph, cancellationToken).ConfigureAwait(false);
            registered[(sessionId, graph)] = lossId;
        }

        var wire = new V1.RegisteredLoss { LossId = lossId };
        wire.Config.Add(loss.Config.ToDictionary(entry => entry.Key, entry => entry.Value));
        var request = new V1.ForwardBackwardRequest { SessionId = sessionId, Registered = wire };
        request.Data.AddRange(data.Select(BatchCodec.ToWire));
        return await Call(options => client.ForwardBackwardAsync(request, options), ResultCodec.FromWire, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<OptimStepResult> OptimStepAsync(string sessionId, AdamParams adamParams, CancellationToken cancellationToken) => Call(
        options => client.OptimStepAsync(new V1.OptimStepRequest { SessionId = sessionId, AdamParams = ParamsCodec.ToWire(adamParams) }, options),
        ResultCodec.FromWire,
        cancellationToken);

    /// <inheritdoc />
    public Task<SampleResult> SampleAsync(string sessionId, ModelInput prompt, int numSamples, SamplingParams samplingParams, CancellationToken cancellationToken) => Call(
        options => client.SampleAsync(
            new V1.SampleRequest
            {
                SessionId = sessionId,
                Prompt = BatchCodec.ToWire(prompt),
                NumSamples = numSamples,
                SamplingParams = ParamsCodec.ToWire(samplingParams),
            },
            options),
        ResultCodec.FromWire,
        cancellationToken);

    /// <inheritdoc />
    public Task SaveStateAsync(string sessionId, string name, CancellationToken cancellationToken) => Call(
        options => client.SaveStateAsync(new V1.CheckpointRequest { SessionId = sessionId, Name = name }, options),
        response => response,
        cancellationToken);

    /// <inheritdoc />
    public Task LoadStateAsync(string sessionId, string name, CancellationToken cancellationToken) => Call(
        options => client.LoadStateAsync(new V1.CheckpointRequest { SessionId = sessionId, Name = name }, options),
        response => response,
        cancellationToken);

    /// <inheritdoc />
    public Task<string> CreateSessionFromWeightsAsync(LoraWeights weights, CancellationToken cancellationToken) => Call(
        options => client.CreateSessionAsync(new V1.CreateSessionRequest { Lora = ParamsCodec.ToWire(weights.Lora), Weights = AdapterCodec.ToWire(weights) }, options),
        response => response.SessionId,
        cancellationToken);

    /// <inheritdoc />
    public Task<string> CreateSessionFromSamplerWeightsAsync(string name, CancellationToken cancellationToken) => Call(
        options => client.CreateSessionAsync(new V1.CreateSessionRequest { SamplerWeights = name }, options),
        response => response.SessionId,
        cancellationToken);

    /// <inheritdoc />
    public Task<LoraWeights> GetWeightsAsync(string sessionId, CancellationToken cancellationToken) => Call(
        options => client.GetWeightsAsync(new V1.GetWeightsRequest { SessionId = sessionId }, options),
        response => AdapterCodec.FromWire(response, "get_weights"),
        cancellationToken);

    /// <inheritdoc />
    public Task SaveWeightsForSamplerAsync(string sessionId, string name, CancellationToken cancellationToken) => Call(
        options => client.SaveWeightsForSamplerAsync(new V1.CheckpointRequest { SessionId = sessionId, Name = name }, options),
        response => response,
        cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckpointInfo>> ListCheckpointsAsync(CancellationToken cancellationToken) => Call(
        options => client.ListCheckpointsAsync(new V1.ListCheckpointsRequest(), options),
        AdapterCodec.FromWire,
        cancellationToken);

    /// <inheritdoc />
    public Task DeleteCheckpointAsync(string name, CancellationToken cancellationToken) => Call(
        options => client.DeleteCheckpointAsync(new V1.DeleteCheckpointRequest { Name = name }, options),
        response => response,
        cancellationToken);

    /// <inheritdoc />
    public Task LoadWeightsAsync(string sessionId, string name, CancellationToken cancellationToken) => Call(
        options => client.LoadStateAsync(new V1.CheckpointRequest { SessionId = sessionId, Name = name, WeightsOnly = true }, options),
        response => response,
        cancellationToken);

    /// <inheritdoc />
    public Task<CheckpointWeightsInfo> GetWeightsInfoAsync(string name, CancellationToken cancellationToken) => Call(
        options => client.GetWeightsInfoAsync(new V1.GetWeightsInfoRequest { Name = name }, options),
        response => new CheckpointWeightsInfo(response.BaseModel, ParamsCodec.FromWire(response.Lora)),
        cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        channel.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> RegisterAsync(string sessionId, string lossName, LossGraph graph, CancellationToken cancellationToken)
    {
        try
        {
            return await Call(
                options => client.RegisterLossAsync(new V1.RegisterLossRequest { SessionId = sessionId, Graph = GraphCodec.ToWire(graph) }, options),
                response => response.LossId,
                cancellationToken).ConfigureAwait(false);
        }
        catch (MintServerException error) when (error.StatusCode == StatusCode.Unimplemented)
        {
            // A server from before loss graphs: remember, and let the client take the two-pass path.
            serverLacksLossGraphs = true;
            throw new InEngineLossUnavailableException(lossName, $"the server at {ServerUrl} does not accept loss graphs");
        }
    }

    private async Task<TResult> Call<TResponse, TResult>(
        Func<CallOptions, AsyncUnaryCall<TResponse>> call,
        Func<TResponse, TResult> read,
        CancellationToken cancellationToken)
    {
        var response = await retry.RunAsync(
            async () =>
            {
                try
                {
                    return await call(new CallOptions(headers, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }
                catch (RpcException error)
                {
                    throw GrpcErrors.ToException(error);
                }
            },
            cancellationToken).ConfigureAwait(false);
        return read(response);
    }
}

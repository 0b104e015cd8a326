namespace Mint.Protocol.Tinker;

/// <summary>
/// The routes of Tinker's HTTP protocol (SDK 0.22.0, <c>src/tinker/resources/*.py</c>), all under
/// <c>/api/v1/</c>, and the headers both ends use.
/// </summary>
public static class TinkerRoutes
{
    /// <summary>The routes' common prefix.</summary>
    public const string Prefix = "/api/v1/";

    /// <summary>The header the SDK sends its API key in.</summary>
    public const string ApiKeyHeader = "X-API-Key";

    /// <summary>The SDK's retry hint on error answers (<c>true</c>/<c>false</c>).</summary>
    public const string ShouldRetryHeader = "x-should-retry";

#pragma warning disable CS1591 // The names are the routes.
    public const string ClientConfig = Prefix + "client/config";
    public const string CreateSession = Prefix + "create_session";
    public const string SessionHeartbeat = Prefix + "session_heartbeat";
    public const string CreateModel = Prefix + "create_model";
    public const string GetInfo = Prefix + "get_info";
    public const string UnloadModel = Prefix + "unload_model";
    public const string Forward = Prefix + "forward";
    public const string ForwardBackward = Prefix + "forward_backward";
    public const string OptimStep = Prefix + "optim_step";
    public const string SaveWeights = Prefix + "save_weights";
    public const string LoadWeights = Prefix + "load_weights";
    public const string WeightsInfo = Prefix + "weights_info";
    public const string SaveWeightsForSampler = Prefix + "save_weights_for_sampler";
    public const string CreateSamplingSession = Prefix + "create_sampling_session";
    public const string ASample = Prefix + "asample";
    public const string RetrieveFuture = Prefix + "retrieve_future";
    public const string ServerCapabilities = Prefix + "get_server_capabilities";
    public const string Healthz = Prefix + "healthz";
    public const string Telemetry = Prefix + "telemetry";
    public const string TrainingRuns = Prefix + "training_runs";
    public const string TrainingRun = Prefix + "training_runs/{model_id}";
    public const string Sampler = Prefix + "samplers/{sampler_id}";
    public const string TrainingRunCheckpoints = Prefix + "training_runs/{model_id}/checkpoints";

    // Later SDKs list a run's checkpoints here (same answer).
    public const string ModelCheckpoints = Prefix + "models/{model_id}/checkpoints";

    // DELETE; the checkpoint id holds a slash (weights/<name>, sampler_weights/<name>).
    public const string TrainingRunCheckpoint = Prefix + "training_runs/{model_id}/checkpoints/{**checkpoint_id}";
#pragma warning restore CS1591
}

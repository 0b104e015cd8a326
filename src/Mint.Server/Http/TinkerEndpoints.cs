using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Mint.Protocol.Tinker;

namespace Mint.Server.Http;

/// <summary>Registers Tinker's HTTP protocol (SDK 0.22.0 routes under <c>/api/v1/</c>) on a Mint server.</summary>
internal static class TinkerEndpoints
{
    /// <summary>The services the routes use, beside those gRPC already registers.</summary>
    public static IServiceCollection AddTinkerApi(this IServiceCollection services, TimeSpan pollWait, TimeSpan seqGapTimeout, int maxBodyBytes) => services
        .AddSingleton(new TinkerApiSettings(pollWait, seqGapTimeout, Retention: TimeSpan.FromMinutes(10), maxBodyBytes))
        .AddSingleton(provider => new TinkerFutures(provider.GetRequiredService<TinkerApiSettings>().Retention, TimeProvider.System))
        .AddSingleton(provider => new SeqIdOrder(provider.GetRequiredService<TinkerApiSettings>().SeqGapTimeout))
        .AddSingleton<TinkerSessions>()
        .AddSingleton<SamplerSessions>()
        .AddSingleton<TinkerApi>();

    /// <summary>Maps every route to <see cref="TinkerApi"/>.</summary>
    public static void MapTinkerApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.ServiceProvider.GetRequiredService<TinkerApi>();
        routes.MapPost(TinkerRoutes.ClientConfig, api.ClientConfig);
        routes.MapPost(TinkerRoutes.CreateSession, api.CreateSession);
        routes.MapPost(TinkerRoutes.SessionHeartbeat, api.SessionHeartbeat);
        routes.MapPost(TinkerRoutes.Telemetry, api.Telemetry);
        routes.MapGet(TinkerRoutes.Healthz, api.Healthz);
        routes.MapGet(TinkerRoutes.ServerCapabilities, api.Capabilities);
        routes.MapPost(TinkerRoutes.CreateModel, api.CreateModel);
        routes.MapPost(TinkerRoutes.GetInfo, api.GetInfo);
        routes.MapPost(TinkerRoutes.UnloadModel, api.UnloadModel);
        routes.MapPost(TinkerRoutes.Forward, api.Forward);
        routes.MapPost(TinkerRoutes.ForwardBackward, api.ForwardBackward);
        routes.MapPost(TinkerRoutes.OptimStep, api.OptimStep);
        routes.MapPost(TinkerRoutes.SaveWeights, api.SaveWeights);
        routes.MapPost(TinkerRoutes.LoadWeights, api.LoadWeights);
        routes.MapPost(TinkerRoutes.WeightsInfo, api.WeightsInfo);
        routes.MapPost(TinkerRoutes.SaveWeightsForSampler, api.SaveWeightsForSampler);
        routes.MapPost(TinkerRoutes.CreateSamplingSession, api.CreateSamplingSession);
        routes.MapPost(TinkerRoutes.ASample, api.ASample);
        routes.MapGet(TinkerRoutes.Sampler, api.GetSampler);
        routes.MapPost(TinkerRoutes.RetrieveFuture, api.RetrieveFuture);
        routes.MapGet(TinkerRoutes.TrainingRuns, api.TrainingRuns);
        routes.MapGet(TinkerRoutes.TrainingRun, api.GetTrainingRun);
        routes.MapGet(TinkerRoutes.TrainingRunCheckpoints, api.Checkpoints);
        routes.MapGet(TinkerRoutes.ModelCheckpoints, api.Checkpoints);
        routes.MapDelete(TinkerRoutes.TrainingRunCheckpoint, api.DeleteCheckpoint);
    }
}

using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Mint.Engine;
using Mint.Server.Scheduling;

namespace Mint.Server.Hosting;

/// <summary>
/// Backs the standard gRPC health service: <c>SERVING</c> while the engine takes calls,
/// <c>NOT_SERVING</c> once the server is shutting down so load balancers stop sending work.
/// </summary>
internal sealed class EngineHealthCheck(MintEngine engine, EngineQueue queue, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["model"] = engine.Model.Name,
            ["waiting"] = queue.Waiting,
            ["queue_capacity"] = queue.Capacity,
        };
        return Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("The server is shutting down.", data: data)
            : HealthCheckResult.Healthy("The engine takes calls.", data));
    }
}

using System;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Mint.Server.Logging;
using Microsoft.Extensions.Logging;

namespace Mint.Server.Security;

/// <summary>
/// Authenticates every training call: with API keys configured, a call must carry
/// <c>authorization: Bearer &lt;key&gt;</c> with a known key, or it fails with <c>UNAUTHENTICATED</c>
/// before it reaches the engine. The caller is left in the call's user state for the service.
/// </summary>
internal sealed class ApiKeyInterceptor(ApiKeys keys, ILogger<ApiKeyInterceptor> logger) : Interceptor
{
    private const string CallerKey = "mint.caller";
    private const string BearerPrefix = "Bearer ";

    /// <summary>The caller this interceptor authenticated for <paramref name="context"/>.</summary>
    public static Caller CallerOf(ServerCallContext context) =>
        context.UserState.TryGetValue(CallerKey, out var caller) && caller is Caller known
            ? known
            : throw new InvalidOperationException("The call was not authenticated; is ApiKeyInterceptor registered for this service?");

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        context.UserState[CallerKey] = Authenticate(context);
        return continuation(request, context);
    }

    private Caller Authenticate(ServerCallContext context)
    {
        if (!keys.Required)
        {
            return Caller.Anonymous;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null)
        {
            throw Reject(context, "Missing API key: send the metadata 'authorization: Bearer <key>'.");
        }

        var caller = header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? keys.Find(header[BearerPrefix.Length..].Trim())
            : null;
        return caller ?? throw Reject(context, "Invalid API key.");
    }

    private RpcException Reject(ServerCallContext context, string reason)
    {
        ServerLog.Unauthenticated(logger, context.Method, context.Peer, reason);
        return new RpcException(new Status(StatusCode.Unauthenticated, reason));
    }
}

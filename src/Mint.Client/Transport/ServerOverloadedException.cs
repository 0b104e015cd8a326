using Grpc.Core;

namespace Mint.Client.Transport;

/// <summary>
/// The server's request queue was full and the call was refused without running
/// (<c>RESOURCE_EXHAUSTED</c>); nothing changed on the server, so it is safe to retry later.
/// </summary>
public sealed class ServerOverloadedException(string message, RpcException? innerException = null)
    : MintServerException(StatusCode.ResourceExhausted, message, innerException);

using Grpc.Core;

namespace Mint.Client.Transport;

/// <summary>The server requires an API key and the call carried none, or an unknown one (<c>UNAUTHENTICATED</c>).</summary>
public sealed class UnauthenticatedException(string message, RpcException? innerException = null)
    : MintServerException(StatusCode.Unauthenticated, message, innerException);

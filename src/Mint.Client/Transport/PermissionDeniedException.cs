using Grpc.Core;

namespace Mint.Client.Transport;

/// <summary>
/// The caller is known but not allowed to make the call (<c>PERMISSION_DENIED</c>), e.g. refused by
/// a gateway in front of the server. Another client's session is reported as not found instead.
/// </summary>
public sealed class PermissionDeniedException(string message, RpcException? innerException = null)
    : MintServerException(StatusCode.PermissionDenied, message, innerException);

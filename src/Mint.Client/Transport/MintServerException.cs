using Grpc.Core;
using Mint.Dsl;

namespace Mint.Client.Transport;

/// <summary>
/// A <c>Mint.Server</c> call failed with a status that has no more specific exception: the server is
/// unreachable (<c>UNAVAILABLE</c>), failed internally, a deadline passed, a message was too large, ….
/// Errors the engine would raise in-process (validation, unknown session, checkpoints) are rebuilt as
/// those same exceptions instead.
/// </summary>
public class MintServerException : MintException
{
    /// <summary>Creates the exception for a failed call.</summary>
    public MintServerException(StatusCode statusCode, string message, RpcException? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The call's gRPC status.</summary>
    public StatusCode StatusCode { get; }
}

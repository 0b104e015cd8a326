using System;
using Grpc.Core;
using Mint.Engine.Admission;
using Mint.Engine.Training;
using Mint.Protocol.Errors;
using V1 = Mint.Protocol.V1;

namespace Mint.Client.Transport;

/// <summary>
/// Turns a failed call back into the exception the engine would have thrown in-process, using the
/// server's <c>mint-error-bin</c> trailer; statuses without one become <see cref="MintServerException"/>s.
/// </summary>
internal static class GrpcErrors
{
    public static Exception ToException(RpcException error)
    {
        var detail = ErrorTrailer.Read(error.Trailers);
        switch (detail?.Kind)
        {
            case V1.ErrorKind.BatchValidation:
                return ErrorTrailer.ToValidation(detail);
            case V1.ErrorKind.SessionNotFound:
                return new SessionNotFoundException(detail.SessionId);
            case V1.ErrorKind.CheckpointNotFound:
            case V1.ErrorKind.CheckpointInvalid:
                return new CheckpointException(detail.Message);
            case V1.ErrorKind.QueueFull:
                return new ServerOverloadedException(detail.Message, error);
            case V1.ErrorKind.SessionLimit:
                return new SessionLimitException(detail.Message);
        }

        var message = string.IsNullOrEmpty(error.Status.Detail) ? $"The call failed with {error.StatusCode}." : error.Status.Detail;
        return error.StatusCode switch
        {
            StatusCode.Unauthenticated => new UnauthenticatedException(message, error),
            StatusCode.PermissionDenied => new PermissionDeniedException(message, error),
            _ => new MintServerException(error.StatusCode, message, error),
        };
    }
}

using System;
using Grpc.Core;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Training;
using Mint.Protocol.Errors;
using Mint.Server.Scheduling;
using Mint.Server.Sessions;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Services;

/// <summary>
/// Maps what the engine and the server throw to gRPC statuses, with a <c>mint-error-bin</c> trailer
/// from which the client rebuilds the same typed exception:
/// <list type="table">
/// <item><term><see cref="BatchValidationException"/></term><description><c>INVALID_ARGUMENT</c>, the first violations and their count in the trailer</description></item>
/// <item><term><see cref="SessionNotFoundException"/> (also another caller's session)</term><description><c>NOT_FOUND</c></description></item>
/// <item><term><see cref="CheckpointNotFoundException"/></term><description><c>NOT_FOUND</c></description></item>
/// <item><term><see cref="CheckpointException"/></term><description><c>FAILED_PRECONDITION</c></description></item>
/// <item><term><see cref="QueueFullException"/></term><description><c>RESOURCE_EXHAUSTED</c> (nothing ran; clients retry it)</description></item>
/// <item><term><see cref="SessionLimitException"/></term><description><c>RESOURCE_EXHAUSTED</c> (nothing was created; not retried)</description></item>
/// <item><term>cancelled before it ran</term><description><c>CANCELLED</c></description></item>
/// <item><term>anything else</term><description><c>INTERNAL</c>, with no detail (it is logged)</description></item>
/// </list>
/// </summary>
internal static class ErrorStatus
{
    // grpc-message travels in an HTTP/2 header; the full message is in the trailer anyway.
    private const int MaxDetailLength = 4096;

    public static RpcException From(Exception error, bool cancelled) => error switch
    {
        RpcException rpc => rpc,
        BatchValidationException validation => Fail(StatusCode.InvalidArgument, ErrorTrailer.FromValidation(validation)),
        SessionNotFoundException missing => Fail(StatusCode.NotFound, new V1.MintError { Kind = V1.ErrorKind.SessionNotFound, Message = missing.Message, SessionId = ErrorTrailer.Cut(missing.SessionId, ErrorTrailer.MaxFieldLength) }),
        CheckpointNotFoundException missing => Fail(StatusCode.NotFound, new V1.MintError { Kind = V1.ErrorKind.CheckpointNotFound, Message = missing.Message }),
        CheckpointException invalid => Fail(StatusCode.FailedPrecondition, new V1.MintError { Kind = V1.ErrorKind.CheckpointInvalid, Message = invalid.Message }),
        QueueFullException full => Fail(StatusCode.ResourceExhausted, new V1.MintError { Kind = V1.ErrorKind.QueueFull, Message = full.Message }),
        SessionLimitException limit => Fail(StatusCode.ResourceExhausted, new V1.MintError { Kind = V1.ErrorKind.SessionLimit, Message = limit.Message }),
        OperationCanceledException when cancelled => new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled before it ran.")),
        ArgumentException argument => new RpcException(new Status(StatusCode.InvalidArgument, argument.Message)),
        _ => new RpcException(new Status(StatusCode.Internal, "The server failed to run the call; see its log.")),
    };

    private static RpcException Fail(StatusCode code, V1.MintError error)
    {
        error.Message = ErrorTrailer.Cut(error.Message, ErrorTrailer.MaxMessageLength);
        var detail = error.Message.Length <= MaxDetailLength ? error.Message : error.Message[..MaxDetailLength] + " …";
        return new RpcException(new Status(code, detail), ErrorTrailer.ToTrailers(error));
    }
}

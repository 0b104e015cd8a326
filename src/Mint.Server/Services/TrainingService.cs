using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Mint.Dsl;
using Mint.Engine;
using Mint.Protocol.Conversion;
using Mint.Server.Logging;
using Mint.Server.Scheduling;
using Mint.Server.Security;
using Mint.Server.Sessions;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Services;

/// <summary>
/// The training service: each RPC decodes its request, waits its turn in the <see cref="EngineQueue"/>,
/// makes one engine call on a session the caller owns, and encodes the result. Decoding happens
/// before queueing so a malformed request never holds the engine.
/// </summary>
internal sealed class TrainingService(
    MintEngine engine,
    EngineQueue queue,
    SessionOwners owners,
    LossRegistry losses,
    CheckpointStore checkpoints,
    ILogger<TrainingService> logger) : V1.Training.TrainingBase
{
    /// <summary>The longest session id a request may carry (the server's own are 40 characters).</summary>
    internal const int MaxSessionIdLength = 128;

    public override Task<V1.CreateSessionResponse> CreateSession(V1.CreateSessionRequest request, ServerCallContext context) =>
        Handle(context, "create_session", null, 0, caller => request.InitialWeightsCase == V1.CreateSessionRequest.InitialWeightsOneofCase.Weights
            ? AdapterCodec.FromWire(request.Weights, "adapter weights")
            : null, (caller, uploaded) =>
        {
            // Inside the queue: creates run one at a time, so the count cannot race.
            owners.CheckRoom(caller);
            var session = uploaded is not null ? engine.CreateSession(uploaded)
                : request.InitialWeightsCase == V1.CreateSessionRequest.InitialWeightsOneofCase.SamplerWeights
                    ? engine.CreateSession(checkpoints.ReadSamplerWeights(caller, request.SamplerWeights))
                : engine.CreateSession(ParamsCodec.FromWire(request.Lora));
            if (context.CancellationToken.IsCancellationRequested)
            {
                // Nobody will learn this id: leave no session behind.
                engine.CloseSession(session.Id);
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            owners.Add(session.Id, caller);
            return new V1.CreateSessionResponse { SessionId = session.Id };
        }, created: response => response.SessionId);

    public override Task<V1.ListSessionsResponse> ListSessions(V1.ListSessionsRequest request, ServerCallContext context) =>
        Handle(context, "list_sessions", null, 0, caller =>
        {
            var response = new V1.ListSessionsResponse();
            response.SessionIds.AddRange(owners.Of(caller));
            return response;
        }, queued: false);

    public override Task<V1.CloseSessionResponse> CloseSession(V1.CloseSessionRequest request, ServerCallContext context) =>
        Handle(context, "close_session", request.SessionId, 0, caller =>
        {
            owners.Close(caller, request.SessionId);
            losses.Forget(request.SessionId);
            return new V1.CloseSessionResponse();
        });

    public override Task<V1.ModelInfo> GetInfo(V1.GetInfoRequest request, ServerCallContext context) =>
        Handle(context, "get_info", request.SessionId, 0, caller =>
            ResultCodec.ToWire(owners.Get(caller, request.SessionId).Info));

    public override Task<V1.ForwardResponse> Forward(V1.ForwardRequest request, ServerCallContext context) =>
        Handle(context, "forward", request.SessionId, request.Data.Count, caller => BatchCodec.FromWire(request.Data, "forward"), (caller, data) =>
            ResultCodec.ToWire(owners.Get(caller, request.SessionId).Forward(data, new ForwardOptions { TopKLogprobs = request.TopKLogprobs })));

    public override Task<V1.ForwardBackwardResponse> ForwardBackward(V1.ForwardBackwardRequest request, ServerCallContext context)
    {
        if (request.LossCase == V1.ForwardBackwardRequest.LossOneofCase.Registered)
        {
            return ForwardBackwardRegistered(request, context);
        }

        var lossName = request.Builtin?.Name ?? string.Empty;
        return Handle(context, "forward_backward:" + lossName, request.SessionId, request.Data.Count, caller =>
            {
                if (request.LossCase != V1.ForwardBackwardRequest.LossOneofCase.Builtin)
                {
                    throw new BatchValidationException("forward_backward", [new(null, "loss", "the request names no loss; set 'builtin' or 'registered'.")]);
                }

                var loss = LossFn.FromName(lossName, request.Builtin!.Config.ToDictionary(entry => entry.Key, entry => entry.Value));
                return (Loss: loss, Data: BatchCodec.FromWire(request.Data, BatchValidationException.ForLoss(lossName)));
            },
            (caller, decoded) => ResultCodec.ToWire(owners.Get(caller, request.SessionId).ForwardBackward(decoded.Data, decoded.Loss)));
    }

    public override Task<V1.RegisterLossResponse> RegisterLoss(V1.RegisterLossRequest request, ServerCallContext context) =>
        Handle(context, "register_loss", request.SessionId, 0, caller =>
        {
            // The session must be the caller's; checking the graph needs no engine, so no queue.
            owners.Get(caller, request.SessionId);
            return new V1.RegisterLossResponse { LossId = losses.Register(request.SessionId, GraphCodec.FromWire(request.Graph)) };
        }, queued: false);

    /// <summary>A registered custom loss, run inside the engine's pass like a built-in.</summary>
    private Task<V1.ForwardBackwardResponse> ForwardBackwardRegistered(V1.ForwardBackwardRequest request, ServerCallContext context)
    {
        var registered = request.Registered;
        return Handle(context, "forward_backward:" + registered.LossId, request.SessionId, request.Data.Count, caller =>
            {
                var config = registered.Config.ToDictionary(entry => entry.Key, entry => entry.Value);
                return (Config: config, Data: BatchCodec.FromWire(request.Data, "forward_backward"));
            },
            (caller, decoded) =>
            {
                var session = owners.Get(caller, request.SessionId);
                var loss = losses.Get(request.SessionId, registered.LossId, decoded.Config);
                return ResultCodec.ToWire(session.ForwardBackward(decoded.Data, loss));
            });
    }

    public override Task<V1.OptimStepResponse> OptimStep(V1.OptimStepRequest request, ServerCallContext context) =>
        Handle(context, "optim_step", request.SessionId, 0, caller =>
            ResultCodec.ToWire(owners.Get(caller, request.SessionId).OptimStep(ParamsCodec.FromWire(request.AdamParams))));

    public override Task<V1.SampleResponse> Sample(V1.SampleRequest request, ServerCallContext context) =>
        Handle(context, "sample", request.SessionId, 1, caller =>
            ResultCodec.ToWire(owners.Get(caller, request.SessionId)
                .Sample(BatchCodec.FromWire(request.Prompt), request.NumSamples, ParamsCodec.FromWire(request.SamplingParams))));

    public override Task<V1.CheckpointResponse> SaveState(V1.CheckpointRequest request, ServerCallContext context) =>
        Handle(context, "save_state", request.SessionId, 0, caller =>
        {
            checkpoints.Save(caller, owners.Get(caller, request.SessionId), request.Name);
            return new V1.CheckpointResponse();
        });

    public override Task<V1.CheckpointResponse> LoadState(V1.CheckpointRequest request, ServerCallContext context) =>
        Handle(context, "load_state", request.SessionId, 0, caller =>
        {
            checkpoints.Load(caller, owners.Get(caller, request.SessionId), request.Name, withOptimizer: !request.WeightsOnly);
            return new V1.CheckpointResponse();
        });

    public override Task<V1.LoraWeights> GetWeights(V1.GetWeightsRequest request, ServerCallContext context) =>
        Handle(context, "get_weights", request.SessionId, 0, caller =>
            AdapterCodec.ToWire(owners.Get(caller, request.SessionId).ExportWeights()));

    public override Task<V1.CheckpointResponse> SaveWeightsForSampler(V1.CheckpointRequest request, ServerCallContext context) =>
        Handle(context, "save_weights_for_sampler", request.SessionId, 0, caller =>
        {
            checkpoints.SaveWeightsForSampler(caller, owners.Get(caller, request.SessionId), request.Name);
            return new V1.CheckpointResponse();
        });

    public override Task<V1.ListCheckpointsResponse> ListCheckpoints(V1.ListCheckpointsRequest request, ServerCallContext context) =>
        Handle(context, "list_checkpoints", null, 0, caller => AdapterCodec.ToWire(checkpoints.List(caller)));

    public override Task<V1.DeleteCheckpointResponse> DeleteCheckpoint(V1.DeleteCheckpointRequest request, ServerCallContext context) =>
        Handle(context, "delete_checkpoint", null, 0, caller =>
        {
            checkpoints.Delete(caller, request.Name);
            return new V1.DeleteCheckpointResponse();
        });

    public override Task<V1.WeightsInfo> GetWeightsInfo(V1.GetWeightsInfoRequest request, ServerCallContext context) =>
        Handle(context, "weights_info", null, 0, caller =>
        {
            var info = checkpoints.WeightsInfo(caller, request.Name);
            return new V1.WeightsInfo { BaseModel = info.BaseModel, Lora = ParamsCodec.ToWire(info.Lora) };
        });

    private Task<TResponse> Handle<TResponse>(
        ServerCallContext context, string operation, string? sessionId, int datums, Func<Caller, TResponse> call, bool queued = true, Func<TResponse, string>? created = null) =>
        Handle(context, operation, sessionId, datums, _ => true, (caller, _) => call(caller), queued, created);

    /// <summary>Decode, queue, call, encode — and one log line, whatever happens.</summary>
    private async Task<TResponse> Handle<TInput, TResponse>(
        ServerCallContext context,
        string operation,
        string? sessionId,
        int datums,
        Func<Caller, TInput> decode,
        Func<Caller, TInput, TResponse> call,
        bool queued = true,
        Func<TResponse, string>? created = null)
    {
        var started = Stopwatch.GetTimestamp();
        var caller = ApiKeyInterceptor.CallerOf(context);
        var status = StatusCode.OK;
        var idTooLong = sessionId?.Length > MaxSessionIdLength;
        try
        {
            if (idTooLong)
            {
                // Refused without echoing: an id is never longer, and a huge one must not come back in a header.
                throw new BatchValidationException(operation, [new(null, "session_id", $"is {sessionId!.Length} characters; session ids have at most {MaxSessionIdLength}.")]);
            }

            var input = decode(caller);
            var response = queued
                ? await queue.RunAsync(() => call(caller, input), context.CancellationToken).ConfigureAwait(false)
                : call(caller, input);
            sessionId ??= created?.Invoke(response);
            return response;
        }
        catch (Exception error)
        {
            var rpc = ErrorStatus.From(error, context.CancellationToken.IsCancellationRequested);
            status = rpc.StatusCode;
            if (status == StatusCode.Internal && error is not RpcException)
            {
                ServerLog.Failed(logger, error, operation, sessionId);
            }

            throw rpc;
        }
        finally
        {
            var level = status is StatusCode.OK or StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.Cancelled
                ? LogLevel.Information
                : LogLevel.Warning;
            ServerLog.Request(logger, level, operation, idTooLong ? "(too long)" : sessionId ?? "-", caller.Id, datums, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}

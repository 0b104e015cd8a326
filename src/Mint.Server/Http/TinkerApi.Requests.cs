using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Mint.Dsl;
using Mint.Engine.Training;
using Mint.Protocol.Errors;
using Mint.Protocol.Tinker;
using Mint.Protocol.Tinker.Wire;
using Mint.Server.Logging;
using Mint.Server.Scheduling;
using Mint.Server.Security;
using Mint.Server.Services;

namespace Mint.Server.Http;

/// <summary>How every Tinker route reads, authenticates, answers and refuses a request, and how work requests become futures that retrieve_future answers.</summary>
internal sealed partial class TinkerApi
{
    public async Task RetrieveFuture(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        var request = caller is null ? null : await Read(http, TinkerJson.Default.FutureRetrieveRequest, strict: true).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        if (LongId("retrieve_future", "request_id", request.RequestId) is { } tooLong)
        {
            await Refuse(http, tooLong).ConfigureAwait(false);
            return;
        }

        var entry = futures.Find(caller!, request.RequestId, out var gone);
        if (entry is null)
        {
            await Write(http, gone ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound, new ErrorBody
            {
                Detail = gone ? $"The answer to request {request.RequestId} has expired; submit the request again." : $"No request {request.RequestId} exists.",
            }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
            return;
        }

        try
        {
            await entry.Completed.WaitAsync(PollWait, http.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await Write(http, StatusCodes.Status200OK, new TryAgainResponse { RequestId = entry.Id, QueueState = entry.QueueState }, TinkerJson.Default.TryAgainResponse).ConfigureAwait(false);
            return;
        }

        var answer = entry.Answer;
        if (answer is null)
        {
            await Write(http, StatusCodes.Status410Gone, new ErrorBody { Detail = $"The answer to request {request.RequestId} has expired; submit the request again." }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(answer, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A request answered directly (not with a future); <paramref name="queued"/> when it touches the engine.</summary>
    private async Task Answer<TRequest, TResponse>(
        HttpContext http, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, Func<Caller, TRequest, TResponse> handle, bool queued = false, bool strict = true)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        var request = caller is null ? default : await Read(http, requestType, strict).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        TResponse response;
        try
        {
            response = queued
                ? await queue.RunAsync(() => handle(caller!, request), http.RequestAborted).ConfigureAwait(false)
                : handle(caller!, request);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }

        await Write(http, StatusCodes.Status200OK, response, responseType).ConfigureAwait(false);
    }

    /// <summary>
    /// A work request: decoded and checked now (<paramref name="prepare"/> returns the engine work),
    /// answered with a future, run in the background in the model's <c>seq_id</c> order.
    /// </summary>
    private async Task Submit<TRequest>(
        HttpContext http,
        JsonTypeInfo<TRequest> requestType,
        string operation,
        Func<TRequest, string?> modelOf,
        Func<TRequest, long?> seqOf,
        Func<Caller, TRequest, Func<byte[]>> prepare)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        var request = caller is null ? default : await Read(http, requestType, strict: true).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var modelId = modelOf(request);
        if (LongId(operation, "model_id", modelId) is { } tooLong)
        {
            await Refuse(http, tooLong).ConfigureAwait(false);
            return;
        }

        Func<byte[]>? work = null;
        Exception? early = null;
        try
        {
            if (modelId is not null)
            {
                // Unknown, or another key's: refused before any future exists (404), as gRPC answers NOT_FOUND.
                owners.Get(caller!, modelId);
            }

            work = prepare(caller!, request);
        }
        catch (SessionNotFoundException error)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }
        catch (Exception error) when (TinkerFailures.IsUserError(error))
        {
            // A bad request still gets a future, so it keeps its place in the seq_id order.
            early = error;
        }

        if (Interlocked.Increment(ref pending) > queue.Capacity + 1)
        {
            Interlocked.Decrement(ref pending);
            http.Response.Headers.RetryAfter = "1";
            await Refuse(http, new QueueFullException(queue.Capacity)).ConfigureAwait(false);
            return;
        }

        var entry = futures.Create(caller!);
        _ = Task.Run(() => RunAsync(entry, operation, modelId, seqOf(request), DatumsOf(request), work, early));
        await Write(http, StatusCodes.Status200OK, new UntypedApiFuture { RequestId = entry.Id, ModelId = modelId }, TinkerJson.Default.UntypedApiFuture).ConfigureAwait(false);
    }

    private async Task RunAsync(TinkerFutures.Entry entry, string operation, string? modelId, long? seqId, int datums, Func<byte[]>? work, Exception? early)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.OK;
        try
        {
            if (modelId is not null && seqId is { } seq)
            {
                await order.WaitTurnAsync(modelId, seq, stopping.Token).ConfigureAwait(false);
            }

            entry.Complete(early is null ? await RunQueuedAsync(entry, work!).ConfigureAwait(false) : Failed(early, out status), DateTimeOffset.UtcNow);
        }
        catch (Exception error)
        {
            if (!TinkerFailures.IsUserError(error) && error is not OperationCanceledException)
            {
                ServerLog.Failed(logger, error, "tinker:" + operation, modelId);
            }

            entry.Complete(Failed(error, out status), DateTimeOffset.UtcNow);
        }
        finally
        {
            if (modelId is not null && seqId is { } seq)
            {
                order.Done(modelId, seq);
            }

            Interlocked.Decrement(ref pending);
            ServerLog.Request(logger, status is StatusCode.OK or StatusCode.InvalidArgument ? LogLevel.Information : LogLevel.Warning,
                "tinker:" + operation, modelId ?? "-", entry.Owner.Id, datums, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>The datums a request carries, for the request log (the field gRPC's log line fills too).</summary>
    private static int DatumsOf(object? request) => request switch
    {
        ForwardRequest forward => forward.ForwardInput.Data.Count,
        ForwardBackwardRequest pass => pass.ForwardBackwardInput.Data.Count,
        _ => 0,
    };

    /// <summary>Waits for the engine; while gRPC callers keep the queue full, the future says <c>paused_capacity</c>.</summary>
    private async Task<byte[]> RunQueuedAsync(TinkerFutures.Entry entry, Func<byte[]> work)
    {
        while (true)
        {
            try
            {
                var task = queue.RunAsync(work, stopping.Token);
                entry.QueueState = QueueStates.Active;
                return await task.ConfigureAwait(false);
            }
            catch (QueueFullException)
            {
                entry.QueueState = QueueStates.PausedCapacity;
                await Task.Delay(TimeSpan.FromMilliseconds(100), stopping.Token).ConfigureAwait(false);
            }
        }
    }

    private static byte[] Failed(Exception error, out StatusCode status)
    {
        var failed = TinkerFailures.Failed(error);
        status = failed.Category == ErrorCategories.User ? StatusCode.InvalidArgument : StatusCode.Internal;
        return Json(failed, TinkerJson.Default.RequestFailedResponse);
    }

    /// <summary>
    /// A refusal for an id longer than any this server hands out, or null. The id is not echoed: it
    /// could be megabytes, and would come back in the answer and the log.
    /// </summary>
    private static BatchValidationException? LongId(string operation, string key, string? id) => id?.Length > TrainingService.MaxSessionIdLength
        ? new BatchValidationException(operation, [new(null, key, $"is {id.Length} characters; ids on this server have at most {TrainingService.MaxSessionIdLength}.")])
        : null;

    private static void RefuseLongId(string operation, string key, string? id)
    {
        if (LongId(operation, key, id) is { } tooLong)
        {
            throw tooLong;
        }
    }

    private static void Reject(string operation, List<BatchViolation> violations)
    {
        if (violations.Count > 0)
        {
            throw new BatchValidationException(operation, violations);
        }
    }

    private async Task<Caller?> Authenticate(HttpContext http)
    {
        if (!keys.Required)
        {
            return Caller.Anonymous;
        }

        string? key = http.Request.Headers[TinkerRoutes.ApiKeyHeader];
        string? authorization = http.Request.Headers.Authorization;
        if (key is null && authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
        {
            key = authorization["Bearer ".Length..].Trim();
        }

        var caller = key is null ? null : keys.Find(key);
        if (caller is null)
        {
            var reason = key is null ? $"Missing API key: send the header '{TinkerRoutes.ApiKeyHeader}: <key>'." : "Invalid API key.";
            ServerLog.Unauthenticated(logger, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "-", reason);
            await Write(http, StatusCodes.Status401Unauthorized, new ErrorBody { Detail = reason }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
        }

        return caller;
    }

    private async Task<T?> Read<T>(HttpContext http, JsonTypeInfo<T> type, bool strict)
    {
        // Kestrel's own body limit is off for the gRPC port's sake (see MintServer); each Tinker request sets its own.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = settings.MaxBodyBytes;
        }

        try
        {
            var info = strict ? (JsonTypeInfo<T>)TinkerJson.Strict.GetTypeInfo(typeof(T)) : type;
            var value = await JsonSerializer.DeserializeAsync(http.Request.Body, info, http.RequestAborted).ConfigureAwait(false);
            if (value is not null)
            {
                return value;
            }
        }
        catch (JsonException error)
        {
            await Write(http, StatusCodes.Status400BadRequest, new ErrorBody { Detail = "The request body is not valid for this route: " + ErrorTrailer.Cut(error.Message, ErrorTrailer.MaxFieldLength) }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
            return default;
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Write(http, StatusCodes.Status413PayloadTooLarge, new ErrorBody
            {
                Detail = $"The request body is larger than {settings.MaxBodyBytes} bytes, the limit max_message_bytes (--max-message-mb).",
                MintError = new MintErrorDetail { Kind = "invalid_argument" },
            }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
            return default;
        }

        await Write(http, StatusCodes.Status400BadRequest, new ErrorBody { Detail = "The request body is empty." }, TinkerJson.Default.ErrorBody).ConfigureAwait(false);
        return default;
    }

    private Task Refuse(HttpContext http, Exception error)
    {
        var (status, body) = TinkerFailures.Refused(error);
        if (status == StatusCodes.Status500InternalServerError)
        {
            ServerLog.Failed(logger, error, "tinker:" + http.Request.Path, null);
        }

        return Write(http, status, body, TinkerJson.Default.ErrorBody);
    }

    private static async Task Write<T>(HttpContext http, int status, T value, JsonTypeInfo<T> type)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, value, type, http.RequestAborted).ConfigureAwait(false);
    }

    private static byte[] Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);
}

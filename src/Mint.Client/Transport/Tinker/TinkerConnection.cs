using System;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Mint.Protocol.Tinker;
using Mint.Protocol.Tinker.Wire;

namespace Mint.Client.Transport.Tinker;

/// <summary>
/// HTTP for Tinker's protocol, with the SDK's rules. A request is retried with backoff and jitter
/// on 408, 409, 429, 5xx and failed connections (the server's <c>x-should-retry</c> overrides).
/// A future is polled with <c>retrieve_future</c>: <c>try_again</c> and 408 poll again at once,
/// 429, 5xx and failed connections poll again after a backoff, a bare 400 is retried three times
/// (a proxy may inject one), 410 (the answer is gone) submits the request again, and a
/// <c>{"error", "category"}</c> answer is the request's failure.
/// </summary>
internal sealed class TinkerConnection : IDisposable
{
    private const int BadRequestRetries = 3;
    private const int ExpectContinueBytes = 1024 * 1024;
    private readonly HttpClient http;
    private readonly TinkerTransportOptions options;

    public TinkerConnection(TinkerTransportOptions options)
    {
        this.options = options;
        http = new HttpClient(options.HttpHandler ?? new SocketsHttpHandler(), disposeHandler: true)
        {
            BaseAddress = options.BaseUrl,
            // Per-request deadlines come from RequestTimeout, so that a timeout can be retried.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (options.ApiKey is not null)
        {
            http.DefaultRequestHeaders.Add(TinkerRoutes.ApiKeyHeader, options.ApiKey);
        }
    }

    /// <summary>POSTs <paramref name="request"/> and reads the answer, retrying what the SDK retries.</summary>
    public Task<TResponse> PostAsync<TRequest, TResponse>(string route, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        SendAsync(() =>
        {
            var message = new HttpRequestMessage(HttpMethod.Post, route.TrimStart('/')) { Content = Body(request, requestType) };

            // A large body first asks whether the server takes it: one refused as too large (413) then
            // comes back as an answer, instead of a connection the server closes mid-upload.
            message.Headers.ExpectContinue = message.Content.Headers.ContentLength > ExpectContinueBytes;
            return message;
        }, responseType, cancellationToken);

    /// <summary>GETs <paramref name="route"/> and reads the answer, retrying what the SDK retries.</summary>
    public Task<TResponse> GetAsync<TResponse>(string route, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, route.TrimStart('/')), responseType, cancellationToken);

    /// <summary>DELETEs <paramref name="route"/>, retrying what the SDK retries; the answer's body is not read.</summary>
    public Task DeleteAsync(string route, CancellationToken cancellationToken) =>
        SendAsync<object>(() => new HttpRequestMessage(HttpMethod.Delete, route.TrimStart('/')), responseType: null, cancellationToken);

    /// <summary>
    /// Submits a work request and waits for its future's answer; <paramref name="requestType"/> names
    /// the request in the SDK's <c>X-Tinker-Request-Type</c> header.
    /// </summary>
    public async Task<TResult> RunAsync<TRequest, TResult>(
        string route, TRequest request, JsonTypeInfo<TRequest> requestJson, JsonTypeInfo<TResult> resultJson, string requestType, CancellationToken cancellationToken)
    {
        for (var submission = 0; ; submission++)
        {
            var future = await PostAsync(route, request, requestJson, TinkerJson.Default.UntypedApiFuture, cancellationToken).ConfigureAwait(false);
            var result = await PollAsync(future.RequestId, resultJson, requestType, cancellationToken).ConfigureAwait(false);
            if (result.Gone is null)
            {
                return result.Value!;
            }

            if (submission >= options.MaxResubmissions)
            {
                throw result.Gone;
            }
        }
    }

    public void Dispose() => http.Dispose();

    private async Task<(TResult? Value, Exception? Gone)> PollAsync<TResult>(string requestId, JsonTypeInfo<TResult> resultJson, string requestType, CancellationToken cancellationToken)
    {
        var backoffs = 0;
        var badRequests = 0;
        for (var iteration = 0; ; iteration++)
        {
            // A service that answers try_again at once would otherwise never let a cancellation through.
            cancellationToken.ThrowIfCancellationRequested();
            using var message = new HttpRequestMessage(HttpMethod.Post, TinkerRoutes.RetrieveFuture.TrimStart('/'))
            {
                Content = Body(new FutureRetrieveRequest { RequestId = requestId }, TinkerJson.Default.FutureRetrieveRequest),
            };
            message.Headers.Add("X-Tinker-Request-Iteration", iteration.ToString(CultureInfo.InvariantCulture));
            message.Headers.Add("X-Tinker-Request-Type", requestType);

            using var response = await TrySendAsync(message, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                await Task.Delay(TinkerBackoff.Delay(backoffs++, options), options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var status = response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.OK)
            {
                backoffs = 0;
                badRequests = 0;
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == TryAgainResponse.Discriminator)
                {
                    continue;
                }

                if (root.TryGetProperty("error", out _))
                {
                    throw TinkerErrors.FromFailure(root.Deserialize(TinkerJson.Default.RequestFailedResponse)!);
                }

                return (root.Deserialize(resultJson) ?? throw new FormatException($"The answer to request {requestId} is empty."), null);
            }

            switch ((int)status)
            {
                case 408:
                    // A try_again dressed as an HTTP error: poll again at once.
                    continue;
                case 410:
                    return (default, TinkerErrors.FromStatus(status, body));
                case 429 or >= 500:
                    await Task.Delay(TinkerBackoff.Delay(backoffs++, options, response), options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    continue;
                case 400 when badRequests++ < BadRequestRetries:
                    continue;
                default:
                    throw TinkerErrors.FromStatus(status, body);
            }
        }
    }

    /// <summary>Sends until answered with success; a null <paramref name="responseType"/> reads no body (answers default).</summary>
    private async Task<TResponse> SendAsync<TResponse>(Func<HttpRequestMessage> build, JsonTypeInfo<TResponse>? responseType, CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var message = build();
            using var response = await TrySendAsync(message, cancellationToken).ConfigureAwait(false);
            if (response is not null && response.IsSuccessStatusCode)
            {
                if (responseType is null)
                {
                    return default!;
                }

                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                return JsonSerializer.Deserialize(body, responseType) ?? throw new FormatException($"{message.RequestUri} answered an empty body.");
            }

            if (retry >= options.MaxRetries || (response is not null && !ShouldRetry(response)))
            {
                throw response is null
                    ? new MintServerException(Grpc.Core.StatusCode.Unavailable, $"{message.Method} {message.RequestUri} failed to connect {retry + 1} times.")
                    : TinkerErrors.FromStatus(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            }

            await Task.Delay(TinkerBackoff.Delay(retry, options, response), options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The response, or null when the connection failed or <see cref="TinkerTransportOptions.RequestTimeout"/> passed.</summary>
    private async Task<HttpResponseMessage?> TrySendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.RequestTimeout);
        try
        {
            var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            return response;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static bool ShouldRetry(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues(TinkerRoutes.ShouldRetryHeader, out var values))
        {
            var value = string.Join(string.Empty, values);
            if (value == "true")
            {
                return true;
            }

            if (value == "false")
            {
                return false;
            }
        }

        return (int)response.StatusCode is 408 or 409 or 429 or >= 500;
    }

    private static ByteArrayContent Body<T>(T value, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}

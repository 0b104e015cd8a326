using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Mint.Protocol.Tinker;
using Xunit;

namespace Mint.Server.Tests.Support;

/// <summary>
/// Speaks Tinker's HTTP protocol to a running server as the Python SDK does, in raw JSON (so no
/// client-side check filters what is sent): posts, polls futures, and shows what came back.
/// </summary>
internal sealed class TinkerHttp(Uri baseAddress, string? apiKey = null) : IDisposable
{
    public HttpClient Client { get; } = CreateClient(baseAddress, apiKey);

    /// <summary>A POST of <paramref name="json"/> to <paramref name="route"/>; <paramref name="key"/> overrides the client's API key.</summary>
    public static HttpRequestMessage Request(string route, string json, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route.TrimStart('/')) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("X-API-Key", key);
        }

        return request;
    }

    /// <summary>Sends <paramref name="request"/>; the status and the body as text, whatever the status.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await Client.SendAsync(request))
        {
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Posts and asserts a success status; the answer's JSON.</summary>
    public async Task<JsonElement> Post(string route, string json)
    {
        var (status, body) = await SendAsync(Request(route, json));
        Assert.True((int)status is >= 200 and < 300, $"{route}: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A GET that must succeed; the answer's JSON.</summary>
    public async Task<JsonElement> Get(string route)
    {
        var body = await Client.GetStringAsync(route.TrimStart('/'));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls a future as the SDK does until it is no longer try_again; the answer as text.</summary>
    public async Task<string> ResultText(string requestId)
    {
        while (true)
        {
            var (status, body) = await SendAsync(Request(TinkerRoutes.RetrieveFuture, $$"""{"request_id": "{{requestId}}", "allow_metadata_only": true}"""));
            Assert.True(status == HttpStatusCode.OK, $"retrieve_future: {(int)status} {body}");
            using var answer = JsonDocument.Parse(body);
            if (!answer.RootElement.TryGetProperty("type", out var type) || type.GetString() != "try_again")
            {
                return body;
            }
        }
    }

    /// <summary>Polls <paramref name="future"/> (a submitted request's answer) until it is done.</summary>
    public async Task<JsonElement> Result(JsonElement future) =>
        JsonDocument.Parse(await ResultText(future.GetProperty("request_id").GetString()!)).RootElement.Clone();

    /// <summary>A new client session (<c>create_session</c>), as the SDK opens one per process.</summary>
    public async Task<string> CreateSessionAsync() =>
        (await Post(TinkerRoutes.CreateSession, """{"tags": [], "user_metadata": {}, "sdk_version": "0.22.0", "type": "create_session"}""")).GetProperty("session_id").GetString()!;

    /// <summary>The body of a <c>create_model</c> request for a rank-4 LoRA on <paramref name="baseModel"/>.</summary>
    public static string CreateModelBody(string session, string baseModel) => $$"""
        {"session_id": "{{session}}", "model_seq_id": 0, "base_model": "{{baseModel}}",
         "lora_config": {"rank": 4, "seed": 3, "train_unembed": false, "train_mlp": true, "train_attn": true}, "type": "create_model"}
        """;

    public void Dispose() => Client.Dispose();

    private static HttpClient CreateClient(Uri baseAddress, string? apiKey)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }

        return client;
    }
}

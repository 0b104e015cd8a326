using System;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Mint.Protocol.Tinker;
using Xunit;

namespace Mint.Server.Tests.Support;

/// <summary>
/// <see cref="SdkShapedHttp"/> over one client with its API key: raw JSON to a running server's Tinker
/// port (so no client-side check filters what is sent), and whatever status comes back.
/// </summary>
internal sealed class TinkerHttp(Uri baseAddress, string? apiKey = null) : IDisposable
{
    public HttpClient Client { get; } = CreateClient(baseAddress, apiKey);

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
    public Task<JsonElement> Post(string route, string json) => SdkShapedHttp.Post(Client, route, json);

    /// <summary>Polls <paramref name="future"/> (a submitted request's answer) until it is done.</summary>
    public Task<JsonElement> Result(JsonElement future) => SdkShapedHttp.Result(Client, future);

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

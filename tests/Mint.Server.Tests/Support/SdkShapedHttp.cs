using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Mint.Protocol.Tinker;
using Xunit;

namespace Mint.Server.Tests.Support;

/// <summary>
/// Raw JSON against Mint.Server's Tinker routes, as the Python SDK sends it: POST a body, read the
/// answer, and poll a future through <c>retrieve_future</c> until it is no longer <c>try_again</c>.
/// </summary>
internal static class SdkShapedHttp
{
    /// <summary>A POST of <paramref name="json"/> to <paramref name="route"/>, with <paramref name="key"/> as X-API-Key when given.</summary>
    public static HttpRequestMessage Request(string route, string json, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route.TrimStart('/')) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("X-API-Key", key);
        }

        return request;
    }

    /// <summary>POSTs <paramref name="json"/> and returns the answer; a status other than success fails the test.</summary>
    public static async Task<JsonElement> Post(HttpClient http, string route, string json)
    {
        using var response = await http.SendAsync(Request(route, json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{route}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls a future as the SDK does until it is no longer try_again.</summary>
    public static async Task<JsonElement> Result(HttpClient http, JsonElement future)
    {
        var id = future.GetProperty("request_id").GetString();
        while (true)
        {
            var answer = await Post(http, TinkerRoutes.RetrieveFuture, $$"""{"request_id": "{{id}}", "allow_metadata_only": true}""");
            if (!answer.TryGetProperty("type", out var type) || type.GetString() != "try_again")
            {
                return answer;
            }
        }
    }
}

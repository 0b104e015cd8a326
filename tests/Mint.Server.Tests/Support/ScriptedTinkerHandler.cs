using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Mint.Server.Tests.Support;

/// <summary>
/// A stand-in for a hosted Tinker service, for answers a real Mint.Server does not give on demand
/// (408, 410, 5xx, proxy-style errors): each route answers from its own script, in order (the last
/// answer repeats), and every request is recorded with its body, headers and time.
/// </summary>
internal sealed class ScriptedTinkerHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Queue<Func<HttpResponseMessage>>> scripts = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public List<(string Route, string Body, HttpRequestMessage Request, TimeSpan At)> Requests { get; } = [];

    /// <summary>Answers for <paramref name="route"/> (e.g. <c>/api/v1/retrieve_future</c>), in order.</summary>
    public ScriptedTinkerHandler On(string route, params Func<HttpResponseMessage>[] answers)
    {
        scripts[route] = new Queue<Func<HttpResponseMessage>>(answers);
        return this;
    }

    public IEnumerable<(string Route, string Body, HttpRequestMessage Request, TimeSpan At)> To(string route) => Requests.Where(request => request.Route == route);

    public static Func<HttpResponseMessage> Json(string json, HttpStatusCode status = HttpStatusCode.OK, Action<HttpResponseMessage>? configure = null) => () =>
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        configure?.Invoke(response);
        return response;
    };

    public static Func<HttpResponseMessage> Status(HttpStatusCode status) => Json("""{"detail": "scripted"}""", status);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Routes are matched at the end of the path, after the service's base path.
        var path = request.RequestUri!.AbsolutePath;
        var route = scripts.Keys.FirstOrDefault(key => path.EndsWith(key, StringComparison.Ordinal)) ?? path;
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add((route, body, request, clock.Elapsed));
        }

        if (!scripts.TryGetValue(route, out var script) || script.Count == 0)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent($"no script for {route}") };
        }

        lock (script)
        {
            var answer = script.Count > 1 ? script.Dequeue() : script.Peek();
            return answer();
        }
    }
}

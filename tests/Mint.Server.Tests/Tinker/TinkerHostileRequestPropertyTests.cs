using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using FsCheck;
using FsCheck.Fluent;
using Grpc.Health.V1;
using Mint.Engine.Admission;
using Mint.Engine.Tests.Support;
using Mint.Protocol.Tinker;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Tinker;

/// <summary>
/// Random and mutated HTTP requests (FsCheck) on the Tinker port, in raw JSON so no client-side
/// check filters them. Each starts from a request the SDK sends (the goldens) or a GET/DELETE route
/// and has one node of its JSON, its text, its path or its headers made hostile. None is answered
/// with a 5xx or fails its future as the server's fault, the server keeps serving, and every refused
/// one leaves the model's weights, gradients and step exactly as they were.
/// </summary>
public sealed partial class TinkerHostileRequestPropertyTests : IAsyncLifetime
{
    private const string Key = "tml-fuzz";

    /// <summary>The SDK-shaped request bodies (goldens) and the route each goes to.</summary>
    private static readonly Dictionary<string, string> GoldenRoutes = new()
    {
        ["client_config"] = TinkerRoutes.ClientConfig,
        ["create_session"] = TinkerRoutes.CreateSession,
        ["session_heartbeat"] = TinkerRoutes.SessionHeartbeat,
        ["create_model"] = TinkerRoutes.CreateModel,
        ["create_model_sdk_defaults"] = TinkerRoutes.CreateModel,
        ["create_model_no_mlp"] = TinkerRoutes.CreateModel,
        ["get_info"] = TinkerRoutes.GetInfo,
        ["unload_model"] = TinkerRoutes.UnloadModel,
        ["forward"] = TinkerRoutes.Forward,
        ["forward_backward"] = TinkerRoutes.ForwardBackward,
        ["optim_step"] = TinkerRoutes.OptimStep,
        ["save_weights"] = TinkerRoutes.SaveWeights,
        ["load_weights"] = TinkerRoutes.LoadWeights,
        ["load_state"] = TinkerRoutes.LoadWeights,
        ["weights_info"] = TinkerRoutes.WeightsInfo,
        ["save_weights_for_sampler"] = TinkerRoutes.SaveWeightsForSampler,
        ["create_sampling_session"] = TinkerRoutes.CreateSamplingSession,
        ["asample"] = TinkerRoutes.ASample,
        ["retrieve_future"] = TinkerRoutes.RetrieveFuture,
    };

    /// <summary>Routes without a JSON body; a mutation puts a hostile text into the path or query.</summary>
    private static readonly string[] PathSeeds =
        ["GET training_runs?limit={}&offset={}", "GET training_runs/{model}/checkpoints", "GET models/{}/checkpoints", "DELETE training_runs/{model}/checkpoints/{}", "GET get_server_capabilities", "GET healthz", "GET samplers/{}", "GET training_runs/{}", "POST {}"];

    private static readonly string[] HostileTexts =
        ["", "-1", "0", "99999999999999999999", "weights/../../x", "sampler_weights/", "weights/step-1", "%00", "%2e%2e%2f", new string('a', 3000), "nope/nope/nope"];

    /// <summary>Values a mutation puts in place of a JSON node (fresh each time: a node has one parent).</summary>
    private static readonly Func<JsonNode?>[] HostileValues =
    [
        () => null, () => "", () => new string('x', 5000), () => new string('y', 300_000), () => -1, () => 0, () => 1,
        () => long.MaxValue, () => long.MinValue, () => int.MaxValue + 1L, () => 1e308, () => -1e-308, () => 0.5, () => true,
        () => new JsonArray(), () => new JsonObject(), () => new JsonArray(-1, 1e308), () => "NaN", () => "Infinity", () => "../../etc/passwd",
        () => "tinker://model-1/weights/../../x", () => "tinker://" + new string('m', 400) + "/weights/a", () => "session-00000000000000000000000000000000", () => "\u0000",
        () => new JsonArray(new JsonObject { ["tokens"] = new JsonArray(1, 2), ["type"] = "image" }),
        () => new JsonObject { ["data"] = new JsonArray(1.0), ["dtype"] = "float32", ["shape"] = new JsonArray(1, 1L << 30), ["sparse_crow_indices"] = new JsonArray(0, 1), ["sparse_col_indices"] = new JsonArray(0) },
    ];

    private static readonly string[] Garbage =
        ["", "null", "[]", "{", "\"just a string\"", "{\"type\": \"create_session\"}", new string('[', 5000), "\u00ff\u00fe binary \u0001", "{\"a\": " + new string('9', 5000) + "}"];

    private readonly ModelFolder model = new(seed: 13);
    private RunningServer server = null!;
    private TinkerHttp tinker = null!;
    private string session = null!;
    private string modelId = null!;
    private string sampler = null!;
    private string requestId = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path, apiKeys: [Key], tinker: true, tinkerPollWait: TimeSpan.FromMilliseconds(200), configure: options => options with
        {
            MaxMessageBytes = 1024 * 1024,
            TinkerSeqGapTimeout = TimeSpan.FromMilliseconds(200),
            Limits = new EngineLimits { MaxLoraRank = 16, MaxBatchSize = 64, MaxTokensPerRequest = 2048, MaxNumSamples = 4, MaxSampleTokens = 8 },
        });
        tinker = new TinkerHttp(server.Server.TinkerAddress!, Key);
        session = await tinker.CreateSessionAsync();
        var created = await tinker.Post(TinkerRoutes.CreateModel, TinkerHttp.CreateModelBody(session, server.Server.Engine.Model.Name));
        requestId = created.GetProperty("request_id").GetString()!;
        modelId = (await tinker.Result(created)).GetProperty("model_id").GetString()!;
        await tinker.Result(await tinker.Post(TinkerRoutes.SaveWeights, Substitute(Golden("save_weights"))));
        sampler = (await tinker.Post(TinkerRoutes.CreateSamplingSession,
            $$"""{"session_id": "{{session}}", "sampling_session_seq_id": 0, "base_model": "{{server.Server.Engine.Model.Name}}", "type": "create_sampling_session"}""")).GetProperty("sampling_session_id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        tinker.Dispose();
        await server.DisposeAsync();
        model.Dispose();
    }

    /// <summary>One hostile request: its seed and how it was mutated (shown when the property fails).</summary>
    public sealed record HostileHttpCall(string Seed, int Mutation, int Target, int Value)
    {
        public override string ToString() => $"{Seed} mutation {Mutation} at {Target} with {Value}";
    }

    [Fact]
    public async Task No_random_or_mutated_http_request_fails_the_server_or_changes_state_when_refused()
    {
        var calls =
            from seed in Gen.Elements(GoldenRoutes.Keys.Concat(PathSeeds).ToArray())
            from mutation in Gen.Choose(0, 9)
            from target in Gen.Choose(0, 1000)
            from value in Gen.Choose(0, 1000)
            select new HostileHttpCall(seed, mutation, target, value);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(calls), call => Holds(call)));

        // Afterwards the model still trains the way the SDK drives it.
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());
        var pass = await tinker.Result(await tinker.Post(TinkerRoutes.ForwardBackward, Substitute(Golden("forward_backward"))));
        Assert.True(pass.GetProperty("metrics").GetProperty("loss:sum").GetDouble() != 0, pass.GetRawText());
        var step = await tinker.Result(await tinker.Post(TinkerRoutes.OptimStep, Substitute(Golden("optim_step"))));
        Assert.True(step.TryGetProperty("metrics", out _), step.GetRawText());
    }

    private bool Holds(HostileHttpCall call)
    {
        var live = server.Server.Engine.GetSession(modelId);
        var (weights, gradients, step) = (live.AdapterWeights(), live.AdapterGradients(), live.Info.Step);
        var (status, body) = tinker.SendAsync(Build(call)).GetAwaiter().GetResult();
        Assert.True((int)status < 500, $"{call}: {(int)status} {Cut(body)}");

        var refused = (int)status >= 400;
        if (status == HttpStatusCode.OK && body.Contains("\"request_id\"", StringComparison.Ordinal))
        {
            using var future = JsonDocument.Parse(body);
            if (future.RootElement.TryGetProperty("request_id", out _) && !future.RootElement.TryGetProperty("type", out _) && !future.RootElement.TryGetProperty("error", out _))
            {
                var answer = tinker.Result(future.RootElement).GetAwaiter().GetResult();
                if (answer.TryGetProperty("error", out _))
                {
                    refused = true;
                    Assert.True(answer.GetProperty("category").GetString() == "user", $"{call}: {Cut(answer.GetRawText())}");
                }
            }
        }

        var (healthz, _) = tinker.SendAsync(new HttpRequestMessage(HttpMethod.Get, TinkerRoutes.Healthz.TrimStart('/'))).GetAwaiter().GetResult();
        Assert.True(healthz == HttpStatusCode.OK, $"{call}: the server stopped serving ({healthz})");
        Assert.True(
            !refused || (step == live.Info.Step && SessionSnapshot.Identical(weights, live.AdapterWeights()) && SessionSnapshot.Identical(gradients, live.AdapterGradients())),
            $"{call}: refused but changed the model");
        return true;
    }

    private HttpRequestMessage Build(HostileHttpCall call)
    {
        if (!GoldenRoutes.TryGetValue(call.Seed, out var route))
        {
            return BuildPath(call);
        }

        var text = Substitute(Golden(call.Seed));
        if (call.Seed == "unload_model")
        {
            // Unloading the model under test would end the property; a decoy id exercises the route.
            text = text.Replace(modelId, "session-decoy", StringComparison.Ordinal);
        }

        var request = SdkShapedHttp.Request(route, call.Mutation switch
        {
            0 or 8 or 9 => text,
            5 => text[..(call.Target % text.Length)],
            6 => Garbage[call.Value % Garbage.Length],
            7 => new string('[', call.Value) + text + new string(']', call.Value),
            _ => MutateNode(text, call),
        });
        if (call.Mutation == 8)
        {
            request.Headers.Remove(TinkerRoutes.ApiKeyHeader);
            request.Headers.Add(TinkerRoutes.ApiKeyHeader, call.Value % 2 == 0 ? "tml-stranger" : new string('k', 40_000));
        }
        else if (call.Mutation == 9)
        {
            request.Method = HttpMethod.Get;
        }

        return request;
    }

    /// <summary>One node of the JSON (picked by <see cref="HostileHttpCall.Target"/>) replaced, removed, grown or given a sibling.</summary>
    private static string MutateNode(string text, HostileHttpCall call)
    {
        var root = JsonNode.Parse(text)!;
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(root, slots);
        var (parent, key) = slots[call.Target % slots.Count];
        var node = parent is JsonObject obj ? obj[(string)key] : parent.AsArray()[(int)key];
        JsonNode? replacement = call.Mutation switch
        {
            1 => HostileValues[call.Value % HostileValues.Length](),
            3 => new JsonObject { ["unknown_field"] = HostileValues[call.Value % HostileValues.Length]() },
            4 => new JsonArray(Enumerable.Range(0, 1 + (call.Value * 5)).Select(_ => node?.DeepClone()).ToArray()),
            _ => null,
        };
        if (call.Mutation == 2)
        {
            if (parent is JsonObject owner)
            {
                owner.Remove((string)key);
            }
            else
            {
                parent.AsArray().RemoveAt((int)key);
            }
        }
        else if (parent is JsonObject owner)
        {
            owner[(string)key] = replacement;
        }
        else
        {
            parent.AsArray()[(int)key] = replacement;
        }

        return root.ToJsonString();
    }

    private static void Collect(JsonNode node, List<(JsonNode Parent, object Key)> slots)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    slots.Add((obj, name));
                    if (child is not null)
                    {
                        Collect(child, slots);
                    }
                }

                break;
            case JsonArray array:
                for (var index = 0; index < array.Count; index++)
                {
                    slots.Add((array, index));
                    if (array[index] is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
        }
    }

    private HttpRequestMessage BuildPath(HostileHttpCall call)
    {
        var hostile = call.Mutation == 0 ? "weights/step-1" : HostileTexts[call.Value % HostileTexts.Length];
        var spaceAt = call.Seed.IndexOf(' ', StringComparison.Ordinal);
        var path = call.Seed[(spaceAt + 1)..].Replace("{model}", modelId, StringComparison.Ordinal).Replace("{}", Uri.EscapeDataString(hostile), StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(call.Seed[..spaceAt]), TinkerRoutes.Prefix.TrimStart('/') + path);
        if (request.Method == HttpMethod.Post)
        {
            request.Content = new StringContent(Garbage[call.Value % Garbage.Length], Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>A golden request with this server's ids in place of the goldens' (seq ids 0: run at once).</summary>
    private string Substitute(string golden) => SeqId().Replace(
        golden
            .Replace("session-1", session, StringComparison.Ordinal)
            .Replace("model-1", modelId, StringComparison.Ordinal)
            .Replace("sampler-1", sampler, StringComparison.Ordinal)
            .Replace("req-1", requestId, StringComparison.Ordinal)
            .Replace("\"tiny\"", $"\"{server.Server.Engine.Model.Name}\"", StringComparison.Ordinal),
        "\"seq_id\": 0");

    [GeneratedRegex("\"seq_id\": [0-9]+")]
    private static partial Regex SeqId();

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Tinker", "Goldens", name + ".request.json")).Trim();

    private static string Cut(string text) => text.Length <= 500 ? text : text[..500] + " …";
}

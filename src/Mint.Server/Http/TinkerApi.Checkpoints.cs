using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Mint.Dsl;
using Mint.Engine.Training;
using Mint.Protocol.Tinker;
using Mint.Protocol.Tinker.Wire;
using Mint.Server.Security;
using Mint.Server.Sessions;

namespace Mint.Server.Http;

/// <summary>Tinker's checkpoint routes: save and load state, weights_info, sampler weights, listing and deletion, and how Tinker's paths map to the caller's stored checkpoint names.</summary>
internal sealed partial class TinkerApi
{
    public Task SaveWeights(HttpContext http) => Submit(http, TinkerJson.Default.SaveWeightsRequest, "save_weights", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        var violations = new List<BatchViolation>();
        if (string.IsNullOrEmpty(request.Path))
        {
            violations.Add(new(null, "path", "is missing; name the checkpoint."));
        }

        if (request.TtlSeconds is not null)
        {
            violations.Add(new(null, "ttl_seconds", "is set; checkpoints on this server do not expire: leave it out."));
        }

        Reject("save_weights", violations);
        var folder = CheckpointFolder(caller, request.Path!);
        return () =>
        {
            if (!request.Overwrite && Directory.Exists(folder))
            {
                Reject("save_weights", [new(null, "path", $"checkpoint '{request.Path}' exists; pass overwrite=True to replace it.")]);
            }

            checkpoints.Save(caller, owners.Get(caller, request.ModelId), request.Path!);
            return Json(new SaveWeightsResponse { Path = TinkerPaths.Format(request.ModelId, TinkerPaths.Weights, request.Path!) }, TinkerJson.Default.SaveWeightsResponse);
        };
    });

    public Task LoadWeights(HttpContext http) => Submit(http, TinkerJson.Default.LoadWeightsRequest, "load_weights", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        var violations = new List<BatchViolation>();
        if (request.WeightsAccessToken is not null)
        {
            violations.Add(new(null, "weights_access_token", "is set; this server reads only the caller's own checkpoints."));
        }

        var name = CheckpointName(request.Path, violations, "path");
        Reject("load_weights", violations);
        return () =>
        {
            checkpoints.Load(caller, owners.Get(caller, request.ModelId), name, withOptimizer: request.Optimizer);
            return Json(new LoadWeightsResponse { Path = request.Path }, TinkerJson.Default.LoadWeightsResponse);
        };
    });

    /// <summary>What a training checkpoint was trained as; answered at once, as the SDK's rest client expects.</summary>
    public Task WeightsInfo(HttpContext http) => Answer(http, TinkerJson.Default.WeightsInfoRequest, TinkerJson.Default.WeightsInfoResponse, (caller, request) =>
    {
        var violations = new List<BatchViolation>();
        var name = CheckpointName(request.TinkerPath, violations, "tinker_path");
        Reject("weights_info", violations);
        return TinkerParamsCodec.ToWire(checkpoints.WeightsInfo(caller, name));
    });

    public Task SaveWeightsForSampler(HttpContext http) => Submit(http, TinkerJson.Default.SaveWeightsForSamplerRequest, "save_weights_for_sampler", request => request.ModelId, request => request.SeqId, (caller, request) =>
    {
        if (request.TtlSeconds is not null)
        {
            Reject("save_weights_for_sampler", [new(null, "ttl_seconds", "is set; sampler weights on this server do not expire: leave it out.")]);
        }

        if (request.Path is null)
        {
            return () => Json(new SaveWeightsForSamplerResponse { SamplingSessionId = samplers.Snapshot(caller, owners.Get(caller, request.ModelId)) }, TinkerJson.Default.SaveWeightsForSamplerResponse);
        }

        // Sampler weights are the adapters alone, in peft's layout (what gRPC's SaveWeightsForSampler writes).
        var name = StoredName(TinkerPaths.SamplerWeights, request.Path);
        CheckpointFolder(caller, name);
        return () =>
        {
            checkpoints.SaveWeightsForSampler(caller, owners.Get(caller, request.ModelId), name);
            return Json(new SaveWeightsForSamplerResponse { Path = TinkerPaths.Format(request.ModelId, TinkerPaths.SamplerWeights, request.Path) }, TinkerJson.Default.SaveWeightsForSamplerResponse);
        };
    });

    public async Task Checkpoints(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        var modelId = (string)http.Request.RouteValues["model_id"]!;

        // Checkpoints belong to the API key here, not to a run: every run of the key lists them all.
        var found = checkpoints.List(caller).Select(checkpoint =>
        {
            var (kind, shortName) = TinkerName(checkpoint.Name);
            return new Checkpoint
            {
                CheckpointId = kind + "/" + shortName,
                CheckpointType = checkpoint.Kind == CheckpointKind.SamplerWeights ? "sampler" : "training",
                Time = checkpoint.Time,
                TinkerPath = TinkerPaths.Format(modelId, kind, shortName),
                SizeBytes = checkpoint.SizeBytes,
            };
        }).ToList();
        await Write(http, StatusCodes.Status200OK, new CheckpointsListResponse { Checkpoints = found }, TinkerJson.Default.CheckpointsListResponse).ConfigureAwait(false);
    }

    public async Task DeleteCheckpoint(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        // A catch-all segment may be empty (".../checkpoints/"): then there is no value at all.
        var checkpointId = http.Request.RouteValues["checkpoint_id"] as string ?? string.Empty;
        var slash = checkpointId.IndexOf('/', StringComparison.Ordinal);
        var kind = slash < 0 ? string.Empty : checkpointId[..slash];
        if (kind is not (TinkerPaths.Weights or TinkerPaths.SamplerWeights) || slash == checkpointId.Length - 1)
        {
            await Refuse(http, new BatchValidationException("delete_checkpoint", [new(null, "checkpoint_id", $"'{checkpointId}' is not weights/<name> or sampler_weights/<name>.")])).ConfigureAwait(false);
            return;
        }

        var name = StoredName(kind, checkpointId[(slash + 1)..]);
        try
        {
            await queue.RunAsync(() =>
            {
                checkpoints.Delete(caller, name);
                return true;
            }, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>A stored checkpoint name as Tinker's kind and name (the inverse of <see cref="StoredName"/>): <c>sampler_weights/x</c> is sampler weights <c>x</c>, anything else training weights.</summary>
    private static (string Kind, string Name) TinkerName(string stored) =>
        stored.StartsWith(TinkerPaths.SamplerWeights + "/", StringComparison.Ordinal)
            ? (TinkerPaths.SamplerWeights, stored[(TinkerPaths.SamplerWeights.Length + 1)..])
            : (TinkerPaths.Weights, stored);

    /// <summary>The checkpoint name in a <c>tinker://run/kind/name</c> path (or a bare name); sampler weights live under <c>sampler_weights/</c>.</summary>
    private static string CheckpointName(string path, List<BatchViolation> violations, string key)
    {
        if (!path.StartsWith(TinkerPaths.Scheme, StringComparison.Ordinal))
        {
            return path;
        }

        if (!TinkerPaths.TryParse(path, out _, out var kind, out var name))
        {
            violations.Add(new(null, key, $"'{path}' is not a tinker://<run>/weights/<name> or tinker://<run>/sampler_weights/<name> path."));
            return path;
        }

        return StoredName(kind, name);
    }

    /// <summary>
    /// Where Tinker's checkpoint <paramref name="name"/> of <paramref name="kind"/> is stored: training
    /// weights under their own name (the name gRPC uses), sampler weights under <c>sampler_weights/</c>.
    /// <see cref="TinkerName"/> is the inverse.
    /// </summary>
    private static string StoredName(string kind, string name) => kind == TinkerPaths.SamplerWeights ? kind + "/" + name : name;

    /// <summary>Where checkpoint <paramref name="name"/> of <paramref name="caller"/> lives (the folder <see cref="CheckpointStore"/> uses).</summary>
    private string CheckpointFolder(Caller caller, string name) => CheckpointNames.Resolve(Path.Combine(checkpoints.Root, caller.Id), name);
}

using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Mint.Dsl;
using Mint.Engine.Training;
using Mint.Protocol.Tinker;
using Mint.Protocol.Tinker.Wire;
using Mint.Server.Sessions;

namespace Mint.Server.Http;

/// <summary>Tinker's sampling routes: sampling sessions over a model's current weights, saved weights or the base model, and asample.</summary>
internal sealed partial class TinkerApi
{
    public Task CreateSamplingSession(HttpContext http) => Answer(http, TinkerJson.Default.CreateSamplingSessionRequest, TinkerJson.Default.CreateSamplingSessionResponse, (caller, request) =>
    {
        RefuseLongId("create_sampling_session", "session_id", request.SessionId);
        if (!sessions.Owns(caller, request.SessionId))
        {
            throw new SessionNotFoundException(request.SessionId);
        }

        var violations = new List<BatchViolation>();
        if ((request.ModelPath is null) == (request.BaseModel is null))
        {
            violations.Add(new(null, "model_path", "name either model_path or base_model, not both or neither."));
        }
        else if (request.BaseModel is not null && request.BaseModel != engine.Model.Name)
        {
            violations.Add(new(null, "base_model", $"is '{request.BaseModel}'; this server serves '{engine.Model.Name}' only."));
        }

        var name = request.ModelPath is null ? null : CheckpointName(request.ModelPath, violations, "model_path");
        Reject("create_sampling_session", violations);
        if (name is null)
        {
            return new CreateSamplingSessionResponse { SamplingSessionId = samplers.BaseModel(caller) };
        }

        return checkpoints.KindOf(caller, name) switch
        {
            CheckpointKind.Training => new CreateSamplingSessionResponse { SamplingSessionId = samplers.FromCheckpoint(caller, CheckpointFolder(caller, name), modelPath: request.ModelPath) },
            CheckpointKind.SamplerWeights => new CreateSamplingSessionResponse { SamplingSessionId = samplers.FromWeights(caller, checkpoints.ReadSamplerWeights(caller, name), request.ModelPath!) },
            _ => throw new CheckpointNotFoundException(request.ModelPath!),
        };
    }, queued: true);

    public Task ASample(HttpContext http) => Submit(http, TinkerJson.Default.SampleRequest, "sample", _ => null, _ => null, (caller, request) =>
    {
        RefuseLongId("sample", "sampling_session_id", request.SamplingSessionId);
        var violations = new List<BatchViolation>();
        if (request.SamplingSessionId is null || request.BaseModel is not null || request.ModelPath is not null)
        {
            violations.Add(new(null, "sampling_session_id", "name the sampling session (from create_sampling_session or save_weights_for_sampler) and neither base_model nor model_path."));
        }

        // The engine checks top-k against the vocabulary when it runs.
        var sampling = TinkerParamsCodec.FromWire(request.SamplingParams, violations) with
        {
            PromptLogprobs = request.PromptLogprobs == true,
            TopKPromptLogprobs = request.TopkPromptLogprobs,
        };
        violations.AddRange(sampling.Check().Where(violation => violation.Key == "topk_prompt_logprobs"));
        if (!TinkerCodec.TryFromWire(request.Prompt, out var prompt, out var problem))
        {
            violations.Add(new(null, "prompt", problem!));
        }

        Reject("sample", violations);
        return () => Json(TinkerResultCodec.ToWire(samplers.Get(caller, request.SamplingSessionId!).Sample(prompt!, request.NumSamples, sampling)), TinkerJson.Default.SampleResponse);
    });

    /// <summary>What a sampler samples from (the SDK's <c>SamplingClient.get_base_model()</c> and <c>get_tokenizer()</c> ask).</summary>
    public async Task GetSampler(HttpContext http)
    {
        var caller = await Authenticate(http).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        var samplerId = (string)http.Request.RouteValues["sampler_id"]!;
        if (LongId("get_sampler", "sampler_id", samplerId) is { } tooLong)
        {
            await Refuse(http, tooLong).ConfigureAwait(false);
            return;
        }

        string? modelPath;
        try
        {
            modelPath = samplers.ModelPath(caller, samplerId);
        }
        catch (SessionNotFoundException error)
        {
            await Refuse(http, error).ConfigureAwait(false);
            return;
        }

        await Write(http, StatusCodes.Status200OK, new GetSamplerResponse { SamplerId = samplerId, BaseModel = engine.Model.Name, ModelPath = modelPath }, TinkerJson.Default.GetSamplerResponse).ConfigureAwait(false);
    }
}

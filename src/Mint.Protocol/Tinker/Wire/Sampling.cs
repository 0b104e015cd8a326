using System.Collections.Generic;
using System.Text.Json;

namespace Mint.Protocol.Tinker.Wire;

/// <summary><c>POST /api/v1/create_sampling_session</c> (SDK <c>types/create_sampling_session_request.py</c>).</summary>
public sealed record CreateSamplingSessionRequest
{
    /// <summary>The session.</summary>
    public required string SessionId { get; init; }

    /// <summary>The client's counter of sampling sessions.</summary>
    public required long SamplingSessionSeqId { get; init; }

    /// <summary>Sample from the base model (no adapters).</summary>
    public string? BaseModel { get; init; }

    /// <summary>Sample from saved weights (a <c>tinker://</c> path).</summary>
    public string? ModelPath { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "create_sampling_session";
}

/// <summary>The new sampling session (SDK <c>types/create_sampling_session_response.py</c>).</summary>
public sealed record CreateSamplingSessionResponse
{
    /// <summary>The response's discriminator.</summary>
    public string Type { get; init; } = "create_sampling_session";

    /// <summary>What <c>asample</c> names.</summary>
    public required string SamplingSessionId { get; init; }
}

/// <summary>
/// <c>GET /api/v1/samplers/{sampler_id}</c> (SDK <c>types/_pydantic_types/get_sampler_response.py</c>):
/// what a sampling client samples from. The SDK's <c>SamplingClient.get_base_model()</c> and
/// <c>get_tokenizer()</c> read it.
/// </summary>
public sealed record GetSamplerResponse
{
    /// <summary>The sampler (its <c>sampling_session_id</c>).</summary>
    public required string SamplerId { get; init; }

    /// <summary>The base model it samples.</summary>
    public required string BaseModel { get; init; }

    /// <summary>The saved weights it was made from, when it was made from a path.</summary>
    public string? ModelPath { get; init; }
}

/// <summary>
/// Sampling settings (SDK <c>types/_pydantic_types/sampling_params.py</c>), with its defaults.
/// <c>stop</c> is a string, a list of strings or a list of token ids; only token ids are served here.
/// </summary>
public sealed record SamplingParams
{
    /// <summary>The most tokens generated.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The random seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Stop sequences, kept as JSON (string, strings or token ids).</summary>
    public JsonElement? Stop { get; init; }

    /// <summary>The temperature.</summary>
    public double Temperature { get; init; } = 1;

    /// <summary>Top-k; -1 keeps all tokens.</summary>
    public int TopK { get; init; } = -1;

    /// <summary>Nucleus threshold.</summary>
    public double TopP { get; init; } = 1;
}

/// <summary><c>POST /api/v1/asample</c> (SDK <c>types/sample_request.py</c>); answered with a future.</summary>
public sealed record SampleRequest
{
    /// <summary>How many completions.</summary>
    public int NumSamples { get; init; } = 1;

    /// <summary>The prompt.</summary>
    public required ModelInput Prompt { get; init; }

    /// <summary>The sampling settings.</summary>
    public required SamplingParams SamplingParams { get; init; }

    /// <summary>Sample from the base model (instead of a sampling session).</summary>
    public string? BaseModel { get; init; }

    /// <summary>Sample from saved weights (instead of a sampling session).</summary>
    public string? ModelPath { get; init; }

    /// <summary>The sampling session.</summary>
    public string? SamplingSessionId { get; init; }

    /// <summary>The client's request counter.</summary>
    public long? SeqId { get; init; }

    /// <summary>Whether the prompt's own log-probs are returned.</summary>
    public bool? PromptLogprobs { get; init; }

    /// <summary>How many of the most likely tokens are returned per prompt position (0: none).</summary>
    public int TopkPromptLogprobs { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "sample";
}

/// <summary>One completion (SDK <c>types/_pydantic_types/sampled_sequence.py</c>).</summary>
public sealed record SampledSequence
{
    /// <summary><c>length</c> or <c>stop</c>.</summary>
    public required string StopReason { get; init; }

    /// <summary>The generated tokens.</summary>
    public required IReadOnlyList<int> Tokens { get; init; }

    /// <summary>Each generated token's log-prob.</summary>
    public IReadOnlyList<float>? Logprobs { get; init; }
}

/// <summary>The completions (SDK <c>types/_pydantic_types/sample_response.py</c>).</summary>
public sealed record SampleResponse
{
    /// <summary>The completions.</summary>
    public required IReadOnlyList<SampledSequence> Sequences { get; init; }

    /// <summary>The response's discriminator.</summary>
    public string Type { get; init; } = "sample";

    /// <summary>The prompt's log-probs, when asked for; null at position 0, which nothing predicts.</summary>
    public IReadOnlyList<double?>? PromptLogprobs { get; init; }

    /// <summary>
    /// The most likely tokens per prompt position, when asked for: <c>[token_id, logprob]</c> pairs
    /// (Python tuples), most likely first; null at position 0.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double[]>?>? TopkPromptLogprobs { get; init; }
}

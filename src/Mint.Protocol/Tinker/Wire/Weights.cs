using System;
using System.Collections.Generic;

namespace Mint.Protocol.Tinker.Wire;

/// <summary><c>POST /api/v1/save_weights</c> (SDK <c>types/save_weights_request.py</c>); answered with a future.</summary>
public sealed record SaveWeightsRequest
{
    /// <summary>The model.</summary>
    public required string ModelId { get; init; }

    /// <summary>The checkpoint's name.</summary>
    public string? Path { get; init; }

    /// <summary>The model's request order.</summary>
    public long? SeqId { get; init; }

    /// <summary>How long the checkpoint lives (unsupported here: checkpoints stay until deleted).</summary>
    public long? TtlSeconds { get; init; }

    /// <summary>Whether an existing checkpoint of that name may be replaced.</summary>
    public bool Overwrite { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "save_weights";
}

/// <summary>The saved checkpoint (SDK <c>types/save_weights_response.py</c>).</summary>
public sealed record SaveWeightsResponse
{
    /// <summary>Its <c>tinker://</c> path.</summary>
    public required string Path { get; init; }

    /// <summary>The response's discriminator.</summary>
    public string? Type { get; init; } = "save_weights";
}

/// <summary><c>POST /api/v1/load_weights</c> (SDK <c>types/load_weights_request.py</c>); answered with a future.</summary>
public sealed record LoadWeightsRequest
{
    /// <summary>The model.</summary>
    public required string ModelId { get; init; }

    /// <summary>The checkpoint's <c>tinker://</c> path.</summary>
    public required string Path { get; init; }

    /// <summary>Whether the optimizer's state is restored too.</summary>
    public required bool Optimizer { get; init; }

    /// <summary>The model's request order.</summary>
    public long? SeqId { get; init; }

    /// <summary>A token for another account's checkpoint (unsupported here).</summary>
    public string? WeightsAccessToken { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "load_weights";
}

/// <summary>The loaded checkpoint (SDK <c>types/_pydantic_types/load_weights_response.py</c>).</summary>
public sealed record LoadWeightsResponse
{
    /// <summary>Its <c>tinker://</c> path.</summary>
    public string? Path { get; init; }

    /// <summary>The response's discriminator.</summary>
    public string? Type { get; init; } = "load_weights";
}

/// <summary><c>POST /api/v1/save_weights_for_sampler</c> (SDK <c>types/save_weights_for_sampler_request.py</c>); answered with a future.</summary>
public sealed record SaveWeightsForSamplerRequest
{
    /// <summary>The model.</summary>
    public required string ModelId { get; init; }

    /// <summary>A name for lasting sampler weights; null asks for an ephemeral sampling session instead.</summary>
    public string? Path { get; init; }

    /// <summary>The client's counter of sampling sessions (set when <see cref="Path"/> is null).</summary>
    public long? SamplingSessionSeqId { get; init; }

    /// <summary>The model's request order.</summary>
    public long? SeqId { get; init; }

    /// <summary>How long the weights live (unsupported here).</summary>
    public long? TtlSeconds { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "save_weights_for_sampler";
}

/// <summary>
/// The saved sampler weights (SDK <c>types/_pydantic_types/save_weights_for_sampler_response.py</c>,
/// the internal form): a <c>path</c> when a name was given, a <c>sampling_session_id</c> otherwise.
/// </summary>
public sealed record SaveWeightsForSamplerResponse
{
    /// <summary>The <c>tinker://…/sampler_weights/…</c> path.</summary>
    public string? Path { get; init; }

    /// <summary>The ephemeral sampling session.</summary>
    public string? SamplingSessionId { get; init; }

    /// <summary>The response's discriminator.</summary>
    public string? Type { get; init; } = "save_weights_for_sampler";
}

/// <summary>A saved checkpoint (SDK <c>types/checkpoint.py</c>).</summary>
public sealed record Checkpoint
{
    /// <summary><c>weights/&lt;name&gt;</c> or <c>sampler_weights/&lt;name&gt;</c>.</summary>
    public required string CheckpointId { get; init; }

    /// <summary><c>training</c> or <c>sampler</c>.</summary>
    public required string CheckpointType { get; init; }

    /// <summary>When it was written.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Its <c>tinker://</c> path.</summary>
    public required string TinkerPath { get; init; }

    /// <summary>Its size on disk.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>Whether others may read it (never here).</summary>
    public bool Public { get; init; }
}

/// <summary>A page position (SDK <c>types/cursor.py</c>).</summary>
public sealed record Cursor
{
    /// <summary>The first item's index.</summary>
    public long Offset { get; init; }

    /// <summary>The page size.</summary>
    public long Limit { get; init; }

    /// <summary>All items.</summary>
    public long TotalCount { get; init; }
}

/// <summary><c>GET /api/v1/training_runs/{model_id}/checkpoints</c> (SDK <c>types/checkpoints_list_response.py</c>).</summary>
public sealed record CheckpointsListResponse
{
    /// <summary>The checkpoints.</summary>
    public required IReadOnlyList<Checkpoint> Checkpoints { get; init; }

    /// <summary>The page, when paged.</summary>
    public Cursor? Cursor { get; init; }
}

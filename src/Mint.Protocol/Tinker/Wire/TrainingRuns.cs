using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Mint.Protocol.Tinker.Wire;

/// <summary>A trained model (SDK <c>types/training_run.py</c>).</summary>
public sealed record TrainingRun
{
    /// <summary>The model's id.</summary>
    public required string TrainingRunId { get; init; }

    /// <summary>The base model.</summary>
    public required string BaseModel { get; init; }

    /// <summary>Who owns it.</summary>
    public required string ModelOwner { get; init; }

    /// <summary>Whether it is a LoRA adapter.</summary>
    public required bool IsLora { get; init; }

    /// <summary>Whether it is broken.</summary>
    public bool Corrupted { get; init; }

    /// <summary>The LoRA rank.</summary>
    public int? LoraRank { get; init; }

    /// <summary>When it was last used.</summary>
    public required DateTimeOffset LastRequestTime { get; init; }

    /// <summary>Free-form metadata.</summary>
    public IReadOnlyDictionary<string, JsonElement>? UserMetadata { get; init; }
}

/// <summary><c>GET /api/v1/training_runs</c> (SDK <c>types/training_runs_response.py</c>).</summary>
public sealed record TrainingRunsResponse
{
    /// <summary>The page of runs.</summary>
    public required IReadOnlyList<TrainingRun> TrainingRuns { get; init; }

    /// <summary>The page's position.</summary>
    public required Cursor Cursor { get; init; }
}

namespace Mint.Protocol.Tinker.Wire;

/// <summary>
/// <c>POST /api/v1/weights_info</c>, answered at once (not with a future): the SDK's
/// <c>RestClient.get_weights_info_by_tinker_path</c> sends <c>{"tinker_path": …}</c>, and
/// <c>ServiceClient.create_training_client_from_state</c> opens a model from the answer.
/// </summary>
public sealed record WeightsInfoRequest
{
    /// <summary>The checkpoint's <c>tinker://&lt;run&gt;/weights/&lt;name&gt;</c> path.</summary>
    public required string TinkerPath { get; init; }
}

/// <summary>What a checkpoint was trained as (SDK <c>types/weights_info_response.py</c>).</summary>
public sealed record WeightsInfoResponse
{
    /// <summary>The base model it adapts.</summary>
    public required string BaseModel { get; init; }

    /// <summary>Whether it holds LoRA adapters (always, here).</summary>
    public required bool IsLora { get; init; }

    /// <summary>The adapters' rank.</summary>
    public int? LoraRank { get; init; }

    /// <summary>Whether the unembedding is adapted.</summary>
    public bool? TrainUnembed { get; init; }

    /// <summary>Whether the MLP projections are adapted.</summary>
    public bool? TrainMlp { get; init; }

    /// <summary>Whether the attention projections are adapted.</summary>
    public bool? TrainAttn { get; init; }
}

using System.Collections.Generic;
using System.Text.Json;

namespace Mint.Protocol.Tinker.Wire;

/// <summary>The adapter's settings (SDK <c>types/lora_config.py</c>).</summary>
public sealed record LoraConfig
{
    /// <summary>The LoRA rank.</summary>
    public required int Rank { get; init; }

    /// <summary>The seed of the adapters' initialisation.</summary>
    public long? Seed { get; init; }

    /// <summary>Whether the unembedding (<c>lm_head</c>) carries an adapter.</summary>
    public bool TrainUnembed { get; init; } = true;

    /// <summary>Whether the MLP projections carry adapters.</summary>
    public bool TrainMlp { get; init; } = true;

    /// <summary>Whether the attention projections carry adapters.</summary>
    public bool TrainAttn { get; init; } = true;
}

/// <summary><c>POST /api/v1/create_model</c> (SDK <c>types/create_model_request.py</c>); answered with a future.</summary>
public sealed record CreateModelRequest
{
    /// <summary>The session the model belongs to.</summary>
    public required string SessionId { get; init; }

    /// <summary>The client's counter of models created in the session.</summary>
    public required long ModelSeqId { get; init; }

    /// <summary>The base model's name.</summary>
    public required string BaseModel { get; init; }

    /// <summary>Free-form metadata.</summary>
    public IReadOnlyDictionary<string, JsonElement>? UserMetadata { get; init; }

    /// <summary>The adapter's settings.</summary>
    public LoraConfig? LoraConfig { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "create_model";
}

/// <summary>The created model (SDK <c>types/create_model_response.py</c>).</summary>
public sealed record CreateModelResponse
{
    /// <summary>The model's id: what every training request names.</summary>
    public required string ModelId { get; init; }

    /// <summary>The response's discriminator.</summary>
    public string Type { get; init; } = "create_model";
}

/// <summary><c>POST /api/v1/get_info</c> (SDK <c>types/get_info_request.py</c>); answered directly.</summary>
public sealed record GetInfoRequest
{
    /// <summary>The model asked about.</summary>
    public required string ModelId { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "get_info";
}

/// <summary>The base model's description (SDK <c>types/_pydantic_types/get_info_response.py</c>).</summary>
public sealed record ModelData
{
    /// <summary>The architecture (<c>model_type</c>).</summary>
    public string? Arch { get; init; }

    /// <summary>The base model's name.</summary>
    public string? ModelName { get; init; }

    /// <summary>The tokenizer's id.</summary>
    public string? TokenizerId { get; init; }
}

/// <summary>
/// A model's description (SDK <c>types/_pydantic_types/get_info_response.py</c>). The <c>mint_*</c>
/// fields are Mint.Server's additions (the SDK reads responses leniently and ignores them); a
/// hosted service leaves them out.
/// </summary>
public sealed record GetInfoResponse
{
    /// <summary>The response's discriminator.</summary>
    public string? Type { get; init; } = "get_info";

    /// <summary>The base model.</summary>
    public required ModelData ModelData { get; init; }

    /// <summary>The model's id.</summary>
    public required string ModelId { get; init; }

    /// <summary>Whether the model is a LoRA adapter.</summary>
    public bool? IsLora { get; init; }

    /// <summary>The LoRA rank.</summary>
    public int? LoraRank { get; init; }

    /// <summary>The base model's name.</summary>
    public string? ModelName { get; init; }

    /// <summary>Mint.Server: the vocabulary size.</summary>
    public int? MintVocabSize { get; init; }

    /// <summary>Mint.Server: the context length in tokens.</summary>
    public int? MintContextLength { get; init; }

    /// <summary>Mint.Server: the LoRA alpha, when set (null: alpha = rank).</summary>
    public double? MintLoraAlpha { get; init; }

    /// <summary>Mint.Server: the LoRA seed.</summary>
    public long? MintLoraSeed { get; init; }

    /// <summary>Mint.Server: optimizer steps taken.</summary>
    public long? MintStep { get; init; }

    /// <summary>Mint.Server: whether the attention projections carry adapters (the SDK's <c>train_attn</c>).</summary>
    public bool? MintTrainAttn { get; init; }

    /// <summary>Mint.Server: whether the MLP projections carry adapters (the SDK's <c>train_mlp</c>).</summary>
    public bool? MintTrainMlp { get; init; }

    /// <summary>Mint.Server: whether the unembedding carries an adapter (the SDK's <c>train_unembed</c>).</summary>
    public bool? MintTrainUnembed { get; init; }
}

/// <summary><c>POST /api/v1/unload_model</c> (SDK <c>types/unload_model_request.py</c>); answered with a future.</summary>
public sealed record UnloadModelRequest
{
    /// <summary>The model to free.</summary>
    public required string ModelId { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "unload_model";
}

/// <summary>The freed model (SDK <c>types/unload_model_response.py</c>).</summary>
public sealed record UnloadModelResponse
{
    /// <summary>The model's id.</summary>
    public required string ModelId { get; init; }

    /// <summary>The response's discriminator.</summary>
    public string? Type { get; init; } = "unload_model";
}

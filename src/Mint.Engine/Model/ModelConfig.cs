using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mint.Engine.Model;

/// <summary>
/// A Llama/Qwen-style decoder's shape, read from a Hugging Face <c>config.json</c>. Property names
/// follow that file so real model folders load unchanged.
/// </summary>
public sealed record ModelConfig
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary><c>llama</c>, <c>qwen2</c>, <c>qwen3</c> or <c>mistral</c>.</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "llama";

    /// <summary>Number of token ids.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; }

    /// <summary>Width of the residual stream.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; }

    /// <summary>Width of the SwiGLU MLP.</summary>
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; }

    /// <summary>Number of decoder layers.</summary>
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; }

    /// <summary>Number of query heads.</summary>
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; }

    /// <summary>Number of key/value heads (grouped-query attention); defaults to the query heads.</summary>
    [JsonPropertyName("num_key_value_heads")] public int? NumKeyValueHeads { get; init; }

    /// <summary>Per-head width; defaults to <c>hidden_size / num_attention_heads</c>.</summary>
    [JsonPropertyName("head_dim")] public int? HeadDimension { get; init; }

    /// <summary>The context length.</summary>
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; }

    /// <summary>RMSNorm epsilon.</summary>
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>Rotary embedding base.</summary>
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000;

    /// <summary>True when the LM head reuses the token embedding.</summary>
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }

    /// <summary>Bias on the q/k/v projections; Qwen2 has it whatever the file says.</summary>
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; }

    /// <summary>Key/value heads, resolved.</summary>
    [JsonIgnore] public int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    /// <summary>Per-head width, resolved.</summary>
    [JsonIgnore] public int HeadDim => HeadDimension ?? (NumAttentionHeads == 0 ? 0 : HiddenSize / NumAttentionHeads);

    /// <summary>Whether q/k/v carry a bias, resolved.</summary>
    [JsonIgnore] public bool QkvBias => AttentionBias || ModelType == "qwen2";

    /// <summary>Reads and checks <c>config.json</c>.</summary>
    public static ModelConfig Load(string path)
    {
        ModelConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ModelConfig>(File.ReadAllText(path));
        }
        catch (JsonException error)
        {
            throw new ModelLoadException($"{path} is not a valid config.json: {error.Message}", error);
        }

        if (config is null)
        {
            throw new ModelLoadException($"{path} is empty.");
        }

        config.Check(path);
        return config;
    }

    /// <summary>Writes <c>config.json</c>.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Throws <see cref="ModelLoadException"/> naming every inconsistent field.</summary>
    public void Check(string source = "config")
    {
        var problems = new List<string>();
        void Positive(string name, double value)
        {
            if (!(value > 0))
            {
                problems.Add($"{name} must be positive (is {value})");
            }
        }

        Positive("vocab_size", VocabSize);
        Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("num_key_value_heads", KeyValueHeads);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        Positive("rms_norm_eps", RmsNormEps);
        Positive("rope_theta", RopeTheta);
        if (NumAttentionHeads > 0 && KeyValueHeads > 0 && NumAttentionHeads % KeyValueHeads != 0)
        {
            problems.Add($"num_attention_heads ({NumAttentionHeads}) must be a multiple of num_key_value_heads ({KeyValueHeads})");
        }

        if (HeadDimension is null && NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads != 0)
        {
            problems.Add($"hidden_size ({HiddenSize}) must be divisible by num_attention_heads ({NumAttentionHeads}) unless head_dim is given");
        }

        if (HeadDim % 2 != 0)
        {
            problems.Add($"head_dim ({HeadDim}) must be even for rotary embeddings");
        }

        if (problems.Count > 0)
        {
            throw new ModelLoadException($"{source}: {string.Join("; ", problems)}.");
        }
    }
}

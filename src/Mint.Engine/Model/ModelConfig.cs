using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mint.Engine.Model;

/// <summary>
/// A Llama/Qwen-style decoder's shape and the options that change its math, read from a Hugging Face
/// <c>config.json</c> (transformers 4 or 5 layout) by <see cref="Load"/>, which refuses anything the
/// engine cannot compute exactly. Property names mirror that file's keys.
/// </summary>
public sealed record ModelConfig
{
    /// <summary><c>llama</c>, <c>mistral</c>, <c>qwen2</c> or <c>qwen3</c> (see <see cref="DecoderArchitecture"/>).</summary>
    public string ModelType { get; init; } = "llama";

    /// <summary>Number of token ids.</summary>
    public int VocabSize { get; init; }

    /// <summary>Width of the residual stream.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Width of the SwiGLU MLP.</summary>
    public int IntermediateSize { get; init; }

    /// <summary>Number of decoder layers.</summary>
    public int NumHiddenLayers { get; init; }

    /// <summary>Number of query heads.</summary>
    public int NumAttentionHeads { get; init; }

    /// <summary>Number of key/value heads (grouped-query attention); defaults to the query heads.</summary>
    public int? NumKeyValueHeads { get; init; }

    /// <summary>Per-head width (<c>head_dim</c>); defaults as transformers does (see <see cref="HeadDim"/>).</summary>
    public int? HeadDimension { get; init; }

    /// <summary>The context length.</summary>
    public int MaxPositionEmbeddings { get; init; }

    /// <summary>RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>Rotary embedding base (<c>rope_theta</c>).</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>Rotary frequency scaling (<c>llama3</c>, <c>linear</c>, <c>yarn</c>), or null for plain rotary embeddings.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>True when the LM head reuses the token embedding.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary><c>attention_bias</c>: biases on q, k, v and o for Llama and Qwen3 (Qwen2's q/k/v biases need no flag).</summary>
    public bool AttentionBias { get; init; }

    /// <summary><c>mlp_bias</c>: biases on gate, up and down (Llama).</summary>
    public bool MlpBias { get; init; }

    /// <summary>The decoder family; throws for an unsupported <see cref="ModelType"/>.</summary>
    public DecoderArchitecture Architecture => DecoderArchitecture.Find(ModelType)
        ?? throw new ModelLoadException($"model_type \"{ModelType}\" is not supported (supported: {DecoderArchitecture.SupportedModelTypes}).");

    /// <summary>Key/value heads, resolved.</summary>
    public int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    /// <summary>Per-head width, resolved: <c>head_dim</c>, else the family's default (Qwen3: 128), else hidden / heads.</summary>
    public int HeadDim => HeadDimension
        ?? DecoderArchitecture.Find(ModelType)?.DefaultHeadDim
        ?? (NumAttentionHeads == 0 ? 0 : HiddenSize / NumAttentionHeads);

    /// <summary>Whether q/k/v carry a bias, resolved.</summary>
    public bool QkvBias => Architecture.QkvBiasAlways || (Architecture.ReadsAttentionBias && AttentionBias);

    /// <summary>Whether o_proj carries a bias, resolved.</summary>
    public bool OutputBias => Architecture.ReadsAttentionBias && AttentionBias;

    /// <summary>Whether the MLP projections carry a bias, resolved.</summary>
    public bool MlpProjectionBias => Architecture.ReadsMlpBias && MlpBias;

    /// <summary>
    /// Reads <c>config.json</c>, refusing with one <see cref="ModelLoadException"/> every key whose value
    /// the engine cannot compute exactly (see <c>ModelConfigReader</c> for the policy).
    /// </summary>
    public static ModelConfig Load(string path)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException error)
        {
            throw new ModelLoadException($"{path} is not a valid config.json: {error.Message}", error);
        }

        if (json is null)
        {
            throw new ModelLoadException($"{path} does not hold a JSON object.");
        }

        return ModelConfigReader.Read(json, path);
    }

    /// <summary>Writes <c>config.json</c> in the transformers 5 layout, which <see cref="Load"/> and transformers read back.</summary>
    public void Save(string path) => File.WriteAllText(path, ModelConfigWriter.Write(this).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

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

        if (DecoderArchitecture.Find(ModelType) is null)
        {
            problems.Add($"model_type \"{ModelType}\" is not supported (supported: {DecoderArchitecture.SupportedModelTypes})");
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

        if (HeadDimension is null && DecoderArchitecture.Find(ModelType)?.DefaultHeadDim is null && NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads != 0)
        {
            problems.Add($"hidden_size ({HiddenSize}) must be divisible by num_attention_heads ({NumAttentionHeads}) unless head_dim is given");
        }

        if (HeadDim <= 0 || HeadDim % 2 != 0)
        {
            problems.Add($"head_dim ({HeadDim}) must be positive and even for rotary embeddings");
        }

        if (RopeScaling is { } scaling)
        {
            problems.AddRange(scaling.Problems());
        }

        if (problems.Count > 0)
        {
            throw new ModelLoadException($"{source}: {string.Join("; ", problems)}.");
        }
    }
}

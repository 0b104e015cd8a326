using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mint.Engine.Model;

/// <summary>
/// Reads a Hugging Face <c>config.json</c> the way transformers 5 does, in either layout (transformers 4:
/// top-level <c>rope_theta</c> + <c>rope_scaling</c>; transformers 5: <c>rope_parameters</c>), and refuses
/// every value the engine cannot compute exactly, naming the key, its value and what is supported.
/// All problems are reported together. Keys that cannot matter are listed in <see cref="ConfigKeyPolicy"/>.
/// </summary>
internal sealed class ModelConfigReader
{
    private static readonly string[] Activations = ["silu", "swish"];
    private static readonly string[] LayerTypes = ["full_attention", "sliding_attention"];

    private readonly List<string> problems = [];
    private readonly JsonFields fields;

    private ModelConfigReader(JsonObject json)
    {
        fields = new JsonFields(json, "", problems);
    }

    /// <summary>Reads and checks <paramref name="json"/>; throws one <see cref="ModelLoadException"/> naming every problem.</summary>
    public static ModelConfig Read(JsonObject json, string source)
    {
        var reader = new ModelConfigReader(json);
        var config = reader.Read();
        if (reader.problems.Count > 0)
        {
            throw new ModelLoadException($"{source}: {string.Join("; ", reader.problems)}.");
        }

        config!.Check(source);
        return config;
    }

    private ModelConfig? Read()
    {
        var modelType = fields.String("model_type");
        if (modelType is null)
        {
            problems.Add($"model_type is missing (supported: {DecoderArchitecture.SupportedModelTypes})");
            return null;
        }

        var architecture = DecoderArchitecture.Find(modelType);
        if (architecture is null)
        {
            problems.Add($"model_type {JsonFields.Quote(modelType)} is not supported (supported: {DecoderArchitecture.SupportedModelTypes})");
            return null;
        }

        CheckArchitectures(architecture);
        var layers = fields.RequiredInt("num_hidden_layers");
        var context = fields.RequiredInt("max_position_embeddings");
        var config = new ModelConfig
        {
            ModelType = modelType,
            VocabSize = fields.RequiredInt("vocab_size"),
            HiddenSize = fields.RequiredInt("hidden_size"),
            IntermediateSize = fields.RequiredInt("intermediate_size"),
            NumHiddenLayers = layers,
            NumAttentionHeads = fields.RequiredInt("num_attention_heads"),
            NumKeyValueHeads = fields.Int("num_key_value_heads"),
            HeadDimension = fields.Int("head_dim"),
            MaxPositionEmbeddings = context,
            RmsNormEps = fields.Number("rms_norm_eps") ?? 1e-6,
            TieWordEmbeddings = fields.Bool("tie_word_embeddings") ?? false,
            AttentionBias = Bias("attention_bias", architecture.ReadsAttentionBias, architecture),
            MlpBias = Bias("mlp_bias", architecture.ReadsMlpBias, architecture),
        };

        CheckActivation();
        MustEqual("attention_dropout", 0, "the engine has no attention dropout");
        MustEqual("partial_rotary_factor", 1, "the engine rotates the whole head");
        CheckSlidingWindow(architecture, layers, context);
        var (theta, scaling) = RopeReader.Read(fields, context, architecture);
        config = config with { RopeTheta = theta, RopeScaling = scaling };

        foreach (var (key, value) in fields.Unread)
        {
            if (ConfigKeyPolicy.Inert.Contains(key))
            {
                continue;
            }

            problems.Add(ConfigKeyPolicy.Refused.TryGetValue(key, out var reason)
                ? $"{key} {JsonFields.Show(value)} is not supported: {reason}"
                : $"{key} {JsonFields.Show(value)} is not a key the engine knows; it may change the model's math, so the folder is refused (remove it if it is only metadata)");
        }

        return config;
    }

    private void CheckArchitectures(DecoderArchitecture architecture)
    {
        if (fields.Take("architectures") is not { } node)
        {
            return;
        }

        var names = node is JsonArray array ? array.Select(item => item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : null).ToList() : null;
        if (names is not [var name] || name != architecture.ClassName)
        {
            problems.Add($"architectures {JsonFields.Show(node)} is not supported for model_type {JsonFields.Quote(architecture.ModelType)} (supported: [{JsonFields.Quote(architecture.ClassName)}])");
        }
    }

    private bool Bias(string key, bool architectureReadsIt, DecoderArchitecture architecture)
    {
        var value = fields.Bool(key);
        if (value == true && !architectureReadsIt)
        {
            problems.Add($"{key} true is not supported for model_type {JsonFields.Quote(architecture.ModelType)}, whose transformers class has no such bias (supported: false or absent)");
            return false;
        }

        return value ?? false;
    }

    private void CheckActivation()
    {
        var activation = fields.String("hidden_act") ?? "silu";
        if (!Activations.Contains(activation, StringComparer.Ordinal))
        {
            problems.Add($"hidden_act {JsonFields.Quote(activation)} is not supported (supported: silu)");
        }
    }

    private void MustEqual(string key, double expected, string reason)
    {
        var value = fields.Number(key);
        if (value is { } actual && actual != expected)
        {
            problems.Add($"{key} {actual.ToString(CultureInfo.InvariantCulture)} is not supported: {reason} (supported: {expected.ToString(CultureInfo.InvariantCulture)} or absent)");
        }
    }

    /// <summary>
    /// Refuses a sliding window that is in effect below the context. Qwen2/Qwen3 choose sliding layers with
    /// <c>layer_types</c> (or, when absent, <c>use_sliding_window</c> and <c>max_window_layers</c>); Mistral and
    /// Llama would apply <c>sliding_window</c> to every layer.
    /// </summary>
    private void CheckSlidingWindow(DecoderArchitecture architecture, int layers, int context)
    {
        var window = fields.Int("sliding_window");
        var enabled = fields.Bool("use_sliding_window");
        var maxWindowLayers = fields.Int("max_window_layers") ?? 28;
        if (architecture.PerLayerSlidingWindow && enabled != true)
        {
            window = null;
        }

        var layerTypes = LayerTypeList(layers);
        var sliding = layerTypes is not null
            ? Enumerable.Range(0, layers).Where(layer => layerTypes[layer] == "sliding_attention").ToList()
            : window is null ? []
            : Enumerable.Range(0, layers).Where(layer => !architecture.PerLayerSlidingWindow || layer >= maxWindowLayers).ToList();
        if (!architecture.PerLayerSlidingWindow && enabled == true)
        {
            problems.Add($"use_sliding_window true is not supported for model_type {JsonFields.Quote(architecture.ModelType)} (supported: false or absent)");
        }

        if (sliding.Count == 0 || (window is { } size && size >= context))
        {
            return;
        }

        var where = $"layers {string.Join(", ", sliding)}";
        problems.Add(window is { } w
            ? $"sliding_window {w} is in effect below the context (max_position_embeddings {context}) on {where}; the engine has no sliding-window attention (supported: no sliding layers, or a window of at least the context)"
            : $"layer_types marks {where} as sliding_attention but no sliding_window is in effect; the engine has no sliding-window attention (supported: full_attention layers)");
    }

    private string[]? LayerTypeList(int layers)
    {
        if (fields.Take("layer_types") is not { } node)
        {
            return null;
        }

        var types = node is JsonArray array ? array.Select(item => item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : "").ToArray() : null;
        if (types is null || types.Length != layers || types.Any(type => !LayerTypes.Contains(type, StringComparer.Ordinal)))
        {
            problems.Add($"layer_types {JsonFields.Show(node)} is not supported (supported: {layers} entries, each \"full_attention\" or \"sliding_attention\")");
            return null;
        }

        return types;
    }
}

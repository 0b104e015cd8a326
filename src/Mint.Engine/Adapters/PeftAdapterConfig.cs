using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mint.Dsl;
using Mint.Engine.Training;

namespace Mint.Engine.Adapters;

/// <summary>
/// PEFT's <c>adapter_config.json</c> for a LoRA adapter, read strictly: the engine computes
/// <c>W·x + B·A·x · lora_alpha / r</c> on the attention projections, the MLP projections and the
/// output head (<c>lm_head</c>), each group all together or not at all, and nothing else,
/// so every option that would make peft compute something different (rsLoRA or DoRA scaling,
/// trained biases, extra saved modules, per-module ranks, layer subsets, …) is refused by name.
/// Options that only describe how the adapter was initialised or trained are accepted.
/// </summary>
internal static class PeftAdapterConfig
{
    /// <summary>The file's name in an adapter folder.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>peft's short name (<c>q_proj</c>) of a module the engine names <c>self_attn.q_proj</c>.</summary>
    private static string ShortName(string module) => module[(module.LastIndexOf('.') + 1)..];

    /// <summary>
    /// Keys whose value plays no part in the adapter's function once its weights exist (metadata,
    /// initialisation, training-time dropout, and the switches of options that are off).
    /// </summary>
    private static readonly HashSet<string> Descriptive = new(StringComparer.Ordinal)
    {
        "base_model_name_or_path", "revision", "inference_mode", "peft_version", "auto_mapping",
        "init_lora_weights", "lora_dropout", "loftq_config", "eva_config", "corda_config",
        "megatron_core", "qalora_group_size",
    };

    /// <summary>Keys read and checked one by one below.</summary>
    private static readonly HashSet<string> Checked = new(StringComparer.Ordinal)
    {
        "peft_type", "task_type", "r", "lora_alpha", "target_modules", "bias",
    };

    /// <summary>Reads rank and alpha from the file's text, or throws naming every option the engine cannot honour.</summary>
    public static LoraConfig Parse(string json, string source)
    {
        JsonObject config;
        try
        {
            config = JsonNode.Parse(json) as JsonObject ?? throw new CheckpointException($"{source}: {FileName} is not a JSON object.");
        }
        catch (JsonException error)
        {
            throw new CheckpointException($"{source}: {FileName} is not valid JSON: {error.Message}");
        }

        var problems = new List<string>();
        Expect(config, "peft_type", "LORA", problems);
        Expect(config, "task_type", "CAUSAL_LM", problems);
        Expect(config, "bias", "none", problems);
        var rank = config["r"] is JsonValue r && r.TryGetValue(out int rankValue) && rankValue >= 1 ? rankValue : (int?)null;
        if (rank is null)
        {
            problems.Add($"'r' is {Show(config["r"])}, expected a whole number ≥ 1");
        }

        var alpha = config["lora_alpha"] is JsonValue a && a.TryGetValue(out double alphaValue) && alphaValue > 0 && double.IsFinite(alphaValue) ? alphaValue : (double?)null;
        if (alpha is null)
        {
            problems.Add($"'lora_alpha' is {Show(config["lora_alpha"])}, expected a positive number");
        }

        var targets = ReadTargets(config["target_modules"], problems);
        foreach (var (key, value) in config)
        {
            if (!Checked.Contains(key) && !Descriptive.Contains(key) && !IsOff(value))
            {
                problems.Add($"'{key}' is {Show(value)}, which the engine cannot honour (it computes plain LoRA: lora_alpha / r scaling, no bias, no extra modules)");
            }
        }

        if (problems.Count > 0)
        {
            throw new CheckpointException($"{source}: {FileName} is not an adapter the engine can load: {string.Join("; ", problems)}.");
        }

        return new LoraConfig(rank!.Value, alpha!.Value) { TrainAttention = targets.Attention, TrainMlp = targets.Mlp, TrainUnembed = targets.Unembed };
    }

    /// <summary>The file's text for <paramref name="lora"/> over <paramref name="baseModel"/>; peft loads it as written.</summary>
    public static string Format(LoraConfig lora, string baseModel)
    {
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = baseModel,
            ["r"] = lora.Rank,
            ["lora_alpha"] = lora.ResolvedAlpha,
            ["target_modules"] = new JsonArray(Modules(lora).Select(name => (JsonNode?)JsonValue.Create(name)).ToArray()),
            ["lora_dropout"] = 0.0,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["use_rslora"] = false,
            ["use_dora"] = false,
            ["modules_to_save"] = null,
            ["inference_mode"] = true,
        };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>peft's <c>target_modules</c> for <paramref name="lora"/>: the short names of the adapted projections, then <c>lm_head</c>.</summary>
    private static IEnumerable<string> Modules(LoraConfig lora) =>
        lora.LayerModules().Select(ShortName).Concat(lora.TrainUnembed ? [LoraConfig.UnembedModule] : []);

    /// <summary>
    /// Which module groups <c>target_modules</c> adapts. A group (attention q/k/v/o, MLP gate/up/down)
    /// is adapted whole or not at all; naming part of one, an unknown module, or nothing is a problem.
    /// </summary>
    private static (bool Attention, bool Mlp, bool Unembed) ReadTargets(JsonNode? node, List<string> problems)
    {
        // peft saves target_modules as a list of module-name suffixes; "all-linear" means every
        // linear layer but the output head, which for these decoders is exactly the seven projections.
        if (node is JsonValue single && single.TryGetValue(out string? text) && text == "all-linear")
        {
            return (true, true, false);
        }

        if (node is not JsonArray list || list.Any(item => item is not JsonValue value || !value.TryGetValue(out string? _)))
        {
            problems.Add($"'target_modules' is {Show(node)}, expected a list of module names");
            return (true, true, false);
        }

        var names = list.Select(item => item!.GetValue<string>()).ToList();
        var known = LoraConfig.AttentionModules.Concat(LoraConfig.MlpModules).SelectMany(module => new[] { module, ShortName(module) }).Append(LoraConfig.UnembedModule).ToHashSet(StringComparer.Ordinal);
        var unknown = names.Where(name => !known.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"'target_modules' names {string.Join(", ", unknown)}; the engine adapts only {string.Join(", ", known.Where(name => !name.Contains('.', StringComparison.Ordinal)))}");
        }

        var covered = names.Select(ShortName).ToHashSet(StringComparer.Ordinal);
        var attention = Group("attention", LoraConfig.AttentionModules, covered, problems);
        var mlp = Group("MLP", LoraConfig.MlpModules, covered, problems);
        var unembed = covered.Contains(LoraConfig.UnembedModule);
        if (!attention && !mlp && !unembed && unknown.Count == 0)
        {
            problems.Add("'target_modules' is empty; an adapter must adapt at least one module");
        }

        return (attention, mlp, unembed);
    }

    /// <summary>Whether <paramref name="covered"/> names the whole group; naming only part of it is a problem.</summary>
    private static bool Group(string group, IReadOnlyList<string> modules, HashSet<string> covered, List<string> problems)
    {
        var named = modules.Select(ShortName).Where(covered.Contains).ToList();
        if (named.Count > 0 && named.Count < modules.Count)
        {
            var missing = modules.Select(ShortName).Where(name => !covered.Contains(name));
            problems.Add($"'target_modules' leaves out {string.Join(", ", missing)}; the engine adapts the {group} projections ({string.Join(", ", modules.Select(ShortName))}) all together or not at all");
        }

        return named.Count == modules.Count;
    }

    private static void Expect(JsonObject config, string key, string expected, List<string> problems)
    {
        if (!(config[key] is JsonValue value && value.TryGetValue(out string? text) && text == expected))
        {
            problems.Add($"'{key}' is {Show(config[key])}, expected \"{expected}\"");
        }
    }

    /// <summary>Absent, null, false, an empty list or an empty object: the option is off.</summary>
    private static bool IsOff(JsonNode? value) => value switch
    {
        null => true,
        JsonValue flag when flag.TryGetValue(out bool on) => !on,
        JsonArray list => list.Count == 0,
        JsonObject map => map.Count == 0,
        _ => false,
    };

    private static string Show(JsonNode? value) => value is null ? "absent or null" : value.ToJsonString();
}

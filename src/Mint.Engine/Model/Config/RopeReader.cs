using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace Mint.Engine.Model;

/// <summary>
/// Reads the rotary settings of either layout, as transformers 5's <c>convert_rope_params_to_dict</c> and
/// <c>standardize_rope_params</c> do: the rotary dictionary is <c>rope_scaling</c> (transformers 4) or
/// <c>rope_parameters</c> (transformers 5); <c>rope_theta</c> comes from it or from the top level;
/// <c>type</c> is the legacy spelling of <c>rope_type</c>; <c>original_max_position_embeddings</c> comes from the
/// top level (Phi-3 style), else the dictionary, else <c>max_position_embeddings</c>. Where the two layouts
/// could disagree (both given with different values) the folder is refused rather than one silently chosen.
/// </summary>
internal static class RopeReader
{
    /// <summary>The rope types the engine computes exactly.</summary>
    private static readonly string[] Supported = ["default", .. RopeScaling.SupportedTypes];

    private static readonly string[] YarnKeys = ["attention_factor", "beta_fast", "beta_slow", "mscale", "mscale_all_dim", "truncate"];

    public static (double Theta, RopeScaling? Scaling) Read(JsonFields top, int context, DecoderArchitecture architecture)
    {
        var (theta, scaling) = ReadDictionaries(top, context);
        if (theta is { } given)
        {
            return (given, scaling);
        }

        if (architecture.DefaultRopeTheta is null)
        {
            top.Problems.Add($"rope_theta is missing (neither rope_theta nor a rotary dictionary gives it) and transformers' default for model_type {JsonFields.Quote(architecture.ModelType)} is not the same in every version (supported: an explicit rope_theta)");
        }

        return (architecture.DefaultRopeTheta ?? 0, scaling);
    }

    private static (double? Theta, RopeScaling? Scaling) ReadDictionaries(JsonFields top, int context)
    {
        var topTheta = top.Number("rope_theta");
        var topOriginal = top.Int("original_max_position_embeddings");
        var legacy = Dictionary(top, "rope_scaling");
        var current = Dictionary(top, "rope_parameters");
        if (legacy is not null && current is not null && !JsonNode.DeepEquals(legacy, current))
        {
            top.Problems.Add($"rope_scaling {JsonFields.Show(legacy)} and rope_parameters {JsonFields.Show(current)} disagree (transformers 4 reads only rope_scaling, transformers 5 prefers it); supported: one of them, or both equal");
            return (topTheta, null);
        }

        if ((legacy ?? current) is not { } dictionary)
        {
            return (topTheta, null);
        }

        var rope = new JsonFields(dictionary, legacy is not null ? "rope_scaling." : "rope_parameters.", top.Problems);
        var type = RopeType(rope);
        var theta = Theta(rope, topTheta);
        var partial = rope.Number("partial_rotary_factor");
        if (partial is { } fraction && fraction != 1)
        {
            rope.Problems.Add($"{rope.Name("partial_rotary_factor")} {fraction.ToString(CultureInfo.InvariantCulture)} is not supported: the engine rotates the whole head (supported: 1 or absent)");
        }

        if (!Supported.Contains(type))
        {
            rope.Problems.Add($"{rope.Name("rope_type")} {JsonFields.Quote(type)} is not supported (supported: {string.Join(", ", Supported)})");
            return (theta, null);
        }

        var dictionaryOriginal = type is "llama3" or "yarn" ? rope.Int("original_max_position_embeddings") : null;
        var original = topOriginal ?? dictionaryOriginal ?? context;
        RopeScaling? scaling = type switch
        {
            "linear" => new RopeScaling(type, Required(rope, "factor", type)),
            "llama3" => new RopeScaling(type, Required(rope, "factor", type))
            {
                LowFreqFactor = Required(rope, "low_freq_factor", type),
                HighFreqFactor = Required(rope, "high_freq_factor", type),
                OriginalMaxPositionEmbeddings = original,
            },
            "yarn" => Yarn(rope, original, context),
            _ => null,
        };

        foreach (var (key, value) in rope.Unread)
        {
            rope.Problems.Add($"{rope.Name(key)} {JsonFields.Show(value)} is not supported for rope_type {JsonFields.Quote(type)} (supported keys: {string.Join(", ", KeysOf(type))})");
        }

        return (theta, scaling);
    }

    private static JsonObject? Dictionary(JsonFields top, string key)
    {
        var node = top.Take(key);
        if (node is null or JsonObject)
        {
            return (JsonObject?)node;
        }

        top.Problems.Add($"{key} {JsonFields.Show(node)} must be an object or null");
        return null;
    }

    private static string RopeType(JsonFields rope)
    {
        var type = rope.String("rope_type");
        var legacyType = rope.String("type");
        if (type is not null && legacyType is not null && type != legacyType)
        {
            rope.Problems.Add($"{rope.Name("rope_type")} {JsonFields.Quote(type)} and {rope.Name("type")} {JsonFields.Quote(legacyType)} disagree (supported: one of them, or both equal)");
        }

        return type ?? legacyType ?? "default";
    }

    private static double? Theta(JsonFields rope, double? topTheta)
    {
        var theta = rope.Number("rope_theta");
        if (theta is { } inner && topTheta is { } outer && inner != outer)
        {
            rope.Problems.Add($"{rope.Name("rope_theta")} {inner.ToString(CultureInfo.InvariantCulture)} and rope_theta {outer.ToString(CultureInfo.InvariantCulture)} disagree (supported: one of them, or both equal)");
        }

        return theta ?? topTheta;
    }

    private static RopeScaling Yarn(JsonFields rope, int original, int context)
    {
        // transformers 5 uses the explicit factor; only a null one is derived from the two context lengths.
        var factor = rope.Take("factor") is null ? (double)context / original : Required(rope, "factor", "yarn");
        return new RopeScaling("yarn", factor)
        {
            OriginalMaxPositionEmbeddings = original,
            AttentionFactor = rope.Number("attention_factor"),
            BetaFast = rope.Number("beta_fast"),
            BetaSlow = rope.Number("beta_slow"),
            Mscale = rope.Number("mscale"),
            MscaleAllDim = rope.Number("mscale_all_dim"),
            Truncate = rope.Bool("truncate") ?? true,
        };
    }

    private static double Required(JsonFields rope, string key, string type)
    {
        if (rope.Take(key) is null)
        {
            rope.Problems.Add($"{rope.Name(key)} is missing (rope_type {JsonFields.Quote(type)} requires it)");
            return 0;
        }

        return rope.Number(key) ?? 0;
    }

    private static string[] KeysOf(string type) => type switch
    {
        "linear" => ["rope_type", "rope_theta", "factor"],
        "llama3" => ["rope_type", "rope_theta", "factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"],
        "yarn" => ["rope_type", "rope_theta", "factor", "original_max_position_embeddings", .. YarnKeys],
        _ => ["rope_type", "rope_theta"],
    };
}

using System.Text.Json.Nodes;

namespace Mint.Engine.Model;

/// <summary>Writes a <see cref="ModelConfig"/> as transformers 5 writes <c>config.json</c> (rotary settings in <c>rope_parameters</c>).</summary>
internal static class ModelConfigWriter
{
    public static JsonObject Write(ModelConfig config)
    {
        var architecture = config.Architecture;
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(architecture.ClassName),
            ["model_type"] = config.ModelType,
            ["vocab_size"] = config.VocabSize,
            ["hidden_size"] = config.HiddenSize,
            ["intermediate_size"] = config.IntermediateSize,
            ["num_hidden_layers"] = config.NumHiddenLayers,
            ["num_attention_heads"] = config.NumAttentionHeads,
            ["num_key_value_heads"] = config.KeyValueHeads,
            ["head_dim"] = config.HeadDim,
            ["max_position_embeddings"] = config.MaxPositionEmbeddings,
            ["rms_norm_eps"] = config.RmsNormEps,
            ["hidden_act"] = "silu",
            ["tie_word_embeddings"] = config.TieWordEmbeddings,
            ["rope_parameters"] = RopeParameters(config),
        };
        if (architecture.ReadsAttentionBias)
        {
            json["attention_bias"] = config.AttentionBias;
        }

        if (architecture.ReadsMlpBias)
        {
            json["mlp_bias"] = config.MlpBias;
        }

        return json;
    }

    private static JsonObject RopeParameters(ModelConfig config)
    {
        var scaling = config.RopeScaling;
        var rope = new JsonObject { ["rope_type"] = scaling?.Type ?? "default", ["rope_theta"] = config.RopeTheta };
        if (scaling is null)
        {
            return rope;
        }

        rope["factor"] = scaling.Factor;
        void Optional(string key, double? value)
        {
            if (value is { } present)
            {
                rope[key] = present;
            }
        }

        if (scaling.OriginalMaxPositionEmbeddings is { } original)
        {
            rope["original_max_position_embeddings"] = original;
        }

        Optional("low_freq_factor", scaling.LowFreqFactor);
        Optional("high_freq_factor", scaling.HighFreqFactor);
        Optional("attention_factor", scaling.AttentionFactor);
        Optional("beta_fast", scaling.BetaFast);
        Optional("beta_slow", scaling.BetaSlow);
        Optional("mscale", scaling.Mscale);
        Optional("mscale_all_dim", scaling.MscaleAllDim);
        if (scaling.Type == "yarn")
        {
            rope["truncate"] = scaling.Truncate;
        }

        return rope;
    }
}

using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Xunit;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// A config.json whose math the engine cannot reproduce exactly is refused, naming the key, its value and
/// what is supported; nothing is silently defaulted. Each case edits a folder transformers wrote.
/// </summary>
public sealed class ConfigRefusalTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private string Refusal(string fixture, Action<JsonObject> edit)
    {
        var path = directory.File("config.json");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TransformersFixture.Open(fixture).Folder, "config.json")))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Assert.Throws<ModelLoadException>(() => ModelConfig.Load(path)).Message.Replace(path + ": ", "", StringComparison.Ordinal);
    }

    private ModelConfig Accepted(string fixture, Action<JsonObject> edit)
    {
        var path = directory.File("config.json");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TransformersFixture.Open(fixture).Folder, "config.json")))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
        return ModelConfig.Load(path);
    }

    [Fact]
    public void An_unsupported_model_type_is_named_with_the_supported_ones() =>
        Assert.Equal(
            "model_type \"gemma2\" is not supported (supported: llama, mistral, qwen2, qwen3).",
            Refusal("llama-theta5e5", json => json["model_type"] = "gemma2"));

    [Fact]
    public void A_head_other_than_the_causal_lm_is_refused() =>
        Assert.Equal(
            "architectures [\"LlamaForSequenceClassification\"] is not supported for model_type \"llama\" (supported: [\"LlamaForCausalLM\"]).",
            Refusal("llama-theta5e5", json => json["architectures"] = new JsonArray("LlamaForSequenceClassification")));

    [Fact]
    public void An_unsupported_rope_type_is_named_in_either_layout()
    {
        Assert.Equal(
            "rope_parameters.rope_type \"dynamic\" is not supported (supported: default, linear, llama3, yarn).",
            Refusal("llama-theta5e5", json => json["rope_parameters"] = new JsonObject { ["rope_type"] = "dynamic", ["rope_theta"] = 500000.0, ["factor"] = 2.0 }));
        Assert.Equal(
            "rope_scaling.rope_type \"longrope\" is not supported (supported: default, linear, llama3, yarn).",
            Refusal("llama3-scaled-legacy", json => json["rope_scaling"]!["rope_type"] = "longrope"));
    }

    [Fact]
    public void An_unknown_rope_sub_option_is_refused_with_the_keys_of_its_type() =>
        Assert.Equal(
            "rope_scaling.mrope_section [16,24,24] is not supported for rope_type \"llama3\" (supported keys: rope_type, rope_theta, factor, low_freq_factor, high_freq_factor, original_max_position_embeddings).",
            Refusal("llama3-scaled-legacy", json => json["rope_scaling"]!["mrope_section"] = new JsonArray(16, 24, 24)));

    [Fact]
    public void A_missing_llama3_parameter_is_named() =>
        Assert.Equal(
            "rope_scaling.low_freq_factor is missing (rope_type \"llama3\" requires it).",
            Refusal("llama3-scaled-legacy", json => json["rope_scaling"]!.AsObject().Remove("low_freq_factor")));

    [Fact]
    public void Rotary_settings_that_disagree_between_layouts_are_refused()
    {
        Assert.Equal(
            "rope_parameters.rope_theta 500000 and rope_theta 10000 disagree (supported: one of them, or both equal).",
            Refusal("llama-theta5e5", json => json["rope_theta"] = 10000.0));
        Assert.Equal(
            "rope_scaling {\"rope_type\":\"linear\",\"factor\":2} and rope_parameters {\"rope_theta\":500000.0,\"rope_type\":\"default\"} disagree (transformers 4 reads only rope_scaling, transformers 5 prefers it); supported: one of them, or both equal.",
            Refusal("llama-theta5e5", json => json["rope_scaling"] = new JsonObject { ["rope_type"] = "linear", ["factor"] = 2 }));
    }

    [Fact]
    public void A_missing_rotary_base_defaults_only_where_every_transformers_version_agrees()
    {
        Assert.Equal(
            "rope_theta is missing (neither rope_theta nor a rotary dictionary gives it) and transformers' default for model_type \"qwen3\" is not the same in every version (supported: an explicit rope_theta).",
            Refusal("qwen3-legacy", json => json.Remove("rope_theta")));
        Assert.Equal(10000, Accepted("llama-theta5e5", json => json.Remove("rope_parameters")).RopeTheta);
    }

    [Fact]
    public void An_activation_other_than_silu_is_refused() =>
        Assert.Equal(
            "hidden_act \"gelu_pytorch_tanh\" is not supported (supported: silu).",
            Refusal("qwen3-legacy", json => json["hidden_act"] = "gelu_pytorch_tanh"));

    [Fact]
    public void A_sliding_window_below_the_context_is_refused()
    {
        Assert.Equal(
            "sliding_window 64 is in effect below the context (max_position_embeddings 256) on layers 1; the engine has no sliding-window attention (supported: no sliding layers, or a window of at least the context).",
            Refusal("qwen2-tied", json =>
            {
                json["use_sliding_window"] = true;
                json["sliding_window"] = 64;
                json["max_window_layers"] = 1;
                json.Remove("layer_types");
            }));
        Assert.Equal(
            "sliding_window 128 is in effect below the context (max_position_embeddings 256) on layers 0, 1; the engine has no sliding-window attention (supported: no sliding layers, or a window of at least the context).",
            Refusal("qwen3-legacy", json =>
            {
                json["use_sliding_window"] = true;
                json["sliding_window"] = 128;
                json["layer_types"] = new JsonArray("sliding_attention", "sliding_attention");
            }));
    }

    [Fact]
    public void A_sliding_window_that_covers_the_context_changes_nothing_and_loads()
    {
        var config = Accepted("qwen2-tied", json =>
        {
            json["use_sliding_window"] = true;
            json["sliding_window"] = 256;
            json["layer_types"] = new JsonArray("sliding_attention", "sliding_attention");
        });

        Assert.Equal("qwen2", config.ModelType);
    }

    [Fact]
    public void A_bias_the_architecture_does_not_have_is_refused() =>
        Assert.Equal(
            "mlp_bias true is not supported for model_type \"qwen3\", whose transformers class has no such bias (supported: false or absent).",
            Refusal("qwen3-legacy", json => json["mlp_bias"] = true));

    [Fact]
    public void Attention_dropout_is_refused() =>
        Assert.Equal(
            "attention_dropout 0.1 is not supported: the engine has no attention dropout (supported: 0 or absent).",
            Refusal("llama-theta5e5", json => json["attention_dropout"] = 0.1));

    [Fact]
    public void Unknown_and_quantisation_keys_are_refused_by_name()
    {
        Assert.Equal(
            "attn_logit_softcapping 50 is not a key the engine knows; it may change the model's math, so the folder is refused (remove it if it is only metadata).",
            Refusal("llama-theta5e5", json => json["attn_logit_softcapping"] = 50.0));
        Assert.Equal(
            "quantization_config {\"quant_method\":\"bitsandbytes\"} is not supported: quantized checkpoints are not supported (supported: float32, bfloat16 and float16 safetensors).",
            Refusal("llama-theta5e5", json => json["quantization_config"] = new JsonObject { ["quant_method"] = "bitsandbytes" }));
    }

    [Fact]
    public void Every_problem_is_reported_at_once() =>
        Assert.Equal(
            "vocab_size is missing; hidden_act \"relu\" is not supported (supported: silu); rope_scaling.rope_type \"dynamic\" is not supported (supported: default, linear, llama3, yarn).",
            Refusal("llama3-scaled-legacy", json =>
            {
                json.Remove("vocab_size");
                json["hidden_act"] = "relu";
                json["rope_scaling"]!["rope_type"] = "dynamic";
            }));

    [Fact]
    public void Inert_keys_load_and_both_layouts_are_read()
    {
        var legacy = Accepted("llama3-scaled-legacy", json =>
        {
            json["_name_or_path"] = "meta-llama/Llama-3.2-1B";
            json["torch_dtype"] = "bfloat16";
            json["temperature"] = 0.6;
        });
        var current = Accepted("llama-theta5e5", _ => { });

        Assert.Equal(new RopeScaling("llama3", 8) { LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 64 }, legacy.RopeScaling);
        Assert.Equal(500000, legacy.RopeTheta);
        Assert.Equal(500000, current.RopeTheta);
        Assert.Null(current.RopeScaling);
    }
}

using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// Weights are checked both ways against the config: a tensor the decoder needs and the file lacks, one of
/// the wrong shape or storage type, and one in the file the decoder would not use are all errors naming it.
/// </summary>
public sealed class WeightCheckTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private string Copy(string fixture) => TransformersFixture.Open(fixture).CopyTo(directory);

    private static void EditWeights(string folder, Action<System.Collections.Generic.Dictionary<string, Tensor>> edit, string file = PretrainedModel.WeightsFile)
    {
        var path = Path.Combine(folder, file);
        var weights = Safetensors.LoadStateDict(path);
        edit(weights);
        Safetensors.SaveStateDict(path, weights);
    }

    private static void EditJson(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private static string Refusal(string folder) => Assert.Throws<ModelLoadException>(() => PretrainedModel.Load(folder)).Message;

    [Fact]
    public void A_tensor_the_decoder_would_not_use_is_named()
    {
        var folder = Copy("llama-theta5e5");
        EditWeights(folder, weights => weights["model.layers.0.self_attn.q_norm.weight"] = ones(16));

        Assert.Equal(
            $"{folder} does not match its config.json: model.layers.0.self_attn.q_norm.weight [16] is in the checkpoint but a llama decoder of this config does not use it.",
            Refusal(folder));
    }

    [Fact]
    public void Qwen3_weights_under_a_llama_config_are_refused_instead_of_dropping_the_norms()
    {
        var folder = Copy("qwen3-legacy");
        EditJson(Path.Combine(folder, PretrainedModel.ConfigFile), json =>
        {
            json["model_type"] = "llama";
            json["architectures"] = new JsonArray("LlamaForCausalLM");
            json.Remove("layer_types");
            json.Remove("max_window_layers");
            json.Remove("use_sliding_window");
            json.Remove("sliding_window");
        });

        Assert.Equal(
            $"{folder} does not match its config.json: "
            + "model.layers.0.self_attn.k_norm.weight [32] is in the checkpoint but a llama decoder of this config does not use it; "
            + "model.layers.0.self_attn.q_norm.weight [32] is in the checkpoint but a llama decoder of this config does not use it; "
            + "model.layers.1.self_attn.k_norm.weight [32] is in the checkpoint but a llama decoder of this config does not use it; "
            + "model.layers.1.self_attn.q_norm.weight [32] is in the checkpoint but a llama decoder of this config does not use it.",
            Refusal(folder));
    }

    [Fact]
    public void A_missing_or_misshapen_qwen3_norm_is_named()
    {
        var folder = Copy("qwen3-bf16");
        EditWeights(folder, weights =>
        {
            weights.Remove("model.layers.1.self_attn.k_norm.weight");
            weights["model.layers.0.self_attn.q_norm.weight"] = ones(16, ScalarType.BFloat16);
        });

        Assert.Equal(
            $"{folder} does not match its config.json: model.layers.0.self_attn.q_norm.weight is [16] but the config implies [32]; missing model.layers.1.self_attn.k_norm.weight [32].",
            Refusal(folder));
    }

    [Theory]
    [InlineData("llama", true, true, "o_proj.bias,q_proj.bias,k_proj.bias,v_proj.bias,down_proj.bias,gate_proj.bias,up_proj.bias")]
    [InlineData("qwen3", true, false, "o_proj.bias,q_proj.bias,k_proj.bias,v_proj.bias")]
    [InlineData("qwen2", false, false, "q_proj.bias,k_proj.bias,v_proj.bias")]
    [InlineData("mistral", false, false, "")]
    public void Bias_flags_give_exactly_the_bias_tensors_transformers_creates(string modelType, bool attentionBias, bool mlpBias, string biases)
    {
        var config = TinyModel.Config() with { ModelType = modelType, AttentionBias = attentionBias, MlpBias = mlpBias, HeadDimension = 8 };

        var layerZero = ModelWeights.Expected(config).Select(entry => entry.Name)
            .Where(name => name.StartsWith("model.layers.0.", StringComparison.Ordinal) && name.EndsWith(".bias", StringComparison.Ordinal))
            .Select(name => name.Split('.')[^2] + ".bias");

        Assert.Equal(biases.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), layerZero.Order());
        using var model = TinyModel.Load(config);
        using var noGrad = no_grad();
        Assert.Equal([1L, 3, config.VocabSize], new DecoderModel(model.Weights, null).Forward(tensor(new long[] { 1, 2, 3 }).unsqueeze(0)).shape);
    }

    [Fact]
    public void Float16_weights_load_as_their_exact_float32_widening()
    {
        var folder = Copy("llama-theta5e5");
        EditWeights(folder, weights =>
        {
            foreach (var name in weights.Keys.ToList())
            {
                weights[name] = weights[name].to(ScalarType.Float16);
            }
        });
        using var original = PretrainedModel.Load(TransformersFixture.Open("llama-theta5e5").Folder);

        using var half = PretrainedModel.Load(folder);

        Assert.All(original.Weights.Names, name =>
        {
            Assert.Equal(ScalarType.Float32, half.Weights[name].dtype);
            Assert.True(allclose(original.Weights[name].to(ScalarType.Float16).to(ScalarType.Float32), half.Weights[name], 0, 0), name);
        });
    }

    [Fact]
    public void A_storage_type_other_than_float_is_refused()
    {
        var folder = Copy("llama-theta5e5");
        EditWeights(folder, weights => weights["model.norm.weight"] = ones(64, ScalarType.Int8));

        Assert.Equal(
            $"{folder} does not match its config.json: model.norm.weight is stored as Int8, which the engine does not load (supported: Float32, BFloat16, Float16, Float64).",
            Refusal(folder));
    }

    [Fact]
    public void A_tied_head_saved_anyway_loads_only_when_it_is_the_embedding()
    {
        var folder = Copy("llama3-scaled-legacy");
        EditWeights(folder, weights => weights["lm_head.weight"] = weights["model.embed_tokens.weight"].clone());
        using (var model = PretrainedModel.Load(folder))
        {
            Assert.Null(model.Weights.Find("lm_head.weight"));
        }

        EditWeights(folder, weights => weights["lm_head.weight"] = weights["model.embed_tokens.weight"] * 2);
        Assert.Equal(
            $"{folder} does not match its config.json: lm_head.weight differs from model.embed_tokens.weight but tie_word_embeddings is true, so it would be ignored (supported: tie_word_embeddings false, or no lm_head.weight).",
            Refusal(folder));
    }

    [Fact]
    public void A_shard_named_by_the_index_must_exist()
    {
        var folder = Copy("qwen2-tied-sharded");
        File.Delete(Path.Combine(folder, "model-00002-of-00003.safetensors"));

        Assert.Equal(
            $"The weights in {folder} are inconsistent: model.safetensors.index.json names shard model-00002-of-00003.safetensors, which is not in the folder.",
            Refusal(folder));
    }

    [Fact]
    public void Every_tensor_must_be_in_the_shard_the_index_names()
    {
        var folder = Copy("qwen2-tied-sharded");
        EditJson(Path.Combine(folder, SafetensorsFiles.IndexFile), json => json["weight_map"]!["model.norm.weight"] = "model-00001-of-00003.safetensors");

        Assert.Equal(
            $"The weights in {folder} are inconsistent: model.norm.weight is in model-00003-of-00003.safetensors but model.safetensors.index.json places it in model-00001-of-00003.safetensors; "
            + "model.safetensors.index.json places model.norm.weight in model-00001-of-00003.safetensors, which does not contain it.",
            Refusal(folder));
    }

    [Fact]
    public void A_weights_file_beside_the_shards_that_the_index_does_not_name_is_refused()
    {
        var folder = Copy("qwen2-tied-sharded");
        File.Copy(Path.Combine(TransformersFixture.Open("qwen2-tied").Folder, PretrainedModel.WeightsFile), Path.Combine(folder, PretrainedModel.WeightsFile));

        Assert.Equal(
            $"The weights in {folder} are inconsistent: model.safetensors is not named by model.safetensors.index.json.",
            Refusal(folder));
    }

    [Fact]
    public void Sharded_weights_load_as_the_single_file_does()
    {
        using var sharded = PretrainedModel.Load(TransformersFixture.Open("qwen2-tied-sharded").Folder);
        using var single = PretrainedModel.Load(TransformersFixture.Open("qwen2-tied").Folder);

        Assert.Equal(single.Weights.Names, sharded.Weights.Names);
        Assert.All(single.Weights.Names, name => Assert.True(allclose(single.Weights[name], sharded.Weights[name], 0, 0), name));
    }
}

using System.IO;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Tests.Model;

/// <summary>The decoder: caching, padding, loading, adapters.</summary>
public sealed class DecoderModelTests
{
    private static Tensor Tokens(params long[] ids) => tensor(ids).unsqueeze(0);

    [Fact]
    public void Cached_decoding_gives_the_same_logits_as_a_full_pass()
    {
        using var model = TinyModel.Load();
        var decoder = new DecoderModel(model.Weights, null);
        using var noGrad = no_grad();
        long[] sequence = [3, 17, 5, 9, 41, 2, 30];

        var full = decoder.Forward(Tokens(sequence));
        using var cache = new KvCache(model.Config.NumHiddenLayers, sequence.Length);
        var prefill = decoder.Forward(Tokens(sequence[..4]), cache);
        var steps = sequence[4..].Select(token => decoder.Forward(Tokens(token), cache)).ToList();

        Assert.True(allclose(full.narrow(1, 0, 4), prefill, rtol: 1e-4, atol: 1e-5));
        for (var index = 0; index < steps.Count; index++)
        {
            Assert.True(allclose(full.narrow(1, 4 + index, 1), steps[index], rtol: 1e-4, atol: 1e-5), $"step {index}");
        }
    }

    [Fact]
    public void A_chunk_after_a_cached_prefix_matches_the_full_pass()
    {
        using var model = TinyModel.Load();
        var decoder = new DecoderModel(model.Weights, null);
        using var noGrad = no_grad();
        long[] sequence = [1, 2, 3, 4, 5, 6, 7, 8];

        var full = decoder.Forward(Tokens(sequence));
        using var cache = new KvCache(model.Config.NumHiddenLayers, sequence.Length);
        decoder.Forward(Tokens(sequence[..3]), cache);
        var chunk = decoder.Forward(Tokens(sequence[3..]), cache);

        Assert.True(allclose(full.narrow(1, 3, 5), chunk, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Right_padding_does_not_change_a_rows_logprobs()
    {
        using var model = TinyModel.Load();
        var decoder = new DecoderModel(model.Weights, null);
        using var noGrad = no_grad();

        var alone = decoder.TargetLogprobs(Tokens(4, 8, 15), Tokens(8, 15, 16));
        var padded = decoder.TargetLogprobs(tensor(new long[] { 4, 8, 15, 0, 0, 9, 9, 9, 9, 9 }, [2, 5]), tensor(new long[] { 8, 15, 16, 0, 0, 9, 9, 9, 9, 9 }, [2, 5]));

        Assert.True(allclose(alone, padded.narrow(0, 0, 1).narrow(1, 0, 3), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Logprobs_are_normalised_over_the_vocabulary()
    {
        using var model = TinyModel.Load();
        var decoder = new DecoderModel(model.Weights, null);
        using var noGrad = no_grad();

        var logits = decoder.Forward(Tokens(1, 2, 3));
        var total = functional.log_softmax(logits, -1).exp().sum(-1);

        Assert.True(allclose(total, ones_like(total), atol: 1e-5));
    }

    [Fact]
    public void Saved_model_loads_back_with_identical_outputs()
    {
        using var original = new PretrainedModel("tiny", ModelWeights.Random(TinyModel.Config(), seed: 5));
        var folder = Directory.CreateTempSubdirectory("mint-model-").FullName;
        original.Save(folder);
        using var loaded = PretrainedModel.Load(folder);
        using var noGrad = no_grad();

        var before = new DecoderModel(original.Weights, null).Forward(Tokens(7, 7, 1));
        var after = new DecoderModel(loaded.Weights, null).Forward(Tokens(7, 7, 1));

        Assert.True(allclose(before, after, rtol: 0, atol: 0));
        Assert.Equal(Path.GetFileName(folder), loaded.Name);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void Tied_embeddings_and_qwen2_biases_load()
    {
        var config = TinyModel.Config() with { ModelType = "qwen2", TieWordEmbeddings = true };
        using var model = TinyModel.Load(config);

        Assert.Null(model.Weights.Find("lm_head.weight"));
        Assert.NotNull(model.Weights.Find("model.layers.1.self_attn.k_proj.bias"));
        using var noGrad = no_grad();
        Assert.Equal([1L, 2, config.VocabSize], new DecoderModel(model.Weights, null).Forward(Tokens(1, 2)).shape);
    }

    [Fact]
    public void Weights_that_do_not_match_the_config_are_named()
    {
        var folder = TinyModel.SaveFolder();
        var weights = Safetensors.LoadStateDict(Path.Combine(folder, PretrainedModel.WeightsFile));
        weights["model.layers.0.mlp.up_proj.weight"] = zeros(3, 3);
        weights.Remove("model.norm.weight");
        Safetensors.SaveStateDict(Path.Combine(folder, PretrainedModel.WeightsFile), weights);

        var error = Assert.Throws<ModelLoadException>(() => PretrainedModel.Load(folder));

        Assert.Equal(
            $"{folder} does not match its config.json: model.layers.0.mlp.up_proj.weight is [3, 3] but the config implies [64, 32]; missing model.norm.weight [32].",
            error.Message);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void Inconsistent_config_is_rejected_with_every_problem()
    {
        var config = TinyModel.Config() with { NumKeyValueHeads = 3, VocabSize = 0 };

        var error = Assert.Throws<ModelLoadException>(() => config.Check("config.json"));

        Assert.Equal("config.json: vocab_size must be positive (is 0); num_attention_heads (4) must be a multiple of num_key_value_heads (3).", error.Message);
    }

    [Fact]
    public void Missing_folder_and_files_are_reported()
    {
        var empty = Directory.CreateTempSubdirectory("mint-model-").FullName;

        Assert.Equal($"Model folder {empty} has no config.json.", Assert.Throws<ModelLoadException>(() => PretrainedModel.Load(empty)).Message);
        TinyModel.Config().Save(Path.Combine(empty, PretrainedModel.ConfigFile));
        Assert.Equal($"Model folder {empty} has no *.safetensors weights.", Assert.Throws<ModelLoadException>(() => PretrainedModel.Load(empty)).Message);
        Directory.Delete(empty, true);
    }

    [Fact]
    public void Fresh_adapters_leave_the_model_unchanged()
    {
        using var model = TinyModel.Load();
        using var adapters = new LoraAdapters(model.Config, new LoraConfig(Rank: 4, Seed: 3), CPU);
        using var noGrad = no_grad();

        var plain = new DecoderModel(model.Weights, null).Forward(Tokens(5, 6, 7));
        var adapted = new DecoderModel(model.Weights, adapters).Forward(Tokens(5, 6, 7));

        Assert.True(allclose(plain, adapted, rtol: 0, atol: 0));
        Assert.Equal(2 * 7 * model.Config.NumHiddenLayers, adapters.Parameters().Count());
    }

    [Fact]
    public void A_tokenizer_json_in_the_folder_is_loaded_and_checked_against_the_vocabulary()
    {
        var config = TinyModel.Config(vocab: 300);
        var folder = TinyModel.SaveFolder(config);
        Mint.Engine.Tokenization.TokenizerFile.WriteByteLevelBpe(Path.Combine(folder, PretrainedModel.TokenizerFileName), [("h", "i")], ["<|end|>"]);

        using (var model = PretrainedModel.Load(folder))
        {
            Assert.Equal([256, 257], model.Tokenizer!.EncodeToIds("hi<|end|>"));
        }

        (config with { VocabSize = 257 }).Save(Path.Combine(folder, PretrainedModel.ConfigFile));
        var error = Assert.Throws<ModelLoadException>(() => PretrainedModel.Load(folder));
        Assert.Equal($"{Path.Combine(folder, PretrainedModel.TokenizerFileName)} has token id 257, but the model's vocab_size is 257.", error.Message);
        Directory.Delete(folder, true);
    }
}

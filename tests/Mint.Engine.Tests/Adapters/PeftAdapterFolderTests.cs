using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mint.Dsl;
using Mint.Engine.Adapters;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Adapters;

/// <summary>
/// Adapters in peft's layout, against a folder peft 0.21 wrote (<c>Fixtures/peft-qwen3-legacy</c>):
/// read, written back, refused where the engine cannot compute what peft would, and applied.
/// </summary>
public sealed class PeftAdapterFolderTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", "peft-qwen3-legacy");

    /// <summary>The shapes of the fixture's base model (qwen3-legacy) on a decoder the engine runs today.</summary>
    private static ModelConfig FixtureShapes() => new()
    {
        ModelType = "llama",
        VocabSize = 512,
        HiddenSize = 64,
        IntermediateSize = 128,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDimension = 32,
        MaxPositionEmbeddings = 256,
        RmsNormEps = 1e-5,
        RopeTheta = 1e6,
        TieWordEmbeddings = true,
    };

    [Fact]
    public void Reading_the_peft_fixture_gives_rank_alpha_and_every_tensor_under_the_engines_name()
    {
        var adapter = PeftAdapterFolder.Read(Fixture);

        Assert.Equal(4, adapter.Lora.Rank);
        Assert.Equal(8.0, adapter.Lora.ResolvedAlpha);
        Assert.Equal(28, adapter.Tensors.Count);
        Assert.Equal([4, 64], adapter.Tensors["model.layers.0.self_attn.q_proj.lora_A.weight"].Shape);
        Assert.Equal([128, 4], adapter.Tensors["model.layers.0.self_attn.q_proj.lora_B.weight"].Shape);
        Assert.Equal([64, 4], adapter.Tensors["model.layers.1.mlp.down_proj.lora_B.weight"].Shape);

        // The values are the file's, read independently of the engine's safetensors reader.
        var raw = SafetensorsReader.Read(Path.Combine(Fixture, PeftAdapterFolder.WeightsFile));
        var expected = MemoryMarshalFloats(raw["base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight"].Bytes);
        Assert.Equal(expected, adapter.Tensors["model.layers.1.self_attn.k_proj.lora_B.weight"].ToSingles());
        Assert.Contains(expected, value => value != 0);
    }

    [Fact]
    public void The_engine_with_the_imported_adapter_computes_peft_s_logprobs_to_1e_5()
    {
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture, "reference.json")))!;
        var sequences = reference["sequences"]!.AsArray().Select(sequence => sequence!.AsArray().Select(token => (int)token!).ToArray()).ToList();
        var expected = reference["logprobs_float64"]!.AsArray().Select(row => row!.AsArray().Select(value => (double)value!).ToArray()).ToList();
        using var engine = new MintEngine(PretrainedModel.Load(TransformersFixture.Open("qwen3-legacy").Folder));
        var adapted = engine.CreateSession(PeftAdapterFolder.Read(Fixture));
        var plain = engine.CreateSession(new LoraConfig(4));

        var logprobs = adapted.Forward(sequences.Select(sequence => Data.Sft(sequence)).ToList()).Logprobs;
        var baseLogprobs = plain.Forward(sequences.Select(sequence => Data.Sft(sequence)).ToList()).Logprobs;

        for (var row = 0; row < sequences.Count; row++)
        {
            var got = logprobs[row].ToDoubles();
            Assert.Equal(expected[row].Length, got.Length);
            Assert.True(got.Zip(expected[row]).Max(pair => Math.Abs(pair.First - pair.Second)) < 1e-5, $"sequence {row}: max difference {got.Zip(expected[row]).Max(pair => Math.Abs(pair.First - pair.Second)):E2}");
            Assert.True(baseLogprobs[row].ToDoubles().Zip(expected[row]).Max(pair => Math.Abs(pair.First - pair.Second)) > 1e-3, "the adapter changes the model");
        }
    }

    [Fact]
    public void Writing_the_fixture_back_gives_the_same_tensors_under_the_same_names_and_config()
    {
        using var folder = new TempDirectory();
        PeftAdapterFolder.Write(folder.Path, PeftAdapterFolder.Read(Fixture), "qwen3-legacy");

        var original = SafetensorsReader.Read(Path.Combine(Fixture, PeftAdapterFolder.WeightsFile));
        var written = SafetensorsReader.Read(Path.Combine(folder.Path, PeftAdapterFolder.WeightsFile));
        Assert.Equal(original.Keys.Order(), written.Keys.Order());
        foreach (var (name, entry) in original)
        {
            Assert.Equal(entry.DType, written[name].DType);
            Assert.Equal(entry.Shape, written[name].Shape);
            Assert.True(entry.Bytes.AsSpan().SequenceEqual(written[name].Bytes), $"{name} differs");
        }

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, PeftAdapterFolder.ConfigFile)))!.AsObject();
        var peft = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture, PeftAdapterFolder.ConfigFile)))!.AsObject();
        foreach (var key in new[] { "peft_type", "task_type", "r", "lora_alpha", "bias", "use_rslora", "use_dora", "fan_in_fan_out" })
        {
            Assert.True(JsonNode.DeepEquals(peft[key], config[key]) || peft[key]!.GetValue<double>() == config[key]!.GetValue<double>(), key);
        }

        Assert.Equal(
            peft["target_modules"]!.AsArray().Select(node => node!.GetValue<string>()).Order(),
            config["target_modules"]!.AsArray().Select(node => node!.GetValue<string>()).Order());
    }

    [Theory]
    [InlineData("use_rslora", "true")]
    [InlineData("use_dora", "true")]
    [InlineData("bias", "\"all\"")]
    [InlineData("lora_bias", "true")]
    [InlineData("fan_in_fan_out", "true")]
    [InlineData("modules_to_save", "[\"lm_head\"]")]
    [InlineData("rank_pattern", "{\"q_proj\": 8}")]
    [InlineData("alpha_pattern", "{\"q_proj\": 16}")]
    [InlineData("layers_to_transform", "[0]")]
    [InlineData("trainable_token_indices", "[1, 2]")]
    [InlineData("target_modules", "[\"q_proj\", \"v_proj\"]")]
    [InlineData("ensure_weight_tying", "true")]
    [InlineData("peft_type", "\"IA3\"")]
    [InlineData("task_type", "\"SEQ_CLS\"")]
    [InlineData("r", "0")]
    [InlineData("lora_alpha", "-1")]
    [InlineData("some_future_option", "{\"on\": true}")]
    public void An_option_the_engine_cannot_honour_is_refused_by_name(string key, string json)
    {
        using var folder = FixtureCopy(config => config[key] = JsonNode.Parse(json));

        var error = Assert.Throws<CheckpointException>(() => PeftAdapterFolder.Read(folder.Path));

        Assert.Contains($"'{key}'", error.Message);
    }

    [Theory]
    [InlineData("[\"q_proj\", \"v_proj\", \"gate_proj\", \"up_proj\", \"down_proj\"]", "'target_modules' leaves out k_proj, o_proj; the engine adapts the attention projections (q_proj, k_proj, v_proj, o_proj) all together or not at all")]
    [InlineData("[\"q_proj\", \"k_proj\", \"v_proj\", \"o_proj\", \"up_proj\"]", "'target_modules' leaves out gate_proj, down_proj; the engine adapts the MLP projections (gate_proj, up_proj, down_proj) all together or not at all")]
    [InlineData("[\"q_proj\", \"k_proj\", \"v_proj\", \"o_proj\", \"embed_tokens\"]", "'target_modules' names embed_tokens; the engine adapts only q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head")]
    [InlineData("[]", "'target_modules' is empty; an adapter must adapt at least one module")]
    public void Target_modules_the_engine_cannot_honour_are_refused_saying_why(string modules, string reason)
    {
        using var folder = FixtureCopy(config => config["target_modules"] = JsonNode.Parse(modules));

        var error = Assert.Throws<CheckpointException>(() => PeftAdapterFolder.Read(folder.Path));

        Assert.Equal($"{folder.Path}: {PeftAdapterFolder.ConfigFile} is not an adapter the engine can load: {reason}.", error.Message);
    }

    [Fact]
    public void Every_refused_option_is_named_at_once_and_descriptive_options_are_accepted()
    {
        using var refused = FixtureCopy(config =>
        {
            config["use_rslora"] = true;
            config["modules_to_save"] = new JsonArray("lm_head");
        });
        var error = Assert.Throws<CheckpointException>(() => PeftAdapterFolder.Read(refused.Path));
        Assert.Contains("'use_rslora'", error.Message);
        Assert.Contains("'modules_to_save'", error.Message);

        using var accepted = FixtureCopy(config =>
        {
            config["lora_dropout"] = 0.05;
            config["base_model_name_or_path"] = "Qwen/Qwen3-0.6B";
            config["target_modules"] = "all-linear";
        });
        Assert.Equal(4, PeftAdapterFolder.Read(accepted.Path).Lora.Rank);
    }

    [Fact]
    public void A_folder_with_a_pickled_adapter_only_is_refused_naming_the_file()
    {
        using var folder = new TempDirectory();
        File.Copy(Path.Combine(Fixture, PeftAdapterFolder.ConfigFile), folder.File(PeftAdapterFolder.ConfigFile));
        File.WriteAllBytes(folder.File("adapter_model.bin"), [1, 2, 3]);

        var error = Assert.Throws<CheckpointException>(() => PeftAdapterFolder.Read(folder.Path));

        Assert.Contains("adapter_model.bin", error.Message);
        Assert.Contains(PeftAdapterFolder.WeightsFile, error.Message);
    }

    [Fact]
    public void An_imported_adapter_adds_B_A_times_alpha_over_r_to_each_projection()
    {
        // Reference: the base weights with peft's delta W + (alpha / r) · B · A merged in by hand,
        // run with a fresh (zero-B) session; against it, the unmerged base with the adapter imported.
        using var baseFolder = new TempDirectory();
        using var mergedFolder = new TempDirectory();
        PretrainedModel.SaveRandom(baseFolder.Path, FixtureShapes(), seed: 5);
        var adapter = PeftAdapterFolder.Read(Fixture);
        var weights = Safetensors.LoadStateDict(Path.Combine(baseFolder.Path, PretrainedModel.WeightsFile));
        foreach (var name in adapter.Tensors.Keys.Where(name => name.EndsWith(".lora_A.weight", StringComparison.Ordinal)))
        {
            var projection = name[..^".lora_A.weight".Length];
            var a = ToTensor(adapter.Tensors[name]).to(float64);
            var b = ToTensor(adapter.Tensors[projection + ".lora_B.weight"]).to(float64);
            var merged = weights[projection + ".weight"].to(float64) + b.matmul(a) * (8.0 / 4.0);
            weights[projection + ".weight"] = merged.to(float32);
        }

        File.Copy(Path.Combine(baseFolder.Path, PretrainedModel.ConfigFile), Path.Combine(mergedFolder.Path, PretrainedModel.ConfigFile));
        Safetensors.SaveStateDict(Path.Combine(mergedFolder.Path, PretrainedModel.WeightsFile), weights);

        using var adapted = new MintEngine(PretrainedModel.Load(baseFolder.Path));
        using var reference = new MintEngine(PretrainedModel.Load(mergedFolder.Path));
        var batch = new List<Datum> { Data.Sft([3, 100, 200, 300, 411, 7, 9, 500]), Data.Sft([1, 2, 3]) };

        var imported = adapted.CreateSession(adapter).Forward(batch);
        var expected = reference.CreateSession(new LoraConfig(4)).Forward(batch);
        var untouched = adapted.CreateSession(new LoraConfig(4)).Forward(batch);

        for (var index = 0; index < batch.Count; index++)
        {
            var got = imported.Logprobs[index].ToDoubles();
            var want = expected.Logprobs[index].ToDoubles();
            // Relative to the log-prob's size: merged and unmerged weights round differently in float32, and
            // these random log-probs reach -50, where 1e-5 absolute is three float32 ulps.
            Assert.All(got.Zip(want), pair => Assert.Equal(pair.Second, pair.First, 1e-5 * Math.Max(1, Math.Abs(pair.Second))));
            Assert.True(got.Zip(untouched.Logprobs[index].ToDoubles()).Max(pair => Math.Abs(pair.First - pair.Second)) > 1e-3, "the adapter changes the model");
        }
    }

    [Fact]
    public void Weights_for_another_model_are_refused_naming_each_tensor_and_open_no_session()
    {
        using var engine = new MintEngine(TinyModel.Load());
        var adapter = PeftAdapterFolder.Read(Fixture);
        var extra = new Dictionary<string, TensorData>(adapter.Tensors)
        {
            ["model.layers.0.self_attn.q_norm.lora_A.weight"] = TensorData.FromSingles([0f]),
        };

        var error = Assert.Throws<BatchValidationException>(() => engine.CreateSession(adapter with { Tensors = extra }));

        Assert.Contains(error.Violations, violation => violation.Key == "model.layers.0.self_attn.q_proj.lora_A.weight" && violation.Reason.Contains("expected [4, 32]"));
        Assert.Contains(error.Violations, violation => violation.Key == "model.layers.0.self_attn.q_norm.lora_A.weight");
        Assert.Empty(engine.SessionIds);
    }

    [Fact]
    public void A_session_saved_for_sampling_and_imported_again_computes_the_same_logprobs()
    {
        using var engine = new MintEngine(TinyModel.Load());
        using var folder = new TempDirectory();
        var batch = new List<Datum> { Data.Sft([1, 5, 9, 13, 17]), Data.Sft([2, 4, 6]) };
        var trained = engine.CreateSession(new LoraConfig(4, Alpha: 6, Seed: 3));
        trained.ForwardBackward(batch, LossFn.CrossEntropy);
        trained.OptimStep(new AdamParams(LearningRate: 1e-2));

        trained.SaveWeightsForSampler(folder.Path);
        var imported = engine.CreateSession(PeftAdapterFolder.Read(folder.Path));

        Assert.Equal(trained.Forward(batch).Logprobs.Select(row => row.ToSingles()), imported.Forward(batch).Logprobs.Select(row => row.ToSingles()));
        Assert.Equal(6.0, imported.Info.Lora.ResolvedAlpha);
        Assert.Equal(0, imported.Info.Step);
    }

    private static Tensor ToTensor(TensorData data) => tensor(data.ToSingles(), data.Shape.ToArray());

    private static float[] MemoryMarshalFloats(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    private static TempDirectory FixtureCopy(Action<JsonObject> edit)
    {
        var folder = new TempDirectory();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture, PeftAdapterFolder.ConfigFile)))!.AsObject();
        edit(config);
        File.WriteAllText(folder.File(PeftAdapterFolder.ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Copy(Path.Combine(Fixture, PeftAdapterFolder.WeightsFile), folder.File(PeftAdapterFolder.WeightsFile));
        return folder;
    }
}

using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Mint.Dsl;
using Mint.Engine.Adapters;
using Mint.Engine.Tests.Support;
using Xunit;

namespace Mint.Engine.Tests.Adapters;

/// <summary>
/// A peft adapter says what it adapts in <c>target_modules</c>: exported sessions list exactly their
/// targets (<c>lm_head</c> with its <c>lora_A</c> <c>[r, hidden]</c> and <c>lora_B</c> <c>[vocab, r]</c>
/// when the unembedding trains), imports read the targets back, and a re-export is byte-identical.
/// </summary>
public sealed class PeftAdapterTargetsTests
{
    private static readonly List<Datum> Batch = [Data.Sft([1, 5, 9, 13, 17]), Data.Sft([2, 4, 6, 40])];

    private static string[] TargetModules(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, PeftAdapterFolder.ConfigFile)))!["target_modules"]!.AsArray().Select(node => node!.GetValue<string>()).ToArray();

    [Theory]
    [InlineData(true, true, true, new[] { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head" })]
    [InlineData(true, false, false, new[] { "q_proj", "k_proj", "v_proj", "o_proj" })]
    [InlineData(false, true, false, new[] { "gate_proj", "up_proj", "down_proj" })]
    [InlineData(false, false, true, new[] { "lm_head" })]
    public void An_exported_adapter_names_its_targets_and_imports_to_the_same_logprobs(bool attention, bool mlp, bool unembed, string[] modules)
    {
        using var engine = new MintEngine(TinyModel.Load());
        using var folder = new TempDirectory();
        var lora = new LoraConfig(4, Alpha: 6, Seed: 3) { TrainAttention = attention, TrainMlp = mlp, TrainUnembed = unembed };
        var trained = engine.CreateSession(lora);
        trained.ForwardBackward(Batch, LossFn.CrossEntropy);
        trained.OptimStep(new AdamParams(LearningRate: 1e-2));

        trained.SaveWeightsForSampler(folder.Path);
        var read = PeftAdapterFolder.Read(folder.Path);
        var imported = engine.CreateSession(read);

        Assert.Equal(modules, TargetModules(folder.Path));
        Assert.Equal((attention, mlp, unembed), (read.Lora.TrainAttention, read.Lora.TrainMlp, read.Lora.TrainUnembed));
        Assert.Equal(trained.Forward(Batch).Logprobs.Select(row => row.ToSingles()), imported.Forward(Batch).Logprobs.Select(row => row.ToSingles()));
        var stored = SafetensorsReader.Read(Path.Combine(folder.Path, PeftAdapterFolder.WeightsFile));
        Assert.Equal(unembed, stored.ContainsKey("base_model.model.lm_head.lora_A.weight"));
        if (unembed)
        {
            Assert.Equal([4L, engine.Model.Config.HiddenSize], stored["base_model.model.lm_head.lora_A.weight"].Shape);
            Assert.Equal([(long)engine.Model.Config.VocabSize, 4L], stored["base_model.model.lm_head.lora_B.weight"].Shape);
        }
    }

    [Fact]
    public void Re_exporting_an_imported_adapter_with_lm_head_is_byte_identical()
    {
        using var engine = new MintEngine(TinyModel.Load());
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var trained = engine.CreateSession(new LoraConfig(4, Seed: 3) { TrainUnembed = true });
        trained.ForwardBackward(Batch, LossFn.CrossEntropy);
        trained.OptimStep(new AdamParams(LearningRate: 1e-2));
        trained.SaveWeightsForSampler(first.Path);

        PeftAdapterFolder.Write(second.Path, PeftAdapterFolder.Read(first.Path), engine.Model.Name);

        foreach (var file in new[] { PeftAdapterFolder.ConfigFile, PeftAdapterFolder.WeightsFile })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.Path, file)), File.ReadAllBytes(Path.Combine(second.Path, file)));
        }
    }

    [Fact]
    public void An_adapter_listing_lm_head_without_its_tensors_is_refused_naming_them()
    {
        using var engine = new MintEngine(TinyModel.Load());
        using var folder = new TempDirectory();
        engine.CreateSession(new LoraConfig(4, Seed: 3)).SaveWeightsForSampler(folder.Path);
        var configPath = Path.Combine(folder.Path, PeftAdapterFolder.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["target_modules"]!.AsArray().Add("lm_head");
        File.WriteAllText(configPath, config.ToJsonString());

        var error = Assert.Throws<BatchValidationException>(() => engine.CreateSession(PeftAdapterFolder.Read(folder.Path)));

        Assert.Equal(["lm_head.lora_A.weight", "lm_head.lora_B.weight"], error.Violations.Select(violation => violation.Key));
        Assert.All(error.Violations, violation => Assert.Equal("is missing.", violation.Reason));
        Assert.Single(engine.SessionIds);
    }

    [Fact]
    public void Lm_head_tensors_an_adapter_does_not_list_are_refused_naming_the_targets()
    {
        using var engine = new MintEngine(TinyModel.Load());
        using var folder = new TempDirectory();
        engine.CreateSession(new LoraConfig(4, Seed: 3) { TrainUnembed = true }).SaveWeightsForSampler(folder.Path);
        var configPath = Path.Combine(folder.Path, PeftAdapterFolder.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["target_modules"] = new JsonArray("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        File.WriteAllText(configPath, config.ToJsonString());

        var error = Assert.Throws<BatchValidationException>(() => engine.CreateSession(PeftAdapterFolder.Read(folder.Path)));

        Assert.Equal(["lm_head.lora_A.weight", "lm_head.lora_B.weight"], error.Violations.Select(violation => violation.Key));
        Assert.All(error.Violations, violation => Assert.Equal("is not an adapter tensor of this model with these targets (they adapt attention + MLP, with lora_A and lora_B only).", violation.Reason));
    }
}

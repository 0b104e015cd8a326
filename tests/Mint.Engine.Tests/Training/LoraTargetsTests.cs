using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using Xunit.Abstractions;

namespace Mint.Engine.Tests.Training;

/// <summary>
/// Which modules a session adapts (<see cref="LoraConfig.TrainAttention"/>, <see cref="LoraConfig.TrainMlp"/>,
/// <see cref="LoraConfig.TrainUnembed"/>): exactly those get parameters and gradients, the unembedding
/// trains, its adapter survives a checkpoint bit for bit, and a config adapting nothing is refused.
/// </summary>
public sealed class LoraTargetsTests(ITestOutputHelper output) : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load(seed: 4);

    public void Dispose() => model.Dispose();

    private static List<Datum> Batch() => [Data.Sft([1, 10, 20, 30, 40, 2]), Data.Sft([1, 11, 21, 31, 41, 2]), Data.Sft([1, 12, 22, 32, 2])];

    private static LoraConfig Targets(bool attention, bool mlp, bool unembed, int rank = 4, long seed = 3) =>
        new(rank, Seed: seed) { TrainAttention = attention, TrainMlp = mlp, TrainUnembed = unembed };

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    [InlineData(true, true, false)]
    public void A_session_adapts_exactly_the_chosen_modules_and_only_they_get_gradients(bool attention, bool mlp, bool unembed)
    {
        var lora = Targets(attention, mlp, unembed);
        using var session = new TrainingSession("targets", model, lora);
        var modules = (attention ? new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj" } : [])
            .Concat(mlp ? new[] { "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj" } : []);
        var expected = Enumerable.Range(0, model.Config.NumHiddenLayers)
            .SelectMany(layer => modules.Select(module => $"model.layers.{layer}.{module}"))
            .Concat(unembed ? ["lm_head"] : [])
            .SelectMany(module => new[] { module + ".lora_A.weight", module + ".lora_B.weight" })
            .Order(StringComparer.Ordinal);

        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var gradients = session.AdapterGradients();

        Assert.Equal(expected, session.AdapterWeights().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected, gradients.Keys.Order(StringComparer.Ordinal));
        // B starts at zero, so B's gradient is where a live adapter shows (A's is zero until B moves).
        Assert.All(gradients.Where(entry => entry.Key.EndsWith("lora_B.weight", StringComparison.Ordinal)), entry =>
            Assert.True(entry.Value.abs().max().item<float>() > 1e-6, $"{entry.Key} got no gradient"));
        Assert.Equal(lora, session.Info.Lora);
        if (unembed)
        {
            Assert.Equal([model.Config.VocabSize, 4L], gradients["lm_head.lora_B.weight"].shape);
            Assert.Equal([4L, model.Config.HiddenSize], gradients["lm_head.lora_A.weight"].shape);
        }
    }

    [Fact]
    public void Adding_the_unembedding_draws_the_same_layer_adapters_from_the_seed()
    {
        using var plain = new TrainingSession("plain", model, new LoraConfig(4, Seed: 9));
        using var withHead = new TrainingSession("head", model, new LoraConfig(4, Seed: 9) { TrainUnembed = true });

        var before = plain.AdapterWeights();
        var after = withHead.AdapterWeights();

        Assert.All(before, entry => Assert.True(TorchSharp.torch.allclose(entry.Value, after[entry.Key], 0, 0), entry.Key));
        Assert.True(after["lm_head.lora_A.weight"].abs().max().item<float>() > 0);
        Assert.Equal(0, after["lm_head.lora_B.weight"].abs().max().item<float>());
    }

    [Fact]
    public void Training_the_unembedding_alone_lowers_the_loss()
    {
        using var session = new TrainingSession("unembed", model, Targets(false, false, true, rank: 8, seed: 1));
        var losses = new List<double>();
        for (var step = 0; step < 25; step++)
        {
            losses.Add(session.ForwardBackward(Batch(), LossFn.CrossEntropy).Loss);
            session.OptimStep(new AdamParams(LearningRate: 2e-2));
        }

        output.WriteLine(string.Join(", ", losses.Select(loss => loss.ToString("F3"))));
        Assert.True(losses[^1] < losses[0] * 0.5, $"loss went from {losses[0]:F3} to {losses[^1]:F3}");
    }

    [Fact]
    public void A_checkpoint_with_the_unembedding_resumes_bit_for_bit()
    {
        using var folder = new TempDirectory();
        var adam = new AdamParams(LearningRate: 5e-3, WeightDecay: 0.01, GradClipNorm: 0.5);
        var lora = Targets(true, false, true);
        using var uninterrupted = new TrainingSession("run", model, lora);
        for (var step = 0; step < 5; step++)
        {
            if (step == 3)
            {
                uninterrupted.SaveState(folder.Path);
            }

            uninterrupted.ForwardBackward(Batch(), LossFn.CrossEntropy);
            uninterrupted.OptimStep(adam);
        }

        using var resumed = new TrainingSession("resumed", model, lora with { Seed = 99 });
        resumed.LoadState(folder.Path);
        for (var step = 3; step < 5; step++)
        {
            resumed.ForwardBackward(Batch(), LossFn.CrossEntropy);
            resumed.OptimStep(adam);
        }

        Assert.True(SessionSnapshot.Identical(uninterrupted.AdapterWeights(), resumed.AdapterWeights()));
        Assert.NotEqual(0, resumed.AdapterWeights()["lm_head.lora_B.weight"].abs().max().item<float>());
        Assert.Equal(
            uninterrupted.Forward(Batch()).Logprobs.Select(row => row.ToSingles()),
            resumed.Forward(Batch()).Logprobs.Select(row => row.ToSingles()));
    }

    [Fact]
    public void A_checkpoint_with_other_targets_is_refused_naming_both_and_changes_nothing()
    {
        using var folder = new TempDirectory();
        using (var other = new TrainingSession("other", model, Targets(true, true, true)))
        {
            other.SaveState(folder.Path);
        }

        using var session = new TrainingSession("test", model, Targets(true, true, false));
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var snapshot = SessionSnapshot.Of(session);

        var error = Assert.Throws<CheckpointException>(() => session.LoadState(folder.Path));

        Assert.StartsWith($"Checkpoint {folder.Path} does not fit session test: it adapts attention + MLP + unembedding, the session attention + MLP", error.Message);
        snapshot.AssertUnchanged(session);
    }

    [Fact]
    public void A_checkpoint_written_before_targets_existed_loads_as_attention_and_mlp()
    {
        using var folder = new TempDirectory();
        using var saved = new TrainingSession("saved", model, new LoraConfig(4, Seed: 2));
        saved.ForwardBackward(Batch(), LossFn.CrossEntropy);
        saved.OptimStep(new AdamParams(LearningRate: 1e-2));
        saved.SaveState(folder.Path);
        var statePath = Path.Combine(folder.Path, SessionCheckpoint.StateFile);
        var state = JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
        Assert.True(state.Remove("TrainAttention") & state.Remove("TrainMlp") & state.Remove("TrainUnembed"));
        File.WriteAllText(statePath, state.ToJsonString());

        using var resumed = new TrainingSession("resumed", model, new LoraConfig(4, Seed: 7));
        resumed.LoadState(folder.Path);
        using var withHead = new TrainingSession("head", model, new LoraConfig(4, Seed: 7) { TrainUnembed = true });

        Assert.True(SessionSnapshot.Identical(saved.AdapterWeights(), resumed.AdapterWeights()));
        Assert.Contains("it adapts attention + MLP, the session attention + MLP + unembedding", Assert.Throws<CheckpointException>(() => withHead.LoadState(folder.Path)).Message);
    }

    [Fact]
    public void A_config_that_adapts_nothing_is_refused_naming_the_targets()
    {
        using var engine = new MintEngine(TinyModel.Load());

        var error = Assert.Throws<BatchValidationException>(() => engine.CreateSession(Targets(false, false, false)));

        var violation = Assert.Single(error.Violations);
        Assert.Equal(LoraConfig.TargetsKey, violation.Key);
        Assert.Equal("adapt nothing: TrainAttention, TrainMlp and TrainUnembed are all false; switch at least one on.", violation.Reason);
        Assert.Empty(engine.SessionIds);
    }

    [Fact]
    public void Uploaded_weights_whose_config_adapts_nothing_are_refused_naming_the_targets()
    {
        using var engine = new MintEngine(TinyModel.Load());

        var error = Assert.Throws<BatchValidationException>(() => engine.CreateSession(new LoraWeights(Targets(false, false, false), new Dictionary<string, TensorData>())));

        Assert.Equal(Mint.Engine.Adapters.AdapterImport.Operation, error.Operation);
        var violation = Assert.Single(error.Violations);
        Assert.Equal("lora." + LoraConfig.TargetsKey, violation.Key);
        Assert.Empty(engine.SessionIds);
    }
}

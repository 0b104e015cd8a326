using System.IO;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Training;

/// <summary>Listing and deleting checkpoints by name, both kinds.</summary>
public sealed class CheckpointCatalogTests
{
    [Fact]
    public void Lists_training_states_and_sampler_weights_by_name_and_kind()
    {
        using var engine = new MintEngine(TinyModel.Load());
        using var root = new TempDirectory();
        var session = engine.CreateSession(new LoraConfig(2));

        session.SaveState(CheckpointNames.Resolve(root.Path, "run-1/step-1"));
        session.SaveWeightsForSampler(CheckpointNames.Resolve(root.Path, "run-1/sampler"));
        Directory.CreateDirectory(root.File("not-a-checkpoint"));

        var listed = CheckpointCatalog.List(root.Path);

        Assert.Equal(["run-1/sampler", "run-1/step-1"], listed.Select(info => info.Name));
        Assert.Equal([CheckpointKind.SamplerWeights, CheckpointKind.Training], listed.Select(info => info.Kind));
        Assert.Equal(
            Directory.GetFiles(root.File("run-1/step-1")).Sum(file => new FileInfo(file).Length),
            listed[1].SizeBytes);
        Assert.All(listed, info => Assert.True(info.SizeBytes > 0));
        Assert.Empty(CheckpointCatalog.List(root.File("missing")));
    }

    [Fact]
    public void Delete_removes_one_checkpoint_and_keeps_those_saved_inside_it()
    {
        using var engine = new MintEngine(TinyModel.Load());
        using var root = new TempDirectory();
        var session = engine.CreateSession(new LoraConfig(2));
        session.SaveState(CheckpointNames.Resolve(root.Path, "a"));
        session.SaveState(CheckpointNames.Resolve(root.Path, "a/b"));

        CheckpointCatalog.Delete(root.Path, "a");

        Assert.Equal(["a/b"], CheckpointCatalog.List(root.Path).Select(info => info.Name));
        CheckpointCatalog.Delete(root.Path, "a/b");
        Assert.Empty(CheckpointCatalog.List(root.Path));
        Assert.False(Directory.Exists(root.File("a/b")));
    }

    [Fact]
    public void Deleting_a_missing_checkpoint_or_an_escaping_name_is_refused()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.File("empty"));

        Assert.Contains("'nothing'", Assert.Throws<CheckpointException>(() => CheckpointCatalog.Delete(root.Path, "nothing")).Message);
        Assert.Throws<CheckpointException>(() => CheckpointCatalog.Delete(root.Path, "empty"));
        Assert.Throws<BatchValidationException>(() => CheckpointCatalog.Delete(root.Path, "../outside"));
        Assert.True(Directory.Exists(root.File("empty")));
    }

    [Fact]
    public void Saving_one_kind_over_a_checkpoint_of_the_other_kind_is_refused()
    {
        using var engine = new MintEngine(TinyModel.Load());
        using var root = new TempDirectory();
        var session = engine.CreateSession(new LoraConfig(2));
        session.SaveState(CheckpointNames.Resolve(root.Path, "state"));
        session.SaveWeightsForSampler(CheckpointNames.Resolve(root.Path, "weights"));

        Assert.Throws<CheckpointException>(() => session.SaveWeightsForSampler(CheckpointNames.Resolve(root.Path, "state")));
        Assert.Throws<CheckpointException>(() => session.SaveState(CheckpointNames.Resolve(root.Path, "weights")));

        session.LoadState(CheckpointNames.Resolve(root.Path, "state"));
        Assert.Equal([CheckpointKind.Training, CheckpointKind.SamplerWeights], CheckpointCatalog.List(root.Path).Select(info => info.Kind));
    }
}

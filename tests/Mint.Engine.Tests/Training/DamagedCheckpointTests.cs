using System;
using System.IO;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Training;

/// <summary>A damaged checkpoint is a <see cref="CheckpointException"/> naming the checkpoint and the file, and changes nothing.</summary>
public sealed class DamagedCheckpointTests : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load(TinyModel.Config(vocab: 48, context: 16));
    private readonly TempDirectory root = new();
    private readonly string folder;
    private readonly TrainingSession session;
    private readonly SessionSnapshot snapshot;

    public DamagedCheckpointTests()
    {
        folder = root.File("ckpt");
        session = CheckpointRun.Train(model, 1);
        session.SaveState(folder);
        CheckpointRun.Step(session);
        snapshot = SessionSnapshot.Of(session);
    }

    public void Dispose()
    {
        session.Dispose();
        model.Dispose();
        root.Dispose();
    }

    private void AssertRejected(string message)
    {
        var error = Assert.Throws<CheckpointException>(() => session.LoadState(folder));
        Assert.Equal(message, error.Message);
        snapshot.AssertUnchanged(session);
    }

    [Fact]
    public void A_truncated_safetensors_file_names_the_file()
    {
        var path = Path.Combine(folder, "adapter_model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<CheckpointException>(() => session.LoadState(folder));
        Assert.StartsWith($"Checkpoint {folder}: adapter_model.safetensors is damaged: ", error.Message);
        snapshot.AssertUnchanged(session);
    }

    [Fact]
    public void What_a_checkpoint_was_trained_as_is_read_from_its_state_file_alone_and_a_load_still_names_the_damage()
    {
        File.WriteAllBytes(Path.Combine(folder, "optimizer.safetensors"), []);

        var origin = CheckpointOrigin.Read(folder);

        Assert.Equal((model.Name, 4, 4.0, 5L, 1L), (origin.BaseModel, origin.Lora.Rank, origin.Lora.ResolvedAlpha, origin.Lora.Seed, origin.Step));
        AssertRejected($"Checkpoint {folder}: optimizer.safetensors is damaged: it has 0 bytes, fewer than a safetensors header.");
    }

    [Fact]
    public void What_a_checkpoint_was_trained_as_needs_every_file_and_a_readable_state()
    {
        File.Delete(Path.Combine(folder, "adapter_model.safetensors"));

        Assert.Equal($"Checkpoint {folder} has no adapter_model.safetensors.", Assert.Throws<CheckpointException>(() => CheckpointOrigin.Read(folder)).Message);
    }

    [Fact]
    public void An_empty_safetensors_file_names_the_file()
    {
        File.WriteAllBytes(Path.Combine(folder, "optimizer.safetensors"), []);
        AssertRejected($"Checkpoint {folder}: optimizer.safetensors is damaged: it has 0 bytes, fewer than a safetensors header.");
    }

    [Fact]
    public void A_header_longer_than_the_file_is_refused_without_reading_it()
    {
        var path = Path.Combine(folder, "adapter_model.safetensors");
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(ulong.MaxValue / 2).CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);
        AssertRejected($"Checkpoint {folder}: adapter_model.safetensors is damaged: its header claims {ulong.MaxValue / 2} bytes but the file has {bytes.Length - 8} after the length prefix (truncated?).");
    }

    [Fact]
    public void Bad_json_names_the_file()
    {
        File.WriteAllText(Path.Combine(folder, "training_state.json"), "{\"Step\": ");
        var error = Assert.Throws<CheckpointException>(() => session.LoadState(folder));
        Assert.StartsWith($"Checkpoint {folder}: training_state.json is not valid JSON: ", error.Message);
        snapshot.AssertUnchanged(session);
    }

    [Fact]
    public void A_missing_file_names_the_file()
    {
        File.Delete(Path.Combine(folder, "optimizer.safetensors"));
        AssertRejected($"Checkpoint {folder} has no optimizer.safetensors.");
    }

    [Fact]
    public void A_missing_checkpoint_is_named()
    {
        Directory.Delete(folder, recursive: true);
        AssertRejected($"Checkpoint {folder} does not exist.");
    }
}

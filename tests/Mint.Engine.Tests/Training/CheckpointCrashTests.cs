using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Training;

/// <summary>
/// A save killed at any moment (SIGKILL of a child process that is overwriting the checkpoint)
/// leaves a checkpoint that loads as either the previous one or the new one, whole: its step, its
/// adapters and its optimizer moments all belong to the same save. The next save cleans up.
/// </summary>
public sealed class CheckpointCrashTests : IDisposable
{
    private readonly string modelFolder = TinyModel.SaveFolder(TinyModel.Config(vocab: 48, context: 16), seed: 4);
    private readonly TempDirectory checkpoints = new();
    private readonly PretrainedModel model;

    public CheckpointCrashTests()
    {
        model = PretrainedModel.Load(modelFolder);
    }

    public void Dispose()
    {
        model.Dispose();
        checkpoints.Dispose();
        Directory.Delete(modelFolder, recursive: true);
    }

    [Theory]
    [InlineData("Writing", 1)]
    [InlineData("Written", 1)]
    [InlineData("PreviousSetAside", 1)]
    [InlineData("Replaced", 2)]
    public void A_save_killed_at_any_moment_leaves_the_old_or_the_new_checkpoint_whole(string moment, int survivingStep)
    {
        var folder = Path.Combine(checkpoints.Path, "run", "latest");
        using (var old = CheckpointRun.Train(model, 1))
        {
            old.SaveState(folder);
        }

        var (exitCode, output) = RunHelper(folder, steps: 2, moment);
        Assert.True(exitCode == 137, $"the helper should have been killed (exit 137), it exited {exitCode}:\n{output}");

        AssertHoldsStep(folder, survivingStep);
        Assert.Equal(["run/latest"], CheckpointCatalog.List(checkpoints.Path).Select(info => info.Name));

        // The next save finishes what the killed one left: the new checkpoint, and no leftovers.
        using (var next = CheckpointRun.Train(model, 2))
        {
            next.SaveState(folder);
        }

        AssertHoldsStep(folder, 2);
        Assert.Equal(["latest"], Directory.GetFileSystemEntries(Path.GetDirectoryName(folder)!).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("PreviousSetAside")]
    [InlineData("Replaced")]
    public void A_checkpoint_nested_in_one_being_overwritten_survives_a_crash_and_the_next_save(string moment)
    {
        var parent = Path.Combine(checkpoints.Path, "run");
        var nested = Path.Combine(parent, "step-1");
        using (var old = CheckpointRun.Train(model, 1))
        {
            old.SaveState(parent);
            old.SaveState(nested);
        }

        var (exitCode, output) = RunHelper(parent, steps: 2, moment);
        Assert.True(exitCode == 137, output);
        AssertHoldsStep(nested, 1);

        using (var next = CheckpointRun.Train(model, 2))
        {
            next.SaveState(parent);
        }

        AssertHoldsStep(parent, 2);
        AssertHoldsStep(nested, 1);
        Assert.Equal(["run"], Directory.GetFileSystemEntries(checkpoints.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("Writing", 1)]
    [InlineData("Written", 1)]
    [InlineData("PreviousSetAside", 1)]
    [InlineData("Replaced", 2)]
    public void A_sampler_weights_save_killed_at_any_moment_leaves_the_old_or_the_new_adapter_whole(string moment, int survivingStep)
    {
        var folder = Path.Combine(checkpoints.Path, "sampler", "latest");
        using (var old = CheckpointRun.Train(model, 1))
        {
            old.SaveWeightsForSampler(folder);
        }

        var (exitCode, output) = RunHelper(folder, steps: 2, moment, "sampler-weights");
        Assert.True(exitCode == 137, $"the helper should have been killed (exit 137), it exited {exitCode}:\n{output}");

        using var reference = CheckpointRun.Train(model, survivingStep);
        var expected = reference.ExportWeights();
        var read = Mint.Engine.Adapters.PeftAdapterFolder.Read(folder);
        Assert.Equal(expected.Tensors.Keys.Order(), read.Tensors.Keys.Order());
        Assert.All(expected.Tensors, entry => Assert.Equal(entry.Value.ToSingles(), read.Tensors[entry.Key].ToSingles()));
        Assert.Contains(CheckpointCatalog.List(checkpoints.Path), info => info.Name == "sampler/latest" && info.Kind == CheckpointKind.SamplerWeights);
    }

    [Fact]
    public void A_save_that_completes_in_another_process_replaces_the_checkpoint()
    {
        var folder = Path.Combine(checkpoints.Path, "latest");
        var (exitCode, output) = RunHelper(folder, steps: 2, "none");
        Assert.True(exitCode == 0, output);
        AssertHoldsStep(folder, 2);
    }

    /// <summary>The checkpoint holds exactly the state after <paramref name="step"/> steps: weights now, and the optimizer one step on.</summary>
    private void AssertHoldsStep(string folder, int step)
    {
        using var loaded = new TrainingSession("loaded", model, new LoraConfig(4, Seed: 5));
        loaded.LoadState(folder);
        Assert.Equal(step, loaded.Info.Step);
        using (var reference = CheckpointRun.Train(model, step))
        {
            Assert.True(SessionSnapshot.Identical(reference.AdapterWeights(), loaded.AdapterWeights()), $"adapters are not those of step {step}");
        }

        CheckpointRun.Step(loaded);
        using var onward = CheckpointRun.Train(model, step + 1);
        Assert.True(SessionSnapshot.Identical(onward.AdapterWeights(), loaded.AdapterWeights()), $"optimizer moments are not those of step {step}");
    }

    private (int ExitCode, string Output) RunHelper(string folder, int steps, string moment, string what = "state")
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Mint.Engine.SaveCrashHelper.dll"), modelFolder, folder, steps.ToString(), moment, what })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException("The save helper did not finish in 2 minutes.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

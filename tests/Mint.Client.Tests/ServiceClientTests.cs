using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Xunit;

namespace Mint.Client.Tests;

/// <summary>The service client's embedded default: loading a model folder, sessions, checkpoints by name.</summary>
public sealed class ServiceClientTests
{
    [Fact]
    public async Task Trains_in_process_from_a_model_folder_and_resumes_from_a_named_checkpoint()
    {
        var folder = TinyModel.SaveFolder(seed: 3);
        var checkpoints = Directory.CreateTempSubdirectory("mint-checkpoints-").FullName;
        await using var service = new ServiceClient(new ServiceClientOptions { BaseModelPath = folder, CheckpointDirectory = checkpoints });
        var training = await service.CreateLoraTrainingClientAsync(new LoraConfig(4));
        var batch = new[] { Data.Sft([1, 2, 3, 4, 5]) };

        await training.ForwardBackwardAsync(batch, LossFn.CrossEntropy);
        await training.OptimStepAsync(new AdamParams(1e-2));
        await training.SaveStateAsync("run-1/step-1");
        var info = await training.GetInfoAsync();

        Assert.Equal(1, info.Step);
        Assert.Equal(Path.GetFileName(folder), info.ModelName);
        Assert.True(File.Exists(Path.Combine(checkpoints, "run-1", "step-1", "adapter_model.safetensors")));

        var resumed = await service.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 8));
        await resumed.LoadStateAsync("run-1/step-1");
        Assert.Equal(1, (await resumed.GetInfoAsync()).Step);
        var expected = (await training.ForwardAsync(batch)).Logprobs[0].ToDoubles();
        Assert.Equal(expected, (await resumed.ForwardAsync(batch)).Logprobs[0].ToDoubles());
        Directory.Delete(folder, true);
        Directory.Delete(checkpoints, true);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("")]
    public async Task Checkpoint_names_cannot_leave_the_checkpoint_folder(string name)
    {
        await using var service = new EmbeddedService();
        var training = await service.Client.CreateLoraTrainingClientAsync();

        var error = await Assert.ThrowsAsync<BatchValidationException>(() => training.SaveStateAsync(name));

        Assert.Equal("name", Assert.Single(error.Violations).Key);
        Assert.Empty(Directory.GetFileSystemEntries(service.CheckpointRoot));
    }

    [Fact]
    public async Task Sampling_client_samples_the_sessions_current_weights()
    {
        await using var service = new EmbeddedService();
        var training = await service.Client.CreateLoraTrainingClientAsync();

        var sample = await training.CreateSamplingClient().SampleAsync(ModelInput.FromInts([1, 2, 3]), 3, new SamplingParams { MaxTokens = 5, Seed = 1 });

        Assert.Equal(3, sample.Sequences.Count);
        Assert.All(sample.Sequences, sequence => Assert.Equal(5, sequence.Tokens.Count));
        Assert.All(sample.Sequences.SelectMany(sequence => sequence.Logprobs), logprob => Assert.True(logprob < 0));
    }

    [Fact]
    public async Task A_missing_model_folder_is_reported()
    {
        var error = Assert.Throws<Mint.Engine.Model.ModelLoadException>(() => new ServiceClient(new ServiceClientOptions { BaseModelPath = "/nonexistent/model" }));

        Assert.Equal("Model folder /nonexistent/model does not exist.", error.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_closed_session_is_gone_and_its_checkpoints_stay()
    {
        await using var service = new EmbeddedService();
        var training = await service.Client.CreateLoraTrainingClientAsync();
        var other = await service.Client.CreateLoraTrainingClientAsync();
        await training.SaveStateAsync("before-close");

        await training.CloseAsync();

        Assert.Equal([other.SessionId], await service.Client.ListSessionsAsync());
        var error = await Assert.ThrowsAsync<Mint.Engine.Training.SessionNotFoundException>(() => training.GetInfoAsync());
        Assert.Equal($"No training session '{training.SessionId}' exists.", error.Message);
        await Assert.ThrowsAsync<Mint.Engine.Training.SessionNotFoundException>(() => training.CloseAsync());
        await other.LoadStateAsync("before-close");
        Assert.Equal(0, (await other.GetInfoAsync()).Step);
    }
}

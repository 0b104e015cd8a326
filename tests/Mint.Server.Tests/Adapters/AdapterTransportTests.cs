using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Dsl;
using Mint.Engine.Adapters;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Adapters;

/// <summary>
/// Adapters and checkpoints through the client, over each transport: sampler weights and sampling
/// clients over them, peft export and import, checkpoint listing and deletion.
/// </summary>
public sealed class AdapterTransportTests : IAsyncLifetime
{
    private BothTransports transports = null!;

    public async Task InitializeAsync() => transports = await BothTransports.StartAsync(seed: 5);

    public async Task DisposeAsync() => await transports.DisposeAsync();

    private ServiceClient Over(string transport) => transports.Over(transport);

    private static async Task<TrainingClient> TrainedAsync(ServiceClient client, int steps = 2)
    {
        var training = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Alpha: 8, Seed: 3));
        await TrainingRuns.SftAsync(training, steps);
        return training;
    }

    private static SamplingParams Seeded => new() { MaxTokens = 6, Temperature = 1.0, Seed = 9 };

    private static readonly ModelInput Prompt = ModelInput.FromInts([1, 5, 9]);

    [Theory]
    [InlineData("embedded")]
    [InlineData("grpc")]
    public async Task A_sampling_client_over_saved_weights_keeps_sampling_them_while_training_goes_on(string transport)
    {
        var client = Over(transport);
        var training = await TrainedAsync(client);
        var before = await training.CreateSamplingClient().SampleAsync(Prompt, 2, Seeded);

        await using var saved = await training.SaveWeightsAndGetSamplingClientAsync("sampler/step-2");
        Assert.Equal(Flatten(before), Flatten(await saved.SampleAsync(Prompt, 2, Seeded)));

        await TrainingRuns.SftAsync(training, steps: 2);
        var after = await training.CreateSamplingClient().SampleAsync(Prompt, 2, Seeded);
        Assert.NotEqual(Flatten(before), Flatten(after));
        Assert.Equal(Flatten(before), Flatten(await saved.SampleAsync(Prompt, 2, Seeded)));

        var sessions = await client.ListSessionsAsync();
        await saved.DisposeAsync();
        Assert.Equal(sessions.Count - 1, (await client.ListSessionsAsync()).Count);
        Assert.Contains(training.SessionId, await client.ListSessionsAsync());
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("grpc")]
    public async Task An_exported_peft_adapter_starts_a_session_that_computes_the_same_logprobs(string transport)
    {
        var client = Over(transport);
        var training = await TrainedAsync(client);
        using var folder = new TempDirectory();

        await training.ExportPeftAdapterAsync(folder.Path);
        var imported = await client.CreateLoraTrainingClientAsync(PeftAdapterFolder.Read(folder.Path));

        var batch = TrainingRuns.SftBatch();
        Assert.Equal(Logprobs(await training.ForwardAsync(batch)), Logprobs(await imported.ForwardAsync(batch)));
        Assert.Equal(8.0, (await imported.GetInfoAsync()).Lora.ResolvedAlpha);
        Assert.Contains("\"peft_type\": \"LORA\"", File.ReadAllText(Path.Combine(folder.Path, PeftAdapterFolder.ConfigFile)));

        // The imported session trains on from there.
        await TrainingRuns.SftAsync(imported, steps: 1);
        Assert.NotEqual(Logprobs(await training.ForwardAsync(batch)), Logprobs(await imported.ForwardAsync(batch)));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("grpc")]
    public async Task An_adapter_of_attention_and_the_unembedding_travels_with_its_targets_and_imports_exactly(string transport)
    {
        var client = Over(transport);
        var lora = new LoraConfig(4, Alpha: 8, Seed: 3) { TrainMlp = false, TrainUnembed = true };
        var training = await client.CreateLoraTrainingClientAsync(lora);
        await TrainingRuns.SftAsync(training, steps: 2);
        using var folder = new TempDirectory();

        var weights = await training.GetWeightsAsync();
        await training.ExportPeftAdapterAsync(folder.Path);
        var fromWeights = await client.CreateLoraTrainingClientAsync(weights);
        var fromPeft = await client.CreateLoraTrainingClientAsync(PeftAdapterFolder.Read(folder.Path));

        Assert.Equal(lora, weights.Lora);
        Assert.Equal([48L, 4L], weights.Tensors["lm_head.lora_B.weight"].Shape);
        Assert.DoesNotContain(weights.Tensors.Keys, name => name.Contains("mlp", System.StringComparison.Ordinal));
        Assert.Contains("\"lm_head\"", File.ReadAllText(Path.Combine(folder.Path, PeftAdapterFolder.ConfigFile)));
        var batch = TrainingRuns.SftBatch();
        var expected = Logprobs(await training.ForwardAsync(batch));
        Assert.Equal(expected, Logprobs(await fromWeights.ForwardAsync(batch)));
        Assert.Equal(expected, Logprobs(await fromPeft.ForwardAsync(batch)));
        var imported = (await fromPeft.GetInfoAsync()).Lora;
        Assert.Equal((true, false, true), (imported.TrainAttention, imported.TrainMlp, imported.TrainUnembed));
    }

    [Fact]
    public async Task The_same_training_exports_the_same_adapter_bytes_over_grpc_as_in_process()
    {
        using var local = new TempDirectory();
        using var remote = new TempDirectory();

        await (await TrainedAsync(transports.Embedded.Client)).ExportPeftAdapterAsync(local.Path);
        await (await TrainedAsync(transports.Server.Client())).ExportPeftAdapterAsync(remote.Path);

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(local.Path, PeftAdapterFolder.WeightsFile)),
            File.ReadAllBytes(Path.Combine(remote.Path, PeftAdapterFolder.WeightsFile)));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("grpc")]
    public async Task Weights_that_do_not_fit_are_refused_with_every_tensor_named(string transport)
    {
        var client = Over(transport);
        var weights = await (await TrainedAsync(client, steps: 0)).GetWeightsAsync();
        var tensors = weights.Tensors.ToDictionary(entry => entry.Key, entry => entry.Value);
        tensors.Remove("model.layers.1.mlp.up_proj.lora_B.weight");
        tensors["model.layers.0.self_attn.q_proj.lora_A.weight"] = TensorData.FromSingles(new float[12], [3, 4]);
        var sessions = (await client.ListSessionsAsync()).Count;

        var error = await Assert.ThrowsAsync<BatchValidationException>(() => client.CreateLoraTrainingClientAsync(weights with { Tensors = tensors }));

        Assert.Equal(
            ["model.layers.0.self_attn.q_proj.lora_A.weight", "model.layers.1.mlp.up_proj.lora_B.weight"],
            error.Violations.Select(violation => violation.Key).Order(StringComparer.Ordinal));
        Assert.Equal(sessions, (await client.ListSessionsAsync()).Count);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("grpc")]
    public async Task Checkpoints_are_listed_by_name_and_kind_and_deleted_by_name(string transport)
    {
        var client = Over(transport);
        var training = await TrainedAsync(client, steps: 1);
        await training.SaveStateAsync("run/state");
        await training.SaveWeightsForSamplerAsync("run/weights");

        var listed = await client.ListCheckpointsAsync();
        Assert.Equal(["run/state", "run/weights"], listed.Select(info => info.Name));
        Assert.Equal([CheckpointKind.Training, CheckpointKind.SamplerWeights], listed.Select(info => info.Kind));
        Assert.All(listed, info => Assert.InRange(info.Time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)));

        await client.DeleteCheckpointAsync("run/state");
        Assert.Equal(["run/weights"], (await client.ListCheckpointsAsync()).Select(info => info.Name));
        await Assert.ThrowsAsync<CheckpointException>(() => client.DeleteCheckpointAsync("run/state"));
        await Assert.ThrowsAsync<CheckpointException>(() => training.LoadStateAsync("run/state"));
        await Assert.ThrowsAsync<CheckpointException>(() => client.CreateSamplingClientAsync("run/missing"));
    }

    [Fact]
    public async Task Another_api_key_neither_sees_nor_deletes_nor_samples_a_callers_checkpoints()
    {
        await using var keyed = await RunningServer.StartAsync(transports.Model.Path, apiKeys: ["alice", "bob"]);
        var alice = keyed.Client("alice");
        var bob = keyed.Client("bob");
        var training = await alice.CreateLoraTrainingClientAsync(new LoraConfig(2));
        await training.SaveWeightsForSamplerAsync("mine");

        Assert.Empty(await bob.ListCheckpointsAsync());
        await Assert.ThrowsAsync<CheckpointException>(() => bob.DeleteCheckpointAsync("mine"));
        await Assert.ThrowsAsync<CheckpointException>(() => bob.CreateSamplingClientAsync("mine"));
        Assert.Equal(["mine"], (await alice.ListCheckpointsAsync()).Select(info => info.Name));
    }

    private static List<double> Flatten(SampleResult result) =>
        result.Sequences.SelectMany(sequence => sequence.Tokens.Select(token => (double)token).Concat(sequence.Logprobs.Select(value => (double)value))).ToList();

    private static List<float[]> Logprobs(ForwardResult result) => result.Logprobs.Select(row => row.ToSingles()).ToList();
}

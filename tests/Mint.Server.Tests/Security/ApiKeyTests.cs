using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine.Training;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Security;

/// <summary>API keys, and the isolation of one key's sessions and checkpoints from another's.</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private const string Alice = "alice-secret-key";
    private const string Bob = "bob-secret-key";
    private readonly ModelFolder model = new(seed: 4);
    private RunningServer server = null!;

    public async Task InitializeAsync() => server = await RunningServer.StartAsync(model.Path, apiKeys: [Alice, Bob]);

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        model.Dispose();
    }

    [Theory]
    [InlineData(null, "Missing API key: send the metadata 'authorization: Bearer <key>'.")]
    [InlineData("mallory-guess", "Invalid API key.")]
    public async Task A_missing_or_unknown_key_is_unauthenticated(string? key, string message)
    {
        var error = await Assert.ThrowsAsync<UnauthenticatedException>(() => server.Client(key).CreateLoraTrainingClientAsync());

        Assert.Equal(message, error.Message);
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, error.StatusCode);
        Assert.Empty(server.Server.Engine.SessionIds);
    }

    [Fact]
    public async Task Health_checks_need_no_key() =>
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());

    [Fact]
    public async Task Another_keys_session_cannot_be_read_trained_sampled_or_saved()
    {
        var alice = await server.Client(Alice).CreateLoraTrainingClientAsync(new LoraConfig(4));
        await alice.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        var before = server.Server.Engine.GetSession(alice.SessionId).AdapterGradients();
        var bob = server.Client(Bob).Transport;
        var id = alice.SessionId;
        var none = System.Threading.CancellationToken.None;

        var failures = new[]
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.GetInfoAsync(id, none)),
            await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.ForwardAsync(id, TrainingRuns.SftBatch(), none)),
            await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.ForwardBackwardAsync(id, TrainingRuns.SftBatch(), LossFn.CrossEntropy, none)),
            await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.OptimStepAsync(id, new AdamParams(), none)),
            await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.SampleAsync(id, ModelInput.FromInts([1]), 1, new SamplingParams(), none)),
            await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.SaveStateAsync(id, "stolen", none)),
            await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.LoadStateAsync(id, "stolen", none)),
        };

        // Exactly what a session that never existed looks like: nothing leaks.
        var unknown = await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.GetInfoAsync("session-0-unknown", none));
        Assert.All(failures, failure => Assert.Equal($"No training session '{id}' exists.", failure.Message));
        Assert.Equal($"No training session 'session-0-unknown' exists.", unknown.Message);
        Assert.Empty(await server.Client(Bob).ListSessionsAsync());
        Assert.Equal([id], await server.Client(Alice).ListSessionsAsync());
        Assert.Equal(0, (await alice.GetInfoAsync()).Step);
        var after = server.Server.Engine.GetSession(id).AdapterGradients();
        Assert.All(before, entry => Assert.True((entry.Value == after[entry.Key]).all().item<bool>(), entry.Key));
    }

    [Fact]
    public async Task Checkpoint_names_are_per_key_so_one_key_cannot_load_or_overwrite_anothers()
    {
        var alice = await server.Client(Alice).CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1));
        var bob = await server.Client(Bob).CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));
        await alice.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        await alice.OptimStepAsync(new AdamParams(1e-2));
        await alice.SaveStateAsync("shared-name");
        var aliceLogprobs = (await alice.ForwardAsync(TrainingRuns.SftBatch())).Logprobs[0].ToDoubles();

        await Assert.ThrowsAsync<CheckpointException>(() => bob.LoadStateAsync("shared-name"));
        await bob.SaveStateAsync("shared-name");
        var restored = await server.Client(Alice).CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 7));
        await restored.LoadStateAsync("shared-name");

        Assert.Equal(1, (await restored.GetInfoAsync()).Step);
        Assert.Equal(aliceLogprobs, (await restored.ForwardAsync(TrainingRuns.SftBatch())).Logprobs[0].ToDoubles());
        Assert.Equal(2, Directory.GetDirectories(server.CheckpointRoot).Length);
        Assert.All(Directory.GetDirectories(server.CheckpointRoot), folder => Assert.StartsWith("key-", Path.GetFileName(folder)));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(server.CheckpointRoot, "*", SearchOption.AllDirectories), path => path.Contains(Alice) || path.Contains(Bob));
    }

    [Theory]
    [InlineData("../key-other/run")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("")]
    public async Task Checkpoint_names_cannot_escape_the_callers_folder(string name)
    {
        var training = await server.Client(Alice).CreateLoraTrainingClientAsync();

        var save = await Assert.ThrowsAsync<BatchValidationException>(() => training.SaveStateAsync(name));
        var load = await Assert.ThrowsAsync<BatchValidationException>(() => training.LoadStateAsync(name));

        Assert.Equal("name", Assert.Single(save.Violations).Key);
        Assert.Equal(save.Message, load.Message);
        Assert.Empty(Directory.GetFileSystemEntries(server.CheckpointRoot));
    }

    [Fact]
    public async Task Only_the_owner_can_close_a_session()
    {
        var alice = await server.Client(Alice).CreateLoraTrainingClientAsync(new LoraConfig(4));
        var bob = server.Client(Bob).Transport;

        await Assert.ThrowsAsync<SessionNotFoundException>(() => bob.CloseSessionAsync(alice.SessionId, System.Threading.CancellationToken.None));
        Assert.Equal(0, (await alice.GetInfoAsync()).Step);

        await alice.CloseAsync();

        Assert.DoesNotContain(alice.SessionId, server.Server.Engine.SessionIds);
        Assert.Empty(await server.Client(Alice).ListSessionsAsync());
        await Assert.ThrowsAsync<SessionNotFoundException>(() => alice.ForwardAsync(TrainingRuns.SftBatch()));
    }

    [Fact]
    public async Task A_new_client_resumes_its_own_session_but_not_anothers()
    {
        var first = await server.Client(Alice).CreateLoraTrainingClientAsync(new LoraConfig(4));
        await first.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        await first.OptimStepAsync(new AdamParams(1e-2));

        var later = server.Client(Alice);
        var resumed = await later.ResumeTrainingClientAsync(Assert.Single(await later.ListSessionsAsync()));

        Assert.Equal(1, (await resumed.GetInfoAsync()).Step);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => server.Client(Bob).ResumeTrainingClientAsync(first.SessionId));
    }
}

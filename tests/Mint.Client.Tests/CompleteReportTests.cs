using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Xunit;

namespace Mint.Client.Tests;

/// <summary>
/// One complete report per call: contract and model-side problems together, in batch order, under
/// the loss's name on both paths; nothing is sent for the training pass when the batch is invalid.
/// </summary>
public sealed class CompleteReportTests : IAsyncLifetime
{
    private readonly EmbeddedService service = new();
    private TrainingClient training = null!;

    public async Task InitializeAsync() => training = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4));

    public async Task DisposeAsync() => await service.DisposeAsync();

    /// <summary>Datum 0 uses a token outside the vocabulary (48); datum 1 lacks its weights.</summary>
    private static List<Datum> ContractAndModelProblems()
    {
        var missingWeights = Data.Sft([2, 4, 6]);
        return
        [
            Data.Sft([1, 48, 9]),
            new Datum(missingWeights.ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = missingWeights.LossFnInputs["target_tokens"] }),
        ];
    }

    [Fact]
    public async Task A_builtin_call_reports_contract_and_model_side_problems_together_in_batch_order()
    {
        service.Transport.Calls.Clear();
        var error = await Assert.ThrowsAsync<BatchValidationException>(() => training.ForwardBackwardAsync(ContractAndModelProblems(), LossFn.CrossEntropy));

        Assert.Equal(
            "Invalid input for loss 'cross_entropy' (3 problems):\n"
            + "  - datum 0, 'model_input': token 48 at position 1 is outside the vocabulary (0–47).\n"
            + "  - datum 0, 'target_tokens': token 48 at position 0 is outside the vocabulary (0–47).\n"
            + "  - datum 1, 'weights': missing; this loss requires a float32 tensor here.",
            error.Message);
        Assert.DoesNotContain(service.Transport.Calls, call => call.StartsWith("forward"));
    }

    [Fact]
    public async Task A_custom_call_reports_both_kinds_under_the_losss_name()
    {
        var error = await Assert.ThrowsAsync<BatchValidationException>(() =>
            training.ForwardBackwardCustomAsync(ContractAndModelProblems(), TestLosses.CustomCrossEntropyLoss));

        Assert.Equal("loss 'custom_cross_entropy'", error.Operation);
        Assert.Equal([0, 0, 1], error.Violations.Select(violation => violation.DatumIndex ?? -1));
    }

    [Fact]
    public async Task A_custom_call_with_only_a_model_side_problem_names_the_loss_not_forward()
    {
        var error = await Assert.ThrowsAsync<BatchValidationException>(() =>
            training.ForwardBackwardCustomAsync([Data.Sft([1, 2, 3]), Data.Sft([4, 5, 60])], TestLosses.CustomCrossEntropyLoss));

        Assert.Equal(
            "Invalid input for loss 'custom_cross_entropy' (1 problem):\n  - datum 1, 'target_tokens': token 60 at position 1 is outside the vocabulary (0–47).",
            error.Message);
    }

    [Fact]
    public async Task Resuming_from_a_checkpoint_is_one_call_and_continues_where_it_left_off()
    {
        await training.ForwardBackwardAsync([Data.Sft([1, 2, 3, 4])], LossFn.CrossEntropy);
        await training.OptimStepAsync(new AdamParams(1e-2));
        await training.SaveStateAsync("resume/latest");

        var resumed = await service.Client.ResumeFromCheckpointAsync("resume/latest", new LoraConfig(4));

        Assert.NotEqual(training.SessionId, resumed.SessionId);
        Assert.Equal(1, (await resumed.GetInfoAsync()).Step);
        Assert.True(SessionSnapshot.Identical(
            service.Engine.GetSession(training.SessionId).AdapterWeights(),
            service.Engine.GetSession(resumed.SessionId).AdapterWeights()));
    }

    [Fact]
    public async Task Resuming_with_the_wrong_config_fails_and_leaves_no_session_behind()
    {
        await training.SaveStateAsync("resume/rank4");
        var before = await service.Client.ListSessionsAsync();

        await Assert.ThrowsAsync<Mint.Engine.Training.CheckpointException>(() => service.Client.ResumeFromCheckpointAsync("resume/rank4", new LoraConfig(2)));

        Assert.Equal(before, await service.Client.ListSessionsAsync());
    }
}

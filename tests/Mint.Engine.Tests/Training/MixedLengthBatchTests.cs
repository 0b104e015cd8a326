using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Training;

/// <summary>
/// A batch of datums of different lengths (so the engine pads them to one width) against the same
/// datums run one at a time: every loss is a sum over datums, so the batch's loss, log-probs and
/// parameter gradients must equal the sums of the single runs. A loss that reads the log-probs at
/// padded positions (DRO's penalty, a sequence-level custom loss) sees padding the engine failed to mask.
/// </summary>
public sealed class MixedLengthBatchTests : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load(seed: 4);

    public void Dispose() => model.Dispose();

    public static TheoryData<string> Builtins => new(LossFn.BuiltinNames);

    /// <summary>Three lengths (7, 3, 5 model-input tokens) and inputs every built-in reads.</summary>
    private static List<Datum> Batch() =>
    [
        Datum([1, 2, 3], [10, 11, 12, 13, 14], [-3.1f, -4.2f, -3.8f, -2.5f, -4.4f], 1.5f),
        Datum([4, 5], [20, 21], [-3.0f, -5.0f], -0.5f),
        Datum([6], [30, 31, 32, 33, 34], [-4.0f, -3.3f, -3.9f, -4.1f, -3.6f], 0.8f),
    ];

    /// <summary>An RL datum that also carries cross-entropy weights and a reference model's log-probs.</summary>
    private static Datum Datum(int[] prompt, int[] completion, float[] samplingLogprobs, float advantage)
    {
        var rl = Data.Rl(prompt, completion, samplingLogprobs, advantage);
        var length = rl.ModelInput.Length;
        var inputs = new Dictionary<string, TensorData>(rl.LossFnInputs)
        {
            ["weights"] = TensorData.FromSingles(Enumerable.Range(0, length).Select(position => position >= prompt.Length - 1 ? 1f : 0f)),
            ["reference_logprobs"] = TensorData.FromSingles(Enumerable.Range(0, length).Select(position => -3.5f - (0.1f * position))),
        };
        return new Datum(rl.ModelInput, inputs);
    }

    private static LossFn Builtin(string name) => name switch
    {
        "ppo" => LossFn.Ppo(0.9, 1.1),
        "cispo" => LossFn.Cispo(0.5, 1.5),
        "dro" => LossFn.Dro(0.3),
        _ => LossFn.FromName(name),
    };

    /// <summary>A session one SFT step in, so both LoRA factors are non-zero and get gradients.</summary>
    private TrainingSession TrainedSession()
    {
        var session = new TrainingSession("mixed", model, new LoraConfig(4, Seed: 8));
        session.ForwardBackward([Data.Sft([1, 2, 3, 4, 5, 6])], LossFn.CrossEntropy);
        session.OptimStep(new AdamParams(LearningRate: 5e-2));
        return session;
    }

    /// <summary>The loss's datum contract applies: only the inputs the loss knows.</summary>
    private static List<Datum> For(LossDefinition loss, IEnumerable<Datum> data) => data
        .Select(datum => new Datum(datum.ModelInput, datum.LossFnInputs
            .Where(entry => entry.Key == "target_tokens" || loss.Contract.Inputs.Any(input => input.Key == entry.Key))
            .ToDictionary(entry => entry.Key, entry => entry.Value)))
        .ToList();

    [Theory]
    [MemberData(nameof(Builtins))]
    public void A_padded_batch_through_a_builtin_equals_the_sum_of_each_datum_alone(string name)
    {
        var loss = Builtin(name);
        var data = For(loss.Definition, Batch());
        using var batched = TrainedSession();
        using var alone = TrainedSession();

        var batch = batched.ForwardBackward(data, loss);
        var singles = data.Select(datum => alone.ForwardBackward([datum], loss)).ToList();

        Assert.Equal(singles.Sum(single => single.Loss), batch.Loss, 1e-5 * Math.Max(1, Math.Abs(batch.Loss)));
        for (var row = 0; row < data.Count; row++)
        {
            Assert.Equal(singles[row].Logprobs(0).ToDoubles(), batch.Logprobs(row).ToDoubles(), (a, b) => Math.Abs(a - b) < 1e-5);
        }

        AssertSameGradients(alone.AdapterGradients(), batched.AdapterGradients());
    }

    [Fact]
    public void A_padded_batch_through_a_custom_loss_in_the_engine_equals_the_sum_of_each_datum_alone()
    {
        var loss = SequenceLosses.SequenceLogisticLoss;
        var data = For(loss, Batch());
        using var batched = TrainedSession();
        using var alone = TrainedSession();

        // The engine's own path for a loss inside its pass: marshal padded, target log-probs from the
        // model's graph, the loss on a LossBatch over them, backward into the adapters.
        double Run(TrainingSession session, IReadOnlyList<Datum> datums)
        {
            using var scope = NewDisposeScope();
            var (tokens, targets) = EngineBatch.Marshal(datums, session.Model.Device);
            var result = loss.Evaluate(new LossBatch(datums, session.Model.TargetLogprobs(tokens, targets)));
            result.Loss.backward();
            return result.Loss.item<float>();
        }

        var batch = Run(batched, data);
        var singles = data.Select(datum => Run(alone, [datum])).ToList();

        Assert.Equal(singles.Sum(), batch, 1e-5 * Math.Max(1, Math.Abs(batch)));
        AssertSameGradients(alone.AdapterGradients(), batched.AdapterGradients());
    }

    private static void AssertSameGradients(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-3);
        Assert.All(expected, entry => Assert.True(
            allclose(entry.Value, actual[entry.Key], rtol: 1e-4, atol: 1e-6),
            $"{entry.Key}: the batch's gradient differs from the sum of the single datums' by up to {(entry.Value - actual[entry.Key]).abs().max().item<float>()}"));
    }
}

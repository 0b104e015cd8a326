using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Training;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// A deterministic training run, repeated bit for bit by the tests and by the crash helper process,
/// so a checkpoint can be compared with the state of a known step.
/// </summary>
internal static class CheckpointRun
{
    public static TrainingSession Train(PretrainedModel model, int steps)
    {
        var session = new TrainingSession("run", model, new LoraConfig(4, Seed: 5));
        for (var step = 0; step < steps; step++)
        {
            Step(session);
        }

        return session;
    }

    /// <summary>One step of the run.</summary>
    public static void Step(TrainingSession session)
    {
        session.ForwardBackward([Data.Sft([1, 2, 3, 4, 5]), Data.Sft([6, 7, 8])], LossFn.CrossEntropy);
        session.OptimStep(new AdamParams(1e-2));
    }
}

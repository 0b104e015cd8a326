using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Dsl;
using Mint.Engine.Tests.Support;

namespace Mint.Server.Tests.Support;

/// <summary>Training runs that record every number they see, so two runs can be compared exactly.</summary>
internal static class TrainingRuns
{
    public static List<Datum> SftBatch(int offset = 0) =>
    [
        Data.Sft([1 + offset, 5, 9, 13, 17], [0, 1, 1, 0.5f]),
        Data.Sft([2, 4 + offset, 6], [1, 1]),
        Data.Sft([7, 7, 3 + offset, 30, 31, 40], [1, 0, 1, 1, 2]),
    ];

    /// <summary>
    /// <paramref name="steps"/> SFT steps: per step the loss, every datum's log-probs and the gradient
    /// norm, then the log-probs of a final forward pass.
    /// </summary>
    public static async Task<List<double>> SftAsync(TrainingClient training, int steps, int offset = 0)
    {
        var trace = new List<double>();
        var batch = SftBatch(offset);
        for (var step = 0; step < steps; step++)
        {
            var result = await training.ForwardBackwardAsync(batch, LossFn.CrossEntropy);
            trace.Add(result.Loss);
            trace.AddRange(result.LossFnOutputs.SelectMany(outputs => outputs["logprobs"].ToDoubles()));
            var optim = await training.OptimStepAsync(new AdamParams(LearningRate: 1e-2));
            trace.Add(optim.Metrics["grad_norm"]);
            trace.Add(optim.Step);
        }

        var forward = await training.ForwardAsync(batch);
        trace.AddRange(forward.Logprobs.SelectMany(row => row.ToDoubles()));
        return trace;
    }

    /// <summary>A fresh session with <paramref name="lora"/> trained by <see cref="SftAsync(TrainingClient, int, int)"/>.</summary>
    public static async Task<List<double>> SftAsync(ServiceClient client, LoraConfig lora, int steps, int offset = 0) =>
        await SftAsync(await client.CreateLoraTrainingClientAsync(lora), steps, offset);

    /// <summary>Everything a forward/backward result holds, flattened in a fixed order.</summary>
    public static List<double> Numbers(ForwardBackwardResult result) =>
        result.Metrics.OrderBy(metric => metric.Key, System.StringComparer.Ordinal).Select(metric => metric.Value)
            .Concat(result.LossFnOutputs.SelectMany(outputs => outputs["logprobs"].ToDoubles()))
            .ToList();
}

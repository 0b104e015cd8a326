// The pairwise-preference (Bradley–Terry) loss on a small synthetic batch: the generated
// definition validates the batch, computes the loss and its metrics, and returns dL/dlogprobs
// per datum, the per-token weights the training server's second pass would receive.
using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Samples.Preference;

var random = new Random(7);
var batch = new List<Datum>();
var logprobs = new List<TensorData>();
for (var pair = 0; pair < 4; pair++)
{
    var prompt = Enumerable.Range(0, 5).Select(_ => random.Next(1000)).ToArray();
    foreach (var preferred in new[] { true, false })
    {
        var completion = Enumerable.Range(0, 3 + random.Next(4)).Select(_ => random.Next(1000)).ToArray();
        batch.Add(PreferenceData.Completion(prompt, completion));
        // Stand-in for the model's forward pass: the chosen completion is usually likelier.
        var bias = preferred ? -0.6 : -1.4;
        logprobs.Add(TensorData.FromSingles(Enumerable.Range(0, batch[^1].ModelInput.Length).Select(_ => (float)(bias + (random.NextDouble() - 0.5)))));
    }
}

var loss = PreferenceLosses.PairwisePreferenceLoss;
Console.WriteLine($"Contract: {loss.Contract}");
var result = loss.ComputeGradient(batch, logprobs);
Console.WriteLine($"loss            {result.Loss:F6}");
foreach (var (name, value) in result.Metrics)
{
    Console.WriteLine($"{name,-15} {value:F6}");
}

Console.WriteLine();
Console.WriteLine("Per-token weights for the second pass (-dL/dlogprobs), chosen datum 0:");
Console.WriteLine("  " + string.Join(" ", result.LogprobGradients[0].ToSingles().Select(gradient => (0 - gradient).ToString("F3"))));

Console.WriteLine();
Console.WriteLine("A broken batch is rejected before anything runs:");
try
{
    var broken = batch.Take(3).ToList();
    broken[1] = new Datum(broken[1].ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = broken[1].LossFnInputs["target_tokens"] });
    loss.Validate(broken);
}
catch (BatchValidationException error)
{
    Console.WriteLine(error.Message);
}

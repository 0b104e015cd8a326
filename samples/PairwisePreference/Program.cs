// Quickstart: train a small transformer in-process with the pairwise-preference (Bradley–Terry)
// loss written in the DSL. The loss runs here, on the client; the engine trains LoRA adapters.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Client;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Samples.Preference;

// No model hub here: create a small seeded model and save it as a Hugging Face-style folder.
var modelFolder = Path.Combine(Path.GetTempPath(), "mint-quickstart-model");
PretrainedModel.SaveRandom(modelFolder, SampleModel.Config, seed: 7);

await using var service = new ServiceClient(new ServiceClientOptions
{
    BaseModelPath = modelFolder,
    CheckpointDirectory = Path.Combine(Path.GetTempPath(), "mint-quickstart-checkpoints"),
});
var training = await service.CreateLoraTrainingClientAsync(new LoraConfig(Rank: 8, Seed: 1));
var batch = PreferenceData.SyntheticPairs(pairs: 8, seed: 3);
var loss = PreferenceLosses.PairwisePreferenceLoss;

Console.WriteLine($"Model: {(await training.GetInfoAsync()).ModelName}, LoRA rank 8; loss {loss.Contract}");
Console.WriteLine($"Training on {batch.Count / 2} preference pairs:");
for (var step = 1; step <= 15; step++)
{
    var result = await training.ForwardBackwardCustomAsync(batch, loss);
    await training.OptimStepAsync(new AdamParams(LearningRate: 2e-2));
    Console.WriteLine($"step {step,2}/15  loss {result.Loss:F4}  pair_accuracy {result.Metrics["pair_accuracy"]:F3}  mean_margin {result.Metrics["mean_margin"]:F3}");
}

// The trained adapters sample too; each token comes with its log-prob, as RL losses need.
var prompt = ModelInput.FromInts(batch[0].ModelInput.ToInts()[..4]);
var sample = await training.CreateSamplingClient().SampleAsync(prompt, numSamples: 2, new SamplingParams { MaxTokens = 4, Seed = 11 });
Console.WriteLine();
Console.WriteLine($"Completions of prompt [{string.Join(", ", prompt.ToInts())}]:");
foreach (var sequence in sample.Sequences)
{
    Console.WriteLine("  " + string.Join("  ", sequence.Tokens.Zip(sequence.Logprobs, (token, logprob) => $"{token} ({logprob:F2})")));
}

Console.WriteLine();
Console.WriteLine("A broken batch is rejected before anything is sent:");
var broken = batch.Take(3).ToList();
broken[1] = new Datum(broken[1].ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = broken[1].LossFnInputs["target_tokens"] });
try
{
    await training.ForwardBackwardCustomAsync(broken, loss);
}
catch (BatchValidationException error)
{
    Console.WriteLine(error.Message);
}

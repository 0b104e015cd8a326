// Quickstart: train a small chat model in-process on preference pairs with the pairwise-preference
// (Bradley–Terry) loss written in the DSL. The loss runs inside the engine's forward/backward pass, in
// one call like a built-in (on a server: as the loss graph the generator lowered from its body); the
// engine trains LoRA adapters. Conversations become datums through a chat renderer, and samples are decoded back to text.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Client;
using Mint.Client.Rendering;
using Mint.Dsl;
using Mint.Engine.Tokenization;
using Mint.Samples.Preference;

// No model hub here: create a small seeded Qwen3-style model with a tokenizer trained on the sample's texts.
var modelFolder = Path.Combine(Path.GetTempPath(), "mint-quickstart-model");
SampleModel.Create(modelFolder, seed: 7);
var renderer = new Qwen3ChatRenderer(TokenizerFile.Load(Path.Combine(modelFolder, "tokenizer.json")));

await using var service = new ServiceClient(new ServiceClientOptions
{
    BaseModelPath = modelFolder,
    CheckpointDirectory = Path.Combine(Path.GetTempPath(), "mint-quickstart-checkpoints"),
});
var training = await service.CreateLoraTrainingClientAsync(new LoraConfig(Rank: 8, Seed: 1));
Console.WriteLine($"Model: {(await training.GetInfoAsync()).ModelName} (random Qwen3-style weights), LoRA rank 8");

// Preference pairs are conversations: (chosen, rejected) assistant answers to the same prompt, rendered
// in Qwen3's chat format with the prompt masked, so each pair shares its prompt by construction.
var pairs = PreferenceData.Pairs(renderer);
var loss = PreferenceLosses.PairwisePreferenceLoss;
var (question, chosen, rejected) = PreferenceData.Questions[0];
Console.WriteLine($"Loss {loss.Contract}; lowered to a {loss.Graph?.Nodes.Count} node loss graph; {pairs.Count / 2} pairs such as");
var chosenText = renderer.Render([.. PreferenceData.Prompt(question), ChatMessage.Assistant(chosen)]);
var rejectedText = renderer.Render([.. PreferenceData.Prompt(question), ChatMessage.Assistant(rejected)]);
var shared = chosenText.Zip(rejectedText).TakeWhile(pair => pair.First == pair.Second).Count();
Console.WriteLine($"  prompt:   {chosenText[..shared].ReplaceLineEndings("⏎")}");
Console.WriteLine($"  chosen:   …{chosenText[shared..].ReplaceLineEndings("⏎")}");
Console.WriteLine($"  rejected: …{rejectedText[shared..].ReplaceLineEndings("⏎")}");
for (var step = 1; step <= 15; step++)
{
    var result = await training.ForwardBackwardCustomAsync(pairs, loss);
    await training.OptimStepAsync(new AdamParams(LearningRate: 2e-2));
    Console.WriteLine($"step {step,2}/15  loss {result.Loss:F4}  pair_accuracy {result.Metrics["pair_accuracy"]:F3}  mean_margin {result.Metrics["mean_margin"]:F3}  ({PathOf(result)})");
}

// A few steps of supervised fine-tuning on the preferred answers (the built-in cross_entropy, run inside
// the engine; the prompt is masked), so that the random model's samples below become readable.
var sft = PreferenceData.Questions.Select(entry => renderer.SupervisedExample([.. PreferenceData.Prompt(entry.Question), ChatMessage.Assistant(entry.Chosen)])).ToList();
for (var step = 1; step <= 60; step++)
{
    var result = await training.ForwardBackwardAsync(sft, LossFn.CrossEntropy);
    await training.OptimStepAsync(new AdamParams(LearningRate: 3e-2));
    if (step % 15 == 0)
    {
        Console.WriteLine($"sft step {step,2}/60  loss:sum {result.Metrics["loss:sum"]:F3} over {sft.Sum(datum => datum.LossFnInputs["weights"].ToSingles().Sum()):F0} answer tokens");
    }
}

// The trained adapters sample too; completions stop at the chat format's end-of-turn token.
var sampler = training.CreateSamplingClient();
Console.WriteLine();
foreach (var asked in new[] { PreferenceData.Questions[1].Question, PreferenceData.Questions[4].Question })
{
    var sample = await sampler.SampleAsync(renderer.GenerationPrompt(PreferenceData.Prompt(asked)), numSamples: 1,
        new SamplingParams { MaxTokens = 24, Temperature = 0.5, StopTokens = renderer.StopTokens, Seed = 11 });
    Console.WriteLine($"user: {asked}");
    foreach (var sequence in sample.Sequences)
    {
        Console.WriteLine($"  assistant: {renderer.DecodeCompletion(sequence.Tokens).ReplaceLineEndings("⏎")}   (log-prob {sequence.Logprobs.Sum():F2})");
    }
}

Console.WriteLine();
Console.WriteLine("A broken batch is rejected before anything is sent:");
var broken = pairs.Take(3).ToList();
broken[1] = new Datum(broken[1].ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = broken[1].LossFnInputs["target_tokens"] });
try
{
    await training.ForwardBackwardCustomAsync(broken, loss);
}
catch (BatchValidationException error)
{
    Console.WriteLine(error.Message);
}

static string PathOf(ForwardBackwardResult result) => result.Execution == LossExecution.InEngine
    ? "in the engine's pass, one call"
    : "client-side, two passes";

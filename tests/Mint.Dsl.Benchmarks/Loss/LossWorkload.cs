using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Samples.Preference;
using static TorchSharp.torch;

namespace Mint.Dsl.Benchmarks.Loss;

/// <summary>
/// One loss at one batch shape, run two ways from the same datums and log-probs: through the
/// generated definition (<see cref="LossDefinition.ComputeGradient"/>: validation, marshalling,
/// the DSL method, backward, per-datum gradients), and by hand: the tensors built directly and the
/// same DSL method called on them, as a user writing plain TorchSharp autograd would.
/// </summary>
public sealed class LossWorkload
{
    private readonly Func<Tensor, Func<string, Tensor>, Tensor> callByHand;

    private LossWorkload(string name, LossDefinition definition, Func<Tensor, Func<string, Tensor>, Tensor> callByHand, int batch, int length)
    {
        Name = name;
        Definition = definition;
        this.callByHand = callByHand;
        Batch = batch;
        Length = length;
        var random = new Random(17);
        var paired = definition.Contract.Layout == BatchLayout.ChosenRejectedPairs;
        Data = Enumerable.Range(0, batch).Select(_ => CreateDatum(definition.Contract, length, random)).ToList();
        if (paired)
        {
            // Pairs share their prompt: give each rejected datum its chosen datum's model input and weights.
            for (var index = 1; index < Data.Count; index += 2)
            {
                Data[index] = new Datum(Data[index - 1].ModelInput, Data[index - 1].LossFnInputs);
            }
        }

        Logprobs = Enumerable.Range(0, batch)
            .Select(_ => TensorData.FromSingles(Enumerable.Range(0, length).Select(_ => (float)(-3 * random.NextDouble()))))
            .ToList();
    }

    /// <summary>The loss's name.</summary>
    public string Name { get; }

    /// <summary>The generated definition.</summary>
    public LossDefinition Definition { get; }

    /// <summary>Datums in the batch.</summary>
    public int Batch { get; }

    /// <summary>Tokens per datum.</summary>
    public int Length { get; }

    /// <summary>The batch.</summary>
    public List<Datum> Data { get; }

    /// <summary>The model's log-probs per datum.</summary>
    public List<TensorData> Logprobs { get; }

    /// <summary>The losses measured.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cross_entropy", "importance_sampling", "ppo", "cispo", "dro", "pairwise_preference"];

    /// <summary>The workload for loss <paramref name="name"/>.</summary>
    public static LossWorkload Create(string name, int batch, int length) => name switch
    {
        "cross_entropy" => new(name, BuiltinLosses.CrossEntropyLoss, (lp, input) => BuiltinLosses.CrossEntropy(lp, input("weights")).Loss, batch, length),
        "importance_sampling" => new(name, BuiltinLosses.ImportanceSamplingLoss, (lp, input) => BuiltinLosses.ImportanceSampling(lp, input("logprobs"), input("advantages")).Loss, batch, length),
        "ppo" => new(name, LossFn.Ppo().Definition, (lp, input) => BuiltinLosses.Ppo(lp, input("logprobs"), input("advantages"), 0.8, 1.2).Loss, batch, length),
        "cispo" => new(name, LossFn.Cispo().Definition, (lp, input) => BuiltinLosses.Cispo(lp, input("logprobs"), input("advantages"), 0.0, 4.0).Loss, batch, length),
        "dro" => new(name, LossFn.Dro(0.1).Definition, (lp, input) => BuiltinLosses.Dro(lp, input("logprobs"), input("advantages"), 0.1).Loss, batch, length),
        "pairwise_preference" => new(name, PreferenceLosses.PairwisePreferenceLoss, (lp, input) =>
        {
            var weights = input("weights");
            var even = TensorIndex.Slice(0, null, 2);
            var odd = TensorIndex.Slice(1, null, 2);
            return PreferenceLosses.PairwisePreference(new(lp[even], lp[odd]), new(weights[even], weights[odd])).Loss;
        }, batch, length),
        _ => throw new ArgumentException($"Unknown loss '{name}'.", nameof(name)),
    };

    /// <summary>The generated path: returns dL/dlogprobs of the last datum (so nothing is optimised away).</summary>
    public TensorData RunGenerated() => Definition.ComputeGradient(Data, Logprobs).LogprobGradients[^1];

    /// <summary>The loss value the hand-written path read last (a user needs it, as the generated path returns it).</summary>
    public float LastLoss { get; private set; }

    /// <summary>The hand-written path: flat arrays → tensors → the same loss method → backward → loss value and per-datum gradients.</summary>
    public float[] RunByHand()
    {
        using var scope = NewDisposeScope();
        var leaf = tensor(Flatten(Logprobs), [Batch, Length]).requires_grad_();
        Tensor Input(string key) => tensor(Flatten(Data.Select(datum => datum.LossFnInputs[key]).ToList()), [Batch, Length]);
        var loss = callByHand(leaf, Input);
        loss.backward();
        LastLoss = loss.item<float>();
        var gradient = leaf.grad!.data<float>().ToArray();
        var rows = new float[Batch][];
        for (var row = 0; row < Batch; row++)
        {
            rows[row] = gradient.AsSpan(row * Length, Length).ToArray();
        }

        return rows[^1];
    }

    private float[] Flatten(IReadOnlyList<TensorData> rows)
    {
        var flat = new float[Batch * Length];
        for (var row = 0; row < rows.Count; row++)
        {
            rows[row].ToSingles().CopyTo(flat, row * Length);
        }

        return flat;
    }

    private static Datum CreateDatum(LossContract contract, int length, Random random)
    {
        var inputs = new Dictionary<string, TensorData>();
        foreach (var input in contract.Inputs)
        {
            inputs[input.Key] = input.DType == TensorDType.Int64
                ? TensorData.FromInt64s(Enumerable.Range(0, length).Select(_ => (long)random.Next(1000)))
                : TensorData.FromSingles(Enumerable.Range(0, length).Select(position => input.Key switch
                {
                    "weights" => position < length / 4 ? 0f : 1f,
                    "logprobs" => (float)(-3 * random.NextDouble()),
                    _ => (float)(random.NextDouble() - 0.5),
                }));
        }

        return new Datum(ModelInput.FromInts(Enumerable.Range(0, length).Select(_ => random.Next(1000))), inputs);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>
/// Checks a batch against a loss's contract and collects every violation. Generated validation
/// calls one method per rule the signature implies; nothing throws until all rules have run.
/// </summary>
public sealed class BatchValidator
{
    private const string TargetTokensKey = "target_tokens";
    private readonly List<BatchViolation> violations = [];

    /// <summary>The first datum and key that set the batch's candidate count K, with K.</summary>
    private (int Datum, string Key, long Count)? candidates;

    /// <summary>Starts checking <paramref name="data"/>.</summary>
    public BatchValidator(IReadOnlyList<Datum> data)
    {
        Data = data;
    }

    /// <summary>The batch being checked.</summary>
    public IReadOnlyList<Datum> Data { get; }

    /// <summary>The violations found so far.</summary>
    public IReadOnlyList<BatchViolation> Violations => violations;

    /// <summary>Records a violation.</summary>
    public void Report(int? datumIndex, string? key, string reason) => violations.Add(new(datumIndex, key, reason));

    /// <summary>Datum <paramref name="index"/> must carry int64 token ids under <paramref name="key"/>, one per model-input position.</summary>
    public void Tokens(int index, string key) => Sequence(index, key, TensorDType.Int64);

    /// <summary>Datum <paramref name="index"/> must carry finite float32 values under <paramref name="key"/>, one per model-input position.</summary>
    public void Floats(int index, string key) => Sequence(index, key, TensorDType.Float32);

    /// <summary>The batch must hold whole (chosen, rejected) pairs.</summary>
    public void EvenCount()
    {
        if (Data.Count % 2 != 0)
        {
            Report(null, null, $"this loss reads (chosen, rejected) pairs, so the batch needs an even number of datums; it has {Data.Count}.");
        }
    }

    /// <summary>
    /// Each (chosen, rejected) pair must share its prompt: the model-input tokens up to and including
    /// the first position with a non-zero value under <paramref name="weightsKey"/> (that position
    /// reads the prompt's last token and predicts the completion's first). With <c>[T, K]</c> weights a
    /// position counts as weighted when any of its K values is non-zero.
    /// </summary>
    public void PairsSharePrompt(string weightsKey)
    {
        for (var chosen = 0; chosen + 1 < Data.Count; chosen += 2)
        {
            var chosenPrompt = Prompt(Data[chosen], weightsKey);
            var rejectedPrompt = Prompt(Data[chosen + 1], weightsKey);
            if (chosenPrompt is null || rejectedPrompt is null || chosenPrompt.SequenceEqual(rejectedPrompt))
            {
                continue;
            }

            Report(chosen + 1, null,
                $"the rejected completion's prompt ({rejectedPrompt.Length} tokens) differs from the prompt of its chosen datum {chosen} ({chosenPrompt.Length} tokens); a pair must share its prompt.");
        }
    }

    internal void NonEmpty()
    {
        if (Data.Count == 0)
        {
            Report(null, null, "the batch is empty.");
        }
    }

    internal void ModelInputs()
    {
        for (var index = 0; index < Data.Count; index++)
        {
            if (Data[index] is null)
            {
                Report(index, null, "the datum is null.");
            }
            else if (Data[index].ModelInput.Length == 0)
            {
                Report(index, null, "the model input has no tokens.");
            }
        }
    }

    internal void OnlyKnownKeys(LossContract contract)
    {
        var expected = string.Join(", ", contract.Inputs.Select(input => input.Key));
        for (var index = 0; index < Data.Count; index++)
        {
            foreach (var key in Data[index]?.LossFnInputs.Keys ?? [])
            {
                if (contract.FindInput(key) is null)
                {
                    Report(index, key, $"'{contract.Name}' does not read this key; it reads: {expected}.");
                }
            }
        }
    }

    /// <summary>
    /// Datum <paramref name="index"/> must carry a <paramref name="dtype"/> tensor under <paramref name="key"/>,
    /// one value per model-input position, finite when floating. <c>target_tokens</c> may also be
    /// <c>[T, 1]</c> (one candidate, the same targets); K &gt; 1 candidates are refused, since this loss
    /// reads one target per position.
    /// </summary>
    public void Sequence(int index, string key, TensorDType dtype)
    {
        if (Present(index, key, dtype) is not var (datum, tensor))
        {
            return;
        }

        var length = datum.ModelInput.Length;
        if (key == TargetTokensKey && tensor.Shape.Count == 2 && tensor.Shape[0] == length)
        {
            if (tensor.Shape[1] != 1)
            {
                Report(index, key, $"shape is [{length}, {tensor.Shape[1]}]: {tensor.Shape[1]} candidate targets per position, but this loss reads one per position "
                    + $"([{length}] or [{length}, 1]); a custom loss reads K candidates when its log-probs are declared [TargetLogprobs(Rank = InputRank.KPerToken)].");
            }

            return;
        }

        if (tensor.Shape.Count != 1)
        {
            Report(index, key, $"shape is [{string.Join(", ", tensor.Shape)}], expected one dimension of length {length}.");
            return;
        }

        if (tensor.Count != length)
        {
            Report(index, key, $"length is {tensor.Count} but the model input has {length} tokens.");
            return;
        }

        Finite(index, key, tensor);
    }

    /// <summary>
    /// Datum <paramref name="index"/> must carry a <paramref name="dtype"/> tensor of shape <c>[T, K]</c>
    /// under <paramref name="key"/>: K candidates per model-input position, finite when floating, with
    /// the same K (at least 1) as every other datum and candidate input of the batch.
    /// </summary>
    public void Candidates(int index, string key, TensorDType dtype)
    {
        if (Present(index, key, dtype) is not var (datum, tensor))
        {
            return;
        }

        var length = datum.ModelInput.Length;
        if (tensor.Shape.Count != 2 || tensor.Shape[0] != length || tensor.Shape[1] < 1)
        {
            Report(index, key, $"shape is [{string.Join(", ", tensor.Shape)}], expected [{length}, K]: K ≥ 1 candidates for each of the model input's {length} positions.");
            return;
        }

        var count = tensor.Shape[1];
        if (candidates is var (firstDatum, firstKey, firstCount) && firstCount != count)
        {
            Report(index, key, $"shape is [{length}, {count}]: {count} candidates per position, but datum {firstDatum} carries {firstCount} under '{firstKey}'; every datum and candidate input of a batch has the same K.");
            return;
        }

        candidates ??= (index, key, count);
        Finite(index, key, tensor);
    }

    /// <summary>
    /// Datum <paramref name="index"/> must carry one <paramref name="dtype"/> value under
    /// <paramref name="key"/>, of shape <c>[]</c> or <c>[1]</c>, finite when floating.
    /// </summary>
    public void PerDatum(int index, string key, TensorDType dtype)
    {
        if (Present(index, key, dtype) is not var (_, tensor))
        {
            return;
        }

        if (tensor.Count != 1 || tensor.Shape.Count > 1)
        {
            Report(index, key, $"shape is [{string.Join(", ", tensor.Shape)}], expected [] or [1]: this loss reads one value per datum here.");
            return;
        }

        Finite(index, key, tensor);
    }

    /// <summary>
    /// Every datum must carry int64 <c>target_tokens</c>: all of shape <c>[T]</c>, or all <c>[T, K]</c> with
    /// one K (as the first datum's): what a forward pass, which has no loss, accepts.
    /// </summary>
    public void Targets()
    {
        var first = Data.FirstOrDefault(datum => datum?.LossFnInputs.ContainsKey(TargetTokensKey) == true);
        var multiTarget = first?.LossFnInputs[TargetTokensKey]?.Shape.Count == 2;
        for (var index = 0; index < Data.Count; index++)
        {
            if (multiTarget)
            {
                Candidates(index, TargetTokensKey, TensorDType.Int64);
            }
            else
            {
                Tokens(index, TargetTokensKey);
            }
        }
    }

    /// <summary>The datum and its tensor under <paramref name="key"/> when both are there with <paramref name="dtype"/>; reports otherwise.</summary>
    private (Datum Datum, TensorData Tensor)? Present(int index, string key, TensorDType dtype)
    {
        var datum = Data[index];
        if (datum is null)
        {
            return null;
        }

        if (!datum.LossFnInputs.TryGetValue(key, out var tensor) || tensor is null)
        {
            Report(index, key, $"missing; this loss requires a {dtype.ToWireName()} tensor here.");
            return null;
        }

        if (tensor.DType != dtype)
        {
            Report(index, key, $"dtype is {tensor.DType.ToWireName()}, expected {dtype.ToWireName()}.");
            return null;
        }

        return (datum, tensor);
    }

    private void Finite(int index, string key, TensorData tensor)
    {
        var nonFinite = tensor.IndexOfNonFinite();
        if (nonFinite >= 0)
        {
            Report(index, key, FormattableString.Invariant($"value at {Position(tensor, nonFinite)} is {tensor[nonFinite]}; values must be finite."));
        }
    }

    /// <summary>Where flat element <paramref name="flat"/> sits: <c>position 3</c>, or <c>position 3, candidate 1</c> in a <c>[T, K]</c> tensor.</summary>
    internal static string Position(TensorData tensor, int flat) => tensor.Shape.Count == 2
        ? FormattableString.Invariant($"position {flat / tensor.Shape[1]}, candidate {flat % tensor.Shape[1]}")
        : FormattableString.Invariant($"position {flat}");

    private static int[]? Prompt(Datum? datum, string weightsKey)
    {
        if (datum is null || !datum.LossFnInputs.TryGetValue(weightsKey, out var weights) || !weights.DType.IsFloating())
        {
            return null;
        }

        // [T] weights, or [T, K] (K candidates per position); anything else is reported by the shape checks.
        var tokens = datum.ModelInput.ToInts();
        var perPosition = weights.Shape switch
        {
            [var rows] when rows == tokens.Length => 1,
            [var rows, var k] when rows == tokens.Length && k > 0 => (int)k,
            _ => 0,
        };
        if (perPosition == 0)
        {
            return null;
        }

        bool Weighted(int position)
        {
            for (var candidate = 0; candidate < perPosition; candidate++)
            {
                if (weights[(position * perPosition) + candidate] != 0)
                {
                    return true;
                }
            }

            return false;
        }

        var promptLength = 0;
        while (promptLength < tokens.Length && !Weighted(promptLength))
        {
            promptLength++;
        }

        return tokens[..Math.Min(promptLength + 1, tokens.Length)];
    }
}

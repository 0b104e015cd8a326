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
    private readonly List<BatchViolation> violations = [];

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
    /// reads the prompt's last token and predicts the completion's first).
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
    /// one value per model-input position, finite when floating.
    /// </summary>
    public void Sequence(int index, string key, TensorDType dtype)
    {
        var datum = Data[index];
        if (datum is null)
        {
            return;
        }

        if (!datum.LossFnInputs.TryGetValue(key, out var tensor) || tensor is null)
        {
            Report(index, key, $"missing; this loss requires a {dtype.ToWireName()} tensor here.");
            return;
        }

        if (tensor.DType != dtype)
        {
            Report(index, key, $"dtype is {tensor.DType.ToWireName()}, expected {dtype.ToWireName()}.");
            return;
        }

        if (tensor.Shape.Count != 1)
        {
            Report(index, key, $"shape is [{string.Join(", ", tensor.Shape)}], expected one dimension of length {datum.ModelInput.Length}.");
            return;
        }

        if (tensor.Count != datum.ModelInput.Length)
        {
            Report(index, key, $"length is {tensor.Count} but the model input has {datum.ModelInput.Length} tokens.");
            return;
        }

        var nonFinite = tensor.IndexOfNonFinite();
        if (nonFinite >= 0)
        {
            Report(index, key, FormattableString.Invariant($"value at position {nonFinite} is {tensor[nonFinite]}; values must be finite."));
        }
    }

    private static int[]? Prompt(Datum? datum, string weightsKey)
    {
        if (datum is null || !datum.LossFnInputs.TryGetValue(weightsKey, out var weights)
            || !weights.DType.IsFloating() || weights.Count != datum.ModelInput.Length)
        {
            return null;
        }

        var tokens = datum.ModelInput.ToInts();
        var promptLength = 0;
        while (promptLength < tokens.Length && weights[promptLength] == 0)
        {
            promptLength++;
        }

        return tokens[..Math.Min(promptLength + 1, tokens.Length)];
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using static TorchSharp.torch;

namespace Mint.Engine.Training;

/// <summary>
/// A batch checked against the model (token ids inside the vocabulary, sequences inside the
/// context) and marshalled to right-padded token and target tensors.
/// </summary>
internal static class EngineBatch
{
    /// <summary>Model-side violations (<see cref="ModelBounds"/>) against <paramref name="config"/>.</summary>
    public static List<BatchViolation> Check(IReadOnlyList<Datum> data, ModelConfig config) =>
        ModelBounds.Check(data, config.VocabSize, config.MaxPositionEmbeddings);

    /// <summary>
    /// The contract of a forward pass, which has no loss to supply one: a non-empty batch whose
    /// datums carry int64 <c>target_tokens</c> lined up with their model input (<c>[T]</c>, or
    /// <c>[T, K]</c> with one K for the batch).
    /// </summary>
    public static List<BatchViolation> CheckTargets(IReadOnlyList<Datum> data)
    {
        var check = new BatchValidator(data);
        if (data.Count == 0)
        {
            check.Report(null, null, "the batch is empty.");
        }

        for (var index = 0; index < data.Count; index++)
        {
            if (data[index] is null)
            {
                check.Report(index, null, "the datum is null.");
            }
        }

        check.Targets();
        return check.Violations.ToList();
    }

    /// <summary>
    /// Tokens as a <c>[datums, maxLength]</c> int64 tensor on <paramref name="device"/>, and targets as
    /// <c>[datums, maxLength]</c> or, when <paramref name="multiTarget"/>, <c>[datums, maxLength, K]</c>
    /// (K candidate targets per position, from the validated <c>[T, K]</c> <c>target_tokens</c>); zero-padded.
    /// A per-token batch may carry <c>[T, 1]</c> targets: the same one target per position.
    /// </summary>
    public static (Tensor Tokens, Tensor Targets) Marshal(IReadOnlyList<Datum> data, Device device, bool multiTarget = false)
    {
        var maxLength = data.Max(datum => datum.ModelInput.Length);
        var candidates = multiTarget ? (int)data[0].LossFnInputs["target_tokens"].Shape[1] : 1;
        var tokens = new long[data.Count * maxLength];
        var targets = new long[data.Count * maxLength * candidates];
        for (var row = 0; row < data.Count; row++)
        {
            var input = data[row].ModelInput.ToInts();
            for (var position = 0; position < input.Length; position++)
            {
                tokens[(row * maxLength) + position] = input[position];
            }

            data[row].LossFnInputs["target_tokens"].ToInt64s().CopyTo(targets, row * maxLength * candidates);
        }

        long[] targetShape = multiTarget ? [data.Count, maxLength, candidates] : [data.Count, maxLength];
        return (tensor(tokens, [data.Count, maxLength]).to(device), tensor(targets, targetShape).to(device));
    }

    /// <summary>True when the batch's <c>target_tokens</c> are <c>[T, K]</c> (validated: then all are).</summary>
    public static bool IsMultiTarget(IReadOnlyList<Datum> data) => data[0].LossFnInputs["target_tokens"].Shape.Count == 2;

    /// <summary>
    /// Row <c>i</c> of <paramref name="values"/> (<c>[datums, maxLength]</c> or <c>[datums, maxLength, K]</c>)
    /// cut to datum <c>i</c>'s length, as float32 of shape <c>[T]</c> or <c>[T, K]</c>.
    /// </summary>
    public static List<TensorData> Rows(Tensor values, IReadOnlyList<Datum> data)
    {
        var flat = values.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();
        var candidates = values.dim() == 3 ? (int)values.shape[2] : 1;
        var width = (int)values.shape[1] * candidates;
        return data.Select((datum, row) =>
        {
            var length = datum.ModelInput.Length;
            var rowValues = flat.AsSpan(row * width, length * candidates).ToArray();
            return values.dim() == 3 ? TensorData.FromSingles(rowValues, [length, candidates]) : TensorData.FromSingles(rowValues);
        }).ToList();
    }
}

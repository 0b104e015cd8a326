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
    /// datums carry int64 <c>target_tokens</c> lined up with their model input.
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
                continue;
            }

            check.Tokens(index, "target_tokens");
        }

        return check.Violations.ToList();
    }

    /// <summary>Tokens and targets as <c>[datums, maxLength]</c> int64 tensors on <paramref name="device"/>, zero-padded.</summary>
    public static (Tensor Tokens, Tensor Targets) Marshal(IReadOnlyList<Datum> data, Device device)
    {
        var maxLength = data.Max(datum => datum.ModelInput.Length);
        var tokens = new long[data.Count * maxLength];
        var targets = new long[data.Count * maxLength];
        for (var row = 0; row < data.Count; row++)
        {
            var input = data[row].ModelInput.ToInts();
            for (var position = 0; position < input.Length; position++)
            {
                tokens[(row * maxLength) + position] = input[position];
            }

            data[row].LossFnInputs["target_tokens"].ToInt64s().CopyTo(targets, row * maxLength);
        }

        return (tensor(tokens, [data.Count, maxLength]).to(device), tensor(targets, [data.Count, maxLength]).to(device));
    }

    /// <summary>Row <c>i</c> of <paramref name="values"/> cut to datum <c>i</c>'s length, as float32.</summary>
    public static List<TensorData> Rows(Tensor values, IReadOnlyList<Datum> data)
    {
        var flat = values.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();
        var width = (int)values.shape[1];
        return data.Select((datum, row) => TensorData.FromSingles(flat.Skip(row * width).Take(datum.ModelInput.Length))).ToList();
    }
}

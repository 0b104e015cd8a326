using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>
/// The model-side rules of a batch: token ids inside the vocabulary, sequences inside the context.
/// The engine checks them on every call; a client checks them with the session's
/// <see cref="ModelInfo"/> so that one report names contract and model-side problems together.
/// </summary>
public static class ModelBounds
{
    /// <summary>
    /// Every model-side violation of <paramref name="data"/>. An empty batch and null datums are left
    /// to the contract check that runs beside this one.
    /// </summary>
    public static List<BatchViolation> Check(IReadOnlyList<Datum> data, int vocabSize, int contextLength)
    {
        var check = new BatchValidator(data);
        for (var index = 0; index < data.Count; index++)
        {
            var datum = data[index];
            if (datum is null)
            {
                continue;
            }

            var length = datum.ModelInput.Length;
            if (length > contextLength)
            {
                check.Report(index, null, $"{length} tokens exceed the model's context of {contextLength}.");
            }

            CheckIds(check, index, "model_input", datum.ModelInput.ToInts().Select(token => (long)token), vocabSize, flat => $"position {flat}");
            if (datum.LossFnInputs.TryGetValue("target_tokens", out var targets) && targets?.DType == TensorDType.Int64)
            {
                // Multi-target [T, K]: every candidate id is checked, and named by position and candidate.
                CheckIds(check, index, "target_tokens", targets.ToInt64s(), vocabSize, flat => BatchValidator.Position(targets, flat));
            }
        }

        return [.. check.Violations];
    }

    /// <summary>The same, against what <paramref name="info"/> says the session runs on.</summary>
    public static List<BatchViolation> Check(IReadOnlyList<Datum> data, ModelInfo info) =>
        Check(data, info.VocabSize, info.ContextLength);

    private static void CheckIds(BatchValidator check, int index, string key, IEnumerable<long> ids, int vocabSize, System.Func<int, string> where)
    {
        var position = 0;
        foreach (var id in ids)
        {
            if (id < 0 || id >= vocabSize)
            {
                check.Report(index, key, $"token {id} at {where(position)} is outside the vocabulary (0–{vocabSize - 1}).");
                return;
            }

            position++;
        }
    }
}

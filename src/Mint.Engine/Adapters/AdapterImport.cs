using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;

namespace Mint.Engine.Adapters;

/// <summary>
/// Checks adapter weights from elsewhere (an uploaded <see cref="LoraWeights"/>, a peft folder)
/// against the adapters a session over a model would have: exactly the same names, the same shapes,
/// finite float32 values. A session starts from them only when nothing is wrong.
/// </summary>
internal static class AdapterImport
{
    /// <summary>The operation named in the errors.</summary>
    public const string Operation = "adapter weights";

    /// <summary>Every problem with <paramref name="weights"/> for <paramref name="model"/>; empty when they fit.</summary>
    public static List<BatchViolation> Check(LoraWeights weights, ModelConfig model)
    {
        var violations = weights.Lora.Check().Select(violation => violation with { Key = "lora." + violation.Key }).ToList();
        if (violations.Count > 0)
        {
            return violations;
        }

        var expected = LoraAdapters.Expected(model, weights.Lora);
        foreach (var (name, shape) in expected)
        {
            if (!weights.Tensors.TryGetValue(name, out var tensor))
            {
                violations.Add(new BatchViolation(null, name, "is missing."));
            }
            else if (!tensor.Shape.SequenceEqual(shape))
            {
                violations.Add(new BatchViolation(null, name, $"is [{string.Join(", ", tensor.Shape)}], expected [{string.Join(", ", shape)}] (rank {weights.Lora.Rank})."));
            }
            else if (tensor.DType == TensorDType.Int64)
            {
                violations.Add(new BatchViolation(null, name, "is int64, expected float32."));
            }
            else if (tensor.IndexOfNonFinite() is var at and >= 0)
            {
                violations.Add(new BatchViolation(null, name, $"element {at} is {tensor[at]}; adapter weights must be finite."));
            }
        }

        var known = expected.Select(entry => entry.Name).ToHashSet();
        violations.AddRange(weights.Tensors.Keys
            .Where(name => !known.Contains(name))
            .Order(System.StringComparer.Ordinal)
            .Select(name => new BatchViolation(null, name, $"is not an adapter tensor of this model with these targets (they adapt {weights.Lora.DescribeTargets()}, with lora_A and lora_B only).")));
        return violations;
    }
}

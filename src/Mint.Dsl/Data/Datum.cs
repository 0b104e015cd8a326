using System;
using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>
/// One training example: the model input and the named tensors a loss reads
/// (the Python SDK's <c>Datum</c>). Per-token inputs have one value per model-input position;
/// <c>target_tokens[i]</c> is the token the model should predict after reading position <c>i</c>.
/// </summary>
public sealed class Datum
{
    /// <summary>Creates a datum.</summary>
    public Datum(ModelInput modelInput, IReadOnlyDictionary<string, TensorData> lossFnInputs)
    {
        ModelInput = modelInput ?? throw new ArgumentNullException(nameof(modelInput));
        LossFnInputs = lossFnInputs ?? throw new ArgumentNullException(nameof(lossFnInputs));
    }

    /// <summary>The tokens the model reads.</summary>
    public ModelInput ModelInput { get; }

    /// <summary>The loss inputs by key (<c>target_tokens</c>, <c>weights</c>, <c>advantages</c>, …).</summary>
    public IReadOnlyDictionary<string, TensorData> LossFnInputs { get; }
}

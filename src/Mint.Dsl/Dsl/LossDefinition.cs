using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Mint.Dsl;

/// <summary>
/// A loss written in the DSL, with its config bound. The source generator derives one subclass per
/// <see cref="LossAttribute"/> method: the contract, the validation and the call into the method.
/// This base holds what every loss shares: config resolution, marshalling and differentiation.
/// Instances are immutable; <see cref="WithConfig"/> returns a new one.
/// </summary>
public abstract class LossDefinition
{
    private readonly Dictionary<string, double> config;
    private readonly List<BatchViolation> configViolations;

    /// <summary>
    /// Binds <paramref name="given"/> over the contract's defaults. Unknown keys, bad values, values
    /// outside their declared range and broken declared orders are rejected at once, all in one
    /// report; a missing required key is reported by <see cref="Validate"/> with the batch.
    /// </summary>
    protected LossDefinition(LossContract contract, IReadOnlyDictionary<string, double>? given)
    {
        Contract = contract;
        given ??= new Dictionary<string, double>();
        var accepted = contract.Config.Count == 0 ? "none" : string.Join(", ", contract.Config.Select(spec => spec.Key));
        var rejected = given.Keys.Where(key => contract.Config.All(spec => spec.Key != key))
            .Select(key => new BatchViolation(null, key, $"'{contract.Name}' has no such config; it accepts: {accepted}."))
            .ToList();

        config = [];
        configViolations = [];
        foreach (var spec in contract.Config)
        {
            if (given.TryGetValue(spec.Key, out var value))
            {
                if (ConfigValueProblem(spec, value) is string problem)
                {
                    rejected.Add(new(null, spec.Key, problem));
                }

                config[spec.Key] = value;
            }
            else if (spec.DefaultValue is double defaultValue)
            {
                config[spec.Key] = defaultValue;
            }
            else
            {
                configViolations.Add(new(null, spec.Key, "required and has no default; give it a value."));
            }
        }

        if (rejected.Count == 0)
        {
            rejected.AddRange(OrderViolations(contract, config));
        }

        if (rejected.Count > 0)
        {
            throw new BatchValidationException(BatchValidationException.ForLoss(contract.Name), rejected);
        }
    }

    /// <summary>What the loss requires of a batch.</summary>
    public LossContract Contract { get; }

    /// <summary>The loss's name.</summary>
    public string Name => Contract.Name;

    /// <summary>The bound config, defaults included.</summary>
    public IReadOnlyDictionary<string, double> Config => config;

    /// <summary>
    /// The loss as a portable graph a server can run inside its own forward/backward pass, lowered by
    /// the generator from the method's body; null when the body does not lower (diagnostic MINT018 says why).
    /// </summary>
    public virtual Graphs.LossGraph? Graph => null;

    /// <summary>The same loss with <paramref name="newConfig"/> bound (defaults fill what it omits).</summary>
    public LossDefinition WithConfig(IReadOnlyDictionary<string, double> newConfig) => Rebind(newConfig);

    /// <summary>
    /// Checks <paramref name="data"/> against the contract and throws one
    /// <see cref="BatchValidationException"/> listing every violation; returns when the batch is valid.
    /// </summary>
    public void Validate(IReadOnlyList<Datum> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var check = new BatchValidator(data);
        foreach (var violation in configViolations)
        {
            check.Report(violation.DatumIndex, violation.Key, violation.Reason);
        }

        check.NonEmpty();
        check.ModelInputs();
        check.OnlyKnownKeys(Contract);
        ValidateData(check);
        if (check.Violations.Count > 0)
        {
            throw new BatchValidationException(BatchValidationException.ForLoss(Name), check.Violations.ToList());
        }
    }

    /// <summary>
    /// Runs the loss method on a marshalled batch. The engine calls this with log-probs that are part
    /// of the model's graph; the client path calls it through <see cref="ComputeGradient"/>.
    /// </summary>
    public LossResult Evaluate(LossBatch batch)
    {
        var result = Invoke(batch);
        if (result.Loss.numel() != 1 || !result.Loss.is_floating_point())
        {
            throw new InvalidOperationException(
                $"Loss '{Name}' must return a floating-point scalar; it returned {result.Loss.dtype} [{string.Join(", ", result.Loss.shape)}].");
        }

        return result;
    }

    /// <summary>
    /// Validates the batch, then computes the loss, its metrics and dL/dlogprobs per datum on the
    /// device and in the precision of <paramref name="options"/>.
    /// </summary>
    /// <param name="data">The batch.</param>
    /// <param name="logprobs">The model's target log-probs per datum: one per model-input position, or
    /// <c>[T, K]</c> (one per candidate target) for a multi-target loss.</param>
    /// <param name="options">Device and precision; CPU float32 when null.</param>
    public LossGradient ComputeGradient(IReadOnlyList<Datum> data, IReadOnlyList<TensorData> logprobs, LossComputeOptions? options = null)
    {
        TorchNative.EnsureLoaded();
        options ??= LossComputeOptions.Default;
        Validate(data);
        ValidateLogprobs(data, logprobs);

        var device = options.Device ?? CPU;
        ComputeDevice.Check(device, nameof(LossComputeOptions.Device));
        using var scope = NewDisposeScope();
        var lengths = data.Select(datum => datum.ModelInput.Length).ToArray();
        var candidates = Contract.IsMultiTarget ? (int)logprobs[0].Shape[1] : (int?)null;
        var width = lengths.Max() * (candidates ?? 1);
        var leaf = LossBatch.PadRows(logprobs, lengths.Max(), options.ScalarType, device, candidates).requires_grad_();
        var result = Evaluate(new LossBatch(data, leaf));
        var termNorms = options.TermGradientNorms && result.Terms.Count > 0 ? TermGradientNorms.Compute(result, leaf, lengths) : null;
        result.Loss.backward();

        var gradient = (leaf.grad ?? zeros_like(leaf)).detach().cpu();
        var gradients = new TensorData[data.Count];
        if (options.Precision == LossPrecision.Float64)
        {
            var values = gradient.data<double>().ToArray();
            for (var row = 0; row < data.Count; row++)
            {
                gradients[row] = TensorData.OwningDoubles(values.AsSpan(row * width, lengths[row] * (candidates ?? 1)).ToArray(), candidates is null ? null : [.. logprobs[row].Shape]);
            }
        }
        else
        {
            var values = gradient.to(ScalarType.Float32).data<float>().ToArray();
            for (var row = 0; row < data.Count; row++)
            {
                gradients[row] = TensorData.OwningSingles(values.AsSpan(row * width, lengths[row] * (candidates ?? 1)).ToArray(), candidates is null ? null : [.. logprobs[row].Shape]);
            }
        }

        var (loss, metrics) = ReadScalars(result);
        foreach (var (name, norm) in termNorms ?? [])
        {
            metrics[name] = norm;
        }

        return new LossGradient(loss, metrics, gradients);
    }

    /// <summary>The generated contract checks, one call per rule the signature implies.</summary>
    protected abstract void ValidateData(BatchValidator check);

    /// <summary>The generated call into the loss method.</summary>
    protected abstract LossResult Invoke(LossBatch batch);

    /// <summary>The generated constructor call for a copy with other config.</summary>
    protected abstract LossDefinition Rebind(IReadOnlyDictionary<string, double> newConfig);

    /// <summary>The bound value of config <paramref name="key"/>, for the generated call.</summary>
    protected double ConfigValue(string key) => config.TryGetValue(key, out var value)
        ? value
        : throw new BatchValidationException(BatchValidationException.ForLoss(Name), [new(null, key, "required and has no default; give it a value.")]);

    private static string? ConfigValueProblem(LossConfigSpec spec, double value) => spec.Type switch
    {
        _ when !double.IsFinite(value) => FormattableString.Invariant($"is {value}; it must be finite."),
        LossConfigType.Integer when value != Math.Floor(value) => FormattableString.Invariant($"is {value}; it must be a whole number."),
        LossConfigType.Boolean when value is not (0 or 1) => FormattableString.Invariant($"is {value}; a boolean config is 0 or 1."),
        _ when value < spec.Min => FormattableString.Invariant($"is {value}; it must be ≥ {spec.Min}."),
        _ when value > spec.Max => FormattableString.Invariant($"is {value}; it must be ≤ {spec.Max}."),
        _ => null,
    };

    /// <summary>Each declared order (<see cref="LossContract.ConfigOrders"/>) that the bound values break; keys without a value yet are skipped.</summary>
    private static IEnumerable<BatchViolation> OrderViolations(LossContract contract, Dictionary<string, double> bound)
    {
        foreach (var order in contract.ConfigOrders)
        {
            var present = order.Where(bound.ContainsKey).ToList();
            for (var index = 0; index + 1 < present.Count; index++)
            {
                var (low, high) = (present[index], present[index + 1]);
                if (bound[low] > bound[high])
                {
                    yield return new(null, low, FormattableString.Invariant(
                        $"is {bound[low]}, above {high} ({bound[high]}); it must be ≤ {high}."));
                }
            }
        }
    }

    private void ValidateLogprobs(IReadOnlyList<Datum> data, IReadOnlyList<TensorData> logprobs)
    {
        ArgumentNullException.ThrowIfNull(logprobs);
        if (logprobs.Count != data.Count)
        {
            throw new ArgumentException($"Got log-probs for {logprobs.Count} datums but the batch has {data.Count}.", nameof(logprobs));
        }

        for (var index = 0; index < data.Count; index++)
        {
            var length = data[index].ModelInput.Length;
            if (Contract.IsMultiTarget)
            {
                // One K for the batch: the datum's target_tokens (validated above) say how many candidates.
                var candidates = data[index].LossFnInputs["target_tokens"].Shape[1];
                if (!logprobs[index].DType.IsFloating() || logprobs[index].Shape.Count != 2 || logprobs[index].Shape[0] != length || logprobs[index].Shape[1] != candidates)
                {
                    throw new ArgumentException(
                        $"Log-probs of datum {index} are {logprobs[index]}; expected floats of shape [{length}, {candidates}] (one per candidate target).", nameof(logprobs));
                }
            }
            else if (!logprobs[index].DType.IsFloating() || logprobs[index].Count != length)
            {
                throw new ArgumentException(
                    $"Log-probs of datum {index} are {logprobs[index]}; expected floats of length {length}.", nameof(logprobs));
            }
        }
    }

    /// <summary>The loss and every metric as doubles, read from the device in one transfer.</summary>
    private (double Loss, Dictionary<string, double> Metrics) ReadScalars(LossResult result)
    {
        foreach (var (name, value) in result.Metrics)
        {
            if (value.numel() != 1)
            {
                throw new InvalidOperationException(
                    $"Metric '{name}' of loss '{Name}' must be a scalar; it has shape [{string.Join(", ", value.shape)}].");
            }
        }

        var device = result.Loss.device;
        var scalars = cat(result.Metrics.Select(metric => metric.Value.detach().to(ScalarType.Float64, device).reshape(1))
                .Prepend(result.Loss.detach().to(ScalarType.Float64).reshape(1)).ToList(), 0)
            .cpu().data<double>().ToArray();
        var metrics = new Dictionary<string, double>();
        for (var index = 0; index < result.Metrics.Count; index++)
        {
            metrics[result.Metrics[index].Key] = scalars[index + 1];
        }

        return (scalars[0], metrics);
    }
}

namespace Mint.Dsl.Generators.Model;

/// <summary>What a loss parameter binds to.</summary>
internal enum ParameterRole
{
    /// <summary>The model's target log-probs, the value the loss is differentiated against.</summary>
    TargetLogprobs,

    /// <summary>A per-token <c>loss_fn_inputs</c> entry.</summary>
    Input,

    /// <summary>A <c>loss_fn_config</c> scalar.</summary>
    Config,
}

/// <summary>One parameter of a loss method, reduced to what the emitter needs.</summary>
/// <param name="Name">The C# parameter name.</param>
/// <param name="Role">What it binds to.</param>
/// <param name="Key">The input or config key (empty for log-probs).</param>
/// <param name="IsPair">True for <c>Pair&lt;Tensor&gt;</c>.</param>
/// <param name="DType">For inputs: <c>Float32</c>, <c>Int64</c> or <c>Float64</c>.</param>
/// <param name="ClrType">For config: <c>double</c>, <c>float</c>, <c>int</c>, <c>long</c> or <c>bool</c>.</param>
/// <param name="DefaultLiteral">For config: the default as a C# double literal, or null when required.</param>
internal sealed record LossParameter(
    string Name,
    ParameterRole Role,
    string Key,
    bool IsPair,
    string DType,
    string ClrType,
    string? DefaultLiteral)
{
    /// <summary>For log-probs and inputs: <c>PerDatum</c>, <c>PerToken</c> or <c>KPerToken</c> (<c>Mint.Dsl.InputRank</c>).</summary>
    public string Rank { get; init; } = "PerToken";

    /// <summary>For config: the smallest accepted value as a C# double literal, or null when unbounded.</summary>
    public string? MinLiteral { get; init; }

    /// <summary>For config: the largest accepted value as a C# double literal, or null when unbounded.</summary>
    public string? MaxLiteral { get; init; }
}

/// <summary>Config keys whose values must not decrease in this order (<c>[LossConfigOrder]</c>).</summary>
/// <param name="Keys">The config keys, smallest first.</param>
internal sealed record ConfigOrder(EquatableArray<string> Keys);

/// <summary>A type that contains the loss method, outermost first.</summary>
/// <param name="Keyword">The declaration keyword with <c>static</c> when the type is static.</param>
/// <param name="Name">The type's name.</param>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>Everything the emitter needs to write one loss's definition; holds no symbols or syntax.</summary>
/// <param name="Namespace">The namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">The enclosing types, outermost first.</param>
/// <param name="MethodName">The loss method.</param>
/// <param name="LossName">The name in <c>[Loss("…")]</c>.</param>
/// <param name="Parameters">The parameters, in signature order.</param>
internal sealed record LossModel(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string MethodName,
    string LossName,
    EquatableArray<LossParameter> Parameters)
{
    /// <summary>The declared orders between config values.</summary>
    public EquatableArray<ConfigOrder> ConfigOrders { get; init; } = EquatableArray<ConfigOrder>.Empty;

    /// <summary>
    /// The static property users pass to <c>ForwardBackwardCustomAsync</c>: <c>Dpo</c> → <c>DpoLoss</c>;
    /// a method already named <c>DpoLoss</c> gets <c>DpoLossFn</c>, since the method holds its own name.
    /// </summary>
    public string PropertyName => PropertyNameFor(MethodName);

    /// <summary>The generated <c>LossDefinition</c> subclass: <c>DpoLossDefinition</c>.</summary>
    public string DefinitionTypeName => Stem(MethodName) + "LossDefinition";

    /// <summary><see cref="PropertyName"/> for a loss method named <paramref name="methodName"/> (the analyzers name it in fixes).</summary>
    public static string PropertyNameFor(string methodName) =>
        Stem(methodName) + "Loss" == methodName ? methodName + "Fn" : Stem(methodName) + "Loss";

    /// <summary>The method name without a trailing <c>Loss</c>.</summary>
    private static string Stem(string methodName) => methodName.EndsWith("Loss", System.StringComparison.Ordinal)
        ? methodName.Substring(0, methodName.Length - "Loss".Length)
        : methodName;

    /// <summary>The rank of the target log-probs: <c>PerToken</c>, or <c>KPerToken</c> for a multi-target loss.</summary>
    public string LogprobsRank
    {
        get
        {
            foreach (var parameter in Parameters)
            {
                if (parameter.Role == ParameterRole.TargetLogprobs)
                {
                    return parameter.Rank;
                }
            }

            return "PerToken";
        }
    }

    /// <summary>True when the batch is read as (chosen, rejected) pairs.</summary>
    public bool IsPaired
    {
        get
        {
            foreach (var parameter in Parameters)
            {
                if (parameter.IsPair)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

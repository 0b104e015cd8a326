using TorchSharp;

namespace Mint.Dsl;

/// <summary>
/// One named, weighted term of a composed loss (see <see cref="LossResult.Term"/>): the loss is the
/// base loss plus <c>Weight · Value</c> for each term.
/// </summary>
/// <param name="Name">The term's name, reported as metric <c>terms/{Name}</c>.</param>
/// <param name="Weight">Its weight in the total (a finite number: a constant or a config value).</param>
/// <param name="Value">The unweighted scalar value, differentiable with the loss.</param>
public sealed record LossTerm(string Name, double Weight, torch.Tensor Value)
{
    /// <summary>The metric prefix every term's reports share.</summary>
    public const string MetricPrefix = "terms/";

    /// <summary>The name the base loss is reported under once terms are added.</summary>
    public const string BaseName = "base";

    /// <summary>The metric of a term's value: <c>terms/{name}</c>.</summary>
    public static string ValueMetric(string name) => MetricPrefix + name;

    /// <summary>The metric of the norm of a term's weighted gradient with respect to the log-probs: <c>terms/{name}/grad_norm</c>.</summary>
    public static string GradientNormMetric(string name) => MetricPrefix + name + "/grad_norm";
}

using System.Linq;

namespace Mint.Dsl.Graphs;

/// <summary>What the checker's type rules may ask of the graph: its layout, inputs and config.</summary>
internal sealed class GraphCheckScope(LossGraph graph)
{
    public BatchLayout Layout => graph.Layout;

    public ValueInfo Input(string? key)
    {
        var input = graph.Inputs.FirstOrDefault(candidate => candidate.Key == key)
            ?? throw new GraphRuleException("input", $"reads input '{key}', which the graph does not declare.");
        var category = input.DType == TensorDType.Int64 ? ValueCategory.Integer : ValueCategory.Float;
        return ValueInfo.Tensor(category, input.Rank switch
        {
            InputRank.PerDatum => ["B"],
            InputRank.PerToken => ["B", "T"],
            _ => ["B", "T", "K"],
        });
    }

    public ValueInfo Config(string? key) => graph.Config.Any(spec => spec.Key == key)
        ? ValueInfo.Number
        : throw new GraphRuleException("config", $"reads config '{key}', which the graph does not declare.");
}

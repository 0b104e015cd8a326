using System;
using static TorchSharp.torch;

namespace Mint.Dsl.Graphs;

/// <summary>What a running graph reads: the marshalled batch and the bound config.</summary>
internal sealed class GraphRunScope(LossBatch batch, Func<string, double> config, Func<string, InputRank> rank)
{
    public Tensor Input(string key) => key == LossGraph.TargetLogprobsKey ? batch.Logprobs : batch.Input(key, rank(key));

    public double Config(string key) => config(key);
}

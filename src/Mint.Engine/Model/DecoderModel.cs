using System;
using System.Linq;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Model;

/// <summary>
/// A Llama/Qwen-style causal language model over frozen <see cref="ModelWeights"/>, optionally
/// with a session's <see cref="LoraAdapters"/>. Stateless between calls apart from an explicit <see cref="KvCache"/>.
/// </summary>
public sealed class DecoderModel
{
    private readonly Tensor embedding;
    private readonly Tensor head;
    private readonly DecoderLayer[] layers;
    private readonly RmsNorm finalNorm;
    private readonly RotaryEmbedding rotary;

    /// <summary>Assembles the model; the weights and adapters are shared, not copied.</summary>
    public DecoderModel(ModelWeights weights, LoraAdapters? adapters)
    {
        Config = weights.Config;
        embedding = weights["model.embed_tokens.weight"];
        head = weights.Find("lm_head.weight") ?? embedding;
        layers = Enumerable.Range(0, Config.NumHiddenLayers).Select(index => new DecoderLayer(index, weights, adapters)).ToArray();
        finalNorm = new RmsNorm(weights["model.norm.weight"], Config.RmsNormEps);
        rotary = new RotaryEmbedding(Config, weights.Device);
    }

    /// <summary>The model's shape.</summary>
    public ModelConfig Config { get; }

    /// <summary>The device the weights live on.</summary>
    public Device Device => embedding.device;

    /// <summary>
    /// Next-token logits <c>[batch, tokens, vocab]</c> for <paramref name="tokens"/> (<c>[batch, tokens]</c>, int64),
    /// continuing after what <paramref name="cache"/> holds.
    /// </summary>
    public Tensor Forward(Tensor tokens, KvCache? cache = null)
    {
        var past = cache?.Length ?? 0;
        if (past + tokens.shape[1] > Config.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"{past + tokens.shape[1]} positions exceed the context of {Config.MaxPositionEmbeddings}.");
        }

        var hidden = embedding.index_select(0, tokens.reshape(-1)).view(tokens.shape[0], tokens.shape[1], -1);
        foreach (var layer in layers)
        {
            hidden = layer.Forward(hidden, rotary, cache);
        }

        cache?.Advance((int)tokens.shape[1]);
        return functional.linear(finalNorm.Forward(hidden), head);
    }

    /// <summary>
    /// log p(targets[b, t] | tokens[b, ..t]) for every position: <c>[batch, tokens]</c>. Part of the
    /// autograd graph when gradients are enabled.
    /// </summary>
    public Tensor TargetLogprobs(Tensor tokens, Tensor targets)
    {
        // gather − logsumexp rather than log_softmax: autograd then keeps only the logits, not a
        // second [batch, tokens, vocab] tensor, which dominates memory for large vocabularies.
        var logits = Forward(tokens);
        return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1);
    }
}

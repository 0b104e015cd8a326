using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Compute;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Model;

/// <summary>
/// A Llama/Qwen-style causal language model over frozen <see cref="ModelWeights"/>, optionally
/// with a session's <see cref="LoraAdapters"/>. Stateless between calls apart from an explicit <see cref="KvCache"/>.
/// </summary>
/// <remarks>
/// Memory: each layer runs in its own dispose scope and its input is released as soon as the next
/// hidden state exists, so a no-grad pass holds about one layer's intermediates at a time. Target
/// log-probs never materialise the whole <c>[batch, tokens, vocab]</c> logits: they are computed
/// over chunks of tokens, and <see cref="ForwardBackward"/> recomputes each chunk's logits in the
/// backward pass instead of keeping them (exact: the same operations in the same order).
/// </remarks>
public sealed class DecoderModel
{
    private readonly Tensor embedding;
    private readonly Projection head;
    private readonly long vocabSize;
    private readonly DecoderLayer[] layers;
    private readonly RmsNorm finalNorm;
    private readonly RotaryEmbedding rotary;
    private readonly EngineOptions options;

    /// <summary>Whether any layer projection carries an adapter, i.e. whether the backward pass goes below the head.</summary>
    private readonly bool layersTrain;

    /// <summary>Assembles the model; the weights and adapters are shared, not copied.</summary>
    /// <exception cref="ArgumentException">The adapters live on another device than the weights.</exception>
    public DecoderModel(ModelWeights weights, LoraAdapters? adapters, EngineOptions? options = null)
    {
        this.options = options ?? EngineOptions.Default;
        this.options.Check();
        if (adapters is not null && !SameDevice(adapters.Device, weights.Device))
        {
            throw new ArgumentException($"The LoRA adapters are on {adapters.Device} but the base weights are on {weights.Device}; create the adapters on the weights' device.", nameof(adapters));
        }

        Config = weights.Config;
        embedding = weights["model.embed_tokens.weight"];
        // A tied head shares the embedding's weight; its adapter (if any) changes the output side only.
        var headWeight = weights.Find("lm_head.weight") ?? embedding;
        vocabSize = headWeight.shape[0];
        head = new Projection(headWeight, null, adapters?.Find(LoraConfig.UnembedModule));
        layers = Enumerable.Range(0, Config.NumHiddenLayers).Select(index => new DecoderLayer(index, weights, adapters)).ToArray();
        finalNorm = new RmsNorm(weights["model.norm.weight"], Config.RmsNormEps);
        rotary = new RotaryEmbedding(Config, weights.Device);
        layersTrain = adapters is not null && adapters.Config.LayerModules().Count > 0;
    }

    /// <summary>The model's shape.</summary>
    public ModelConfig Config { get; }

    /// <summary>The device the weights live on.</summary>
    public Device Device => embedding.device;

    /// <summary>
    /// Next-token logits <c>[batch, tokens, vocab]</c> for <paramref name="tokens"/> (<c>[batch, tokens]</c>, int64),
    /// continuing after what <paramref name="cache"/> holds.
    /// </summary>
    public Tensor Forward(Tensor tokens, KvCache? cache = null) => head.Forward(Hidden(tokens, cache));

    /// <summary>Float32 logits <c>[batch, vocab]</c> of the last position only: what sampling needs.</summary>
    public Tensor NextTokenLogits(Tensor tokens, KvCache? cache = null)
    {
        var hidden = Hidden(tokens, cache);
        return head.Forward(hidden.select(1, -1)).to(ScalarType.Float32);
    }

    /// <summary>
    /// log p(targets[b, t] | tokens[b, ..t]) for every position: <c>[batch, tokens]</c>, float32; for
    /// multi-target <paramref name="targets"/> <c>[batch, tokens, K]</c>, the log-prob of each candidate,
    /// <c>[batch, tokens, K]</c>. Part of the autograd graph when gradients are enabled (training uses
    /// <see cref="ForwardBackward"/>, which keeps less).
    /// </summary>
    public Tensor TargetLogprobs(Tensor tokens, Tensor targets) => Logprobs(Hidden(tokens, null), targets);

    /// <summary>
    /// One training pass: computes the target log-probs, hands them to <paramref name="loss"/> as a
    /// float32 leaf of the targets' shape (<c>[batch, tokens]</c>, or <c>[batch, tokens, K]</c> for K
    /// candidate targets per position), and back-propagates the returned scalar into the adapters'
    /// gradients. Returns the log-probs (no graph). The backward runs in stages — loss, then the LM
    /// head chunk by chunk, then the layers (recomputed one at a time under activation checkpointing) —
    /// so neither the full logits nor, with checkpointing, every layer's intermediates are ever held at once.
    /// </summary>
    public Tensor ForwardBackward(Tensor tokens, Tensor targets, Func<Tensor, Tensor> loss)
    {
        using var scope = NewDisposeScope();
        var checkpoints = new List<Tensor>();
        var checkpointing = options.ActivationCheckpointing && layersTrain;
        Tensor top;
        using (enable_grad(layersTrain && !checkpointing))
        {
            top = Embed(tokens);
            foreach (var layer in layers)
            {
                if (checkpointing)
                {
                    checkpoints.Add(top);
                    top = Step(layer, top, null, disposeInput: false);
                }
                else
                {
                    top = Step(layer, top, null, disposeInput: true);
                }
            }
        }

        // Stage 1: the loss against log-probs computed without a graph.
        var topLeaf = top.detach().requires_grad_();
        var normed = finalNorm.Forward(topLeaf);
        Tensor logprobs;
        using (no_grad())
        {
            logprobs = Logprobs(normed.detach(), targets);
        }

        var logprobLeaf = logprobs.detach().requires_grad_();
        loss(logprobLeaf).backward();
        var logprobGradient = logprobLeaf.grad ?? zeros_like(logprobLeaf);

        // Stage 2: the LM head, chunk by chunk (its adapter's gradients accumulate here), then the final norm.
        var headGradient = HeadBackward(normed.detach(), targets, logprobGradient);
        if (!layersTrain)
        {
            // Only the head is adapted: nothing below it has a gradient to receive.
            return logprobs.detach().MoveToOuterDisposeScope();
        }

        normed.backward([headGradient]);
        var gradient = topLeaf.grad!;

        // Stage 3: the layers.
        if (!checkpointing)
        {
            top.backward([gradient]);
        }
        else
        {
            for (var index = layers.Length - 1; index >= 0; index--)
            {
                using var layerScope = NewDisposeScope();
                var input = checkpoints[index].detach().requires_grad_(index > 0);
                layers[index].Forward(input, rotary, null).backward([gradient]);
                gradient.Dispose();
                gradient = index > 0 ? input.grad!.MoveToOuterDisposeScope() : gradient;
                checkpoints[index].Dispose();
            }
        }

        return logprobs.detach().MoveToOuterDisposeScope();
    }

    /// <summary>The final-normed hidden states <c>[batch, tokens, hidden]</c>, one layer at a time.</summary>
    private Tensor Hidden(Tensor tokens, KvCache? cache)
    {
        var past = cache?.Length ?? 0;
        if (past + tokens.shape[1] > Config.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"{past + tokens.shape[1]} positions exceed the context of {Config.MaxPositionEmbeddings}.");
        }

        var hidden = Embed(tokens);
        foreach (var layer in layers)
        {
            hidden = Step(layer, hidden, cache, disposeInput: true);
        }

        cache?.Advance((int)tokens.shape[1]);
        return finalNorm.Forward(hidden);
    }

    private Tensor Embed(Tensor tokens) =>
        embedding.index_select(0, tokens.reshape(-1)).view(tokens.shape[0], tokens.shape[1], -1);

    /// <summary>
    /// Runs one layer in its own scope, so its intermediates are released when it returns (autograd
    /// keeps what backward needs); the input is released too unless the caller still needs it.
    /// </summary>
    private Tensor Step(DecoderLayer layer, Tensor input, KvCache? cache, bool disposeInput)
    {
        Tensor output;
        using (var layerScope = NewDisposeScope())
        {
            output = layer.Forward(input, rotary, cache).MoveToOuterDisposeScope();
        }

        if (disposeInput)
        {
            input.Dispose();
        }

        return output;
    }

    /// <summary>Target log-probs from final hidden states, over chunks of tokens, in the targets' shape; float32.</summary>
    private Tensor Logprobs(Tensor normed, Tensor targets)
    {
        var flat = normed.reshape(-1, normed.shape[^1]);
        var flatTargets = FlatTargets(targets);
        var chunk = options.ChunkTokens(vocabSize);
        var pieces = new List<Tensor>();
        for (long start = 0; start < flat.shape[0]; start += chunk)
        {
            var length = Math.Min(chunk, flat.shape[0] - start);
            using var chunkScope = NewDisposeScope();
            pieces.Add(ChunkLogprobs(flat.narrow(0, start, length), flatTargets.narrow(0, start, length)).MoveToOuterDisposeScope());
        }

        return (pieces.Count == 1 ? pieces[0] : cat(pieces, 0)).view(targets.shape);
    }

    /// <summary>Targets as <c>[positions, K]</c>: K candidates per position (K = 1 for <c>[batch, tokens]</c> targets).</summary>
    private static Tensor FlatTargets(Tensor targets) => targets.dim() == 3
        ? targets.reshape(-1, targets.shape[2])
        : targets.reshape(-1, 1);

    /// <summary>
    /// The gradient with respect to the final hidden states of <c>sum(logprobs * gradient)</c>,
    /// recomputing each chunk's logits so only one chunk's are alive at a time.
    /// </summary>
    private Tensor HeadBackward(Tensor normed, Tensor targets, Tensor gradient)
    {
        var flat = normed.reshape(-1, normed.shape[^1]);
        var flatTargets = FlatTargets(targets);
        var flatGradient = gradient.reshape(flatTargets.shape);
        var chunk = options.ChunkTokens(vocabSize);
        var pieces = new List<Tensor>();
        for (long start = 0; start < flat.shape[0]; start += chunk)
        {
            var length = Math.Min(chunk, flat.shape[0] - start);
            using var chunkScope = NewDisposeScope();
            var input = flat.narrow(0, start, length).detach().requires_grad_();
            ChunkLogprobs(input, flatTargets.narrow(0, start, length)).backward([flatGradient.narrow(0, start, length)]);
            pieces.Add(input.grad!.MoveToOuterDisposeScope());
        }

        return (pieces.Count == 1 ? pieces[0] : cat(pieces, 0)).view(normed.shape);
    }

    /// <summary>
    /// gather − logsumexp over one chunk's float32 logits, for each of the K candidate targets of a
    /// position (<paramref name="targets"/> <c>[positions, K]</c> → <c>[positions, K]</c>); rather than
    /// log_softmax: autograd then keeps only the logits, not a second chunk-by-vocab tensor.
    /// </summary>
    private Tensor ChunkLogprobs(Tensor hidden, Tensor targets)
    {
        var logits = head.Forward(hidden).to(ScalarType.Float32);
        return logits.gather(-1, targets) - logits.logsumexp(-1, keepdim: true);
    }

    private static bool SameDevice(Device left, Device right) =>
        left.type == right.type && Math.Max(left.index, 0) == Math.Max(right.index, 0);
}

using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Model;

/// <summary>
/// One pre-norm decoder block: grouped-query self-attention with rotary positions, then a SwiGLU
/// MLP, each added to the residual stream. Qwen3 normalises each query and key head (RMSNorm over
/// <c>head_dim</c>) before the rotary embedding.
/// </summary>
internal sealed class DecoderLayer
{
    private readonly int index;
    private readonly ModelConfig config;
    private readonly RmsNorm inputNorm;
    private readonly RmsNorm postAttentionNorm;
    private readonly Projection query, key, value, output, gate, up, down;
    private readonly RmsNorm? queryNorm, keyNorm;

    public DecoderLayer(int index, ModelWeights weights, LoraAdapters? adapters)
    {
        this.index = index;
        config = weights.Config;
        var prefix = $"model.layers.{index}.";
        Projection Project(string name) => new(
            weights[prefix + name + ".weight"],
            weights.Find(prefix + name + ".bias"),
            adapters?.Find(prefix + name));
        inputNorm = new RmsNorm(weights[prefix + "input_layernorm.weight"], config.RmsNormEps);
        postAttentionNorm = new RmsNorm(weights[prefix + "post_attention_layernorm.weight"], config.RmsNormEps);
        query = Project("self_attn.q_proj");
        key = Project("self_attn.k_proj");
        value = Project("self_attn.v_proj");
        output = Project("self_attn.o_proj");
        gate = Project("mlp.gate_proj");
        up = Project("mlp.up_proj");
        down = Project("mlp.down_proj");
        if (config.Architecture.QueryKeyNorm)
        {
            queryNorm = new RmsNorm(weights[prefix + "self_attn.q_norm.weight"], config.RmsNormEps);
            keyNorm = new RmsNorm(weights[prefix + "self_attn.k_norm.weight"], config.RmsNormEps);
        }
    }

    public Tensor Forward(Tensor hidden, RotaryEmbedding rotary, KvCache? cache)
    {
        hidden = hidden + Attention(inputNorm.Forward(hidden), rotary, cache);
        var x = postAttentionNorm.Forward(hidden);
        return hidden + down.Forward(functional.silu(gate.Forward(x)) * up.Forward(x));
    }

    private Tensor Attention(Tensor x, RotaryEmbedding rotary, KvCache? cache)
    {
        long batch = x.shape[0], length = x.shape[1];
        int heads = config.NumAttentionHeads, kvHeads = config.KeyValueHeads, dim = config.HeadDim;
        var past = cache?.Length ?? 0;

        var q = query.Forward(x).view(batch, length, heads, dim);
        var k = key.Forward(x).view(batch, length, kvHeads, dim);
        if (queryNorm is not null && keyNorm is not null)
        {
            q = queryNorm.Forward(q);
            k = keyNorm.Forward(k);
        }

        q = rotary.Apply(q.transpose(1, 2), past);
        k = rotary.Apply(k.transpose(1, 2), past);
        var v = value.Forward(x).view(batch, length, kvHeads, dim).transpose(1, 2);
        if (cache is not null)
        {
            (k, v) = cache.Append(index, k, v);
        }

        if (kvHeads != heads)
        {
            k = k.repeat_interleave(heads / kvHeads, dim: 1);
            v = v.repeat_interleave(heads / kvHeads, dim: 1);
        }

        // No past: plain causal. One new token: it may see everything cached. Several new tokens
        // after a past: each sees the past and the new tokens up to itself.
        Tensor? mask = past > 0 && length > 1
            ? ones([length, past + length], ScalarType.Bool, x.device).tril(past)
            : null;
        var attended = functional.scaled_dot_product_attention(q, k, v, mask, 0.0, is_casual: past == 0 && length > 1);
        return output.Forward(attended.transpose(1, 2).reshape(batch, length, heads * dim));
    }
}

using System.Linq;
using Mint.Dsl;
using Mint.Engine.Sampling;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Sampling;

/// <summary>
/// The top-p cut on logits chosen so it falls exactly on a boundary. As transformers'
/// <c>TopPLogitsWarper</c> (which removes the tokens whose ascending cumulative probability is at most
/// 1 − top_p), a token goes once the tokens before it reach top_p, and the most likely token always stays.
/// </summary>
public sealed class TopPBoundaryTests
{
    private static long[] Draws(float[] logits, SamplingParams parameters, int count, out float[] logprobs)
    {
        using var scope = NewDisposeScope();
        var rows = tensor(Enumerable.Repeat(logits, count).SelectMany(row => row).ToArray(), [count, logits.Length]);
        var (next, chosen) = Sampler.Pick(rows, parameters, new Generator(17));
        logprobs = chosen.data<float>().ToArray();
        return next.data<long>().ToArray();
    }

    [Fact]
    public void A_token_goes_when_the_tokens_before_it_reach_top_p_exactly()
    {
        // Two tokens of probability exactly 0.5: the first one alone reaches top_p = 0.5.
        var draws = Draws([0f, 0f], new SamplingParams { TopP = 0.5 }, 200, out var logprobs);

        Assert.Single(draws.Distinct());
        Assert.All(logprobs, logprob => Assert.Equal(System.Math.Log(0.5), logprob, 6));
    }

    [Fact]
    public void A_top_p_below_float32_resolution_keeps_the_most_likely_token()
    {
        // 1e-50 is 0 in float32, where the first token's "probability before it" (0) would reach it.
        var draws = Draws([0f, 5f, 1f], new SamplingParams { TopP = 1e-50 }, 50, out var logprobs);

        Assert.All(draws, token => Assert.Equal(1L, token));
        var expected = 5 - System.Math.Log(System.Math.Exp(0) + System.Math.Exp(5) + System.Math.Exp(1));
        Assert.All(logprobs, logprob => Assert.Equal(expected, logprob, 5));
    }
}

using System;
using System.Linq;
using System.Threading.Tasks;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Xunit;

namespace Mint.Client.Tests;

/// <summary>
/// Through the client API on the embedded transport, <c>forward</c> on a folder Hugging Face transformers
/// wrote returns transformers' log-probs (float64 reference) within 1e-5, batched and one by one.
/// </summary>
public sealed class TransformersParityTests
{
    public static TheoryData<string> Fixtures => new(TransformersFixture.Names);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Forward_returns_transformers_logprobs(string name)
    {
        var fixture = TransformersFixture.Open(name);
        await using var service = new ServiceClient(new ServiceClientOptions { BaseModelPath = fixture.Folder });
        var training = await service.CreateLoraTrainingClientAsync(new LoraConfig(Rank: 2));
        var data = fixture.Sequences.Select(sequence => Data.Sft(sequence)).ToList();

        var batched = await training.ForwardAsync(data);
        for (var index = 0; index < data.Count; index++)
        {
            var alone = await training.ForwardAsync([data[index]]);
            AssertClose(fixture.Logprobs[index], batched.Logprobs[index].ToDoubles(), $"{name} datum {index} in the batch");
            AssertClose(fixture.Logprobs[index], alone.Logprobs[0].ToDoubles(), $"{name} datum {index} alone");
        }
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(error <= 1e-5, $"{what}: max abs log-prob error {error:E2}");
    }
}

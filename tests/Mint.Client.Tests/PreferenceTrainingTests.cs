using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Samples.Preference;
using Xunit;
using Xunit.Abstractions;

namespace Mint.Client.Tests;

/// <summary>The seed's pairwise preference loss trains a real model from chance to perfect pair accuracy.</summary>
public sealed class PreferenceTrainingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Pairwise_preference_moves_pair_accuracy_from_chance_to_one()
    {
        await using var service = new EmbeddedService(seed: 9);
        var training = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(8, Seed: 4));
        // Chosen completions use even tokens, rejected ones odd tokens, after shared prompts.
        var batch = new List<Datum>();
        for (var pair = 0; pair < 6; pair++)
        {
            int[] prompt = [1 + pair, 40 - pair];
            batch.Add(PreferenceData.Completion(prompt, [10 + (2 * pair), 20 + (2 * pair)]));
            batch.Add(PreferenceData.Completion(prompt, [11 + (2 * pair), 21 + (2 * pair)]));
        }

        var accuracy = new List<double>();
        for (var step = 0; step < 30; step++)
        {
            var result = await training.ForwardBackwardCustomAsync(batch, PreferenceLosses.PairwisePreferenceLoss);
            accuracy.Add(result.Metrics["pair_accuracy"]);
            await training.OptimStepAsync(new AdamParams(LearningRate: 2e-2));
        }

        output.WriteLine(string.Join(", ", accuracy));
        Assert.InRange(accuracy[0], 0.0, 0.84);
        Assert.Equal(1.0, accuracy[^1]);
    }
}

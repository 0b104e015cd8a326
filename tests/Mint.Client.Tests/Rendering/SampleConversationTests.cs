using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Client.Rendering;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Client.Tests.Rendering;

/// <summary>The quickstart's text data: its model folder loads with its tokenizer, and its conversation pairs are valid pairs.</summary>
public sealed class SampleConversationTests
{
    [Fact]
    public void The_quickstarts_preference_conversations_render_to_valid_pairs_trained_on_the_answers_only()
    {
        using var directory = new TempDirectory();
        SampleModel.Create(directory.Path, seed: 7);
        using var model = PretrainedModel.Load(directory.Path);
        var renderer = new Qwen3ChatRenderer(model.Tokenizer!);

        var pairs = PreferenceData.Pairs(renderer);

        PreferenceLosses.PairwisePreferenceLoss.Validate(pairs);
        Assert.Equal(2 * PreferenceData.Questions.Count, pairs.Count);
        var answers = PreferenceData.Questions.SelectMany(entry => new[] { entry.Chosen, entry.Rejected }).ToList();
        Assert.Equal(answers.Select(answer => $"<think>\n\n</think>\n\n{answer}<|im_end|>"), pairs.Select(datum => string.Concat(WeightedTokens.Runs(renderer, datum))));
    }
}

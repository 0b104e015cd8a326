using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Samples.Preference;
using Mint.Server.Tests.Support;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Server.Tests.Transport;

/// <summary>
/// Every transport against numbers fixed outside the engine: log-probs from the float64
/// <see cref="ReferenceDecoder"/> over the model folder's own safetensors, and the pairwise-preference
/// and DPO losses, their metrics and their gradients with respect to the log-probs written out by hand
/// here. An engine bug cannot cancel out, as it would in a comparison of the engine with itself.
/// </summary>
public sealed class ReferenceParityTests : IAsyncLifetime
{
    private const double Tolerance = 2e-5;
    private static readonly LoraConfig Lora = new(4, Alpha: 8, Seed: 12);
    private BothTransports both = null!;
    private ReferenceDecoder reference = null!;

    public static TheoryData<string> Transports => new() { "embedded", "grpc" };

    public async Task InitializeAsync()
    {
        both = await BothTransports.StartAsync(seed: 6);
        // Read straight from the folder's files, not through the engine's loader.
        var config = ModelConfig.Load(Path.Combine(both.Model.Path, PretrainedModel.ConfigFile));
        reference = new ReferenceDecoder(config, Safetensors.LoadStateDict(Path.Combine(both.Model.Path, PretrainedModel.WeightsFile)));
    }

    public async Task DisposeAsync() => await both.DisposeAsync();

    private ServiceClient Client(string transport) => both.Over(transport);

    private MintEngine Engine(string transport) => transport == "grpc" ? both.Server.Server.Engine : both.Embedded.Engine;

    /// <summary>Three (chosen, rejected) pairs, completions of different lengths, one pair where the rejected completion is likelier.</summary>
    private static List<Datum> Pairs() =>
    [
        PreferenceData.Completion([1, 40], [10, 20, 30]), PreferenceData.Completion([1, 40], [11, 21]),
        PreferenceData.Completion([2, 39, 7], [12]), PreferenceData.Completion([2, 39, 7], [13, 23, 33, 43]),
        PreferenceData.Completion([3], [14, 24]), PreferenceData.Completion([3], [15, 25]),
    ];

    /// <summary>The pairs with a frozen reference model's per-token log-probs, fixed by the test.</summary>
    private static List<Datum> DpoPairs() => Pairs()
        .Select((datum, index) => new Datum(datum.ModelInput, new Dictionary<string, TensorData>(datum.LossFnInputs)
        {
            ["reference_logprobs"] = TensorData.FromSingles(Enumerable.Range(0, datum.ModelInput.Length).Select(position => -3.9f + (0.15f * ((index + position) % 4)))),
        }))
        .ToList();

    private double[] ReferenceLogprobs(Datum datum) => reference.TargetLogprobs(
        datum.ModelInput.ToInts().Select(token => (long)token).ToArray(),
        datum.LossFnInputs["target_tokens"].ToInt64s());

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Forward_logprobs_equal_the_reference_decoder(string transport)
    {
        var training = await Client(transport).CreateLoraTrainingClientAsync(Lora);
        var data = Pairs();

        var forward = await training.ForwardAsync(data);

        for (var row = 0; row < data.Count; row++)
        {
            AssertClose(ReferenceLogprobs(data[row]), forward.Logprobs[row].ToDoubles(), $"datum {row}");
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Pairwise_preference_loss_metrics_and_gradient_equal_the_formula(string transport)
    {
        var data = Pairs();
        var lp = data.Select(ReferenceLogprobs).ToList();
        var w = data.Select(datum => datum.LossFnInputs["weights"].ToDoubles()).ToList();
        var pairs = data.Count / 2;
        double Weighted(int row) => lp[row].Zip(w[row], (l, x) => l * x).Sum();
        var margins = Enumerable.Range(0, pairs).Select(p => Weighted(2 * p) - Weighted((2 * p) + 1)).ToArray();
        Assert.Contains(margins, margin => margin > 0);
        Assert.Contains(margins, margin => margin < 0);

        // L = mean_p log(1 + exp(-m_p)); dL/dlp = ∓σ(-m_p)·w / pairs on the chosen / rejected row.
        var gradients = data.Select((_, row) => w[row].Select(x => (row % 2 == 0 ? -1 : 1) * Sigmoid(-margins[row / 2]) * x / pairs).ToArray()).ToList();
        var training = await Client(transport).CreateLoraTrainingClientAsync(Lora);

        var result = await training.ForwardBackwardCustomAsync(data, PreferenceLosses.PairwisePreferenceLoss);

        Assert.Equal(margins.Average(margin => Math.Log(1 + Math.Exp(-margin))), result.Loss, Tolerance);
        Assert.Equal(margins.Average(margin => margin > 0 ? 1.0 : 0.0), result.Metrics["pair_accuracy"], 1e-6);
        Assert.Equal(margins.Average(), result.Metrics["mean_margin"], Tolerance);
        AssertGradientsFollow(transport, training.SessionId, data, gradients);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Dpo_with_reference_logprobs_equals_the_formula(string transport)
    {
        const double beta = 0.5;
        var data = DpoPairs();
        var lp = data.Select(ReferenceLogprobs).ToList();
        var pairs = data.Count / 2;
        double Reward(int row)
        {
            var w = data[row].LossFnInputs["weights"].ToDoubles();
            var r = data[row].LossFnInputs["reference_logprobs"].ToDoubles();
            return beta * lp[row].Select((l, t) => (l - r[t]) * w[t]).Sum();
        }

        var chosen = Enumerable.Range(0, pairs).Select(p => Reward(2 * p)).ToArray();
        var rejected = Enumerable.Range(0, pairs).Select(p => Reward((2 * p) + 1)).ToArray();
        var margins = chosen.Zip(rejected, (c, r) => c - r).ToArray();
        var gradients = data.Select((datum, row) => datum.LossFnInputs["weights"].ToDoubles()
            .Select(x => (row % 2 == 0 ? -1 : 1) * Sigmoid(-margins[row / 2]) * beta * x / pairs).ToArray()).ToList();
        var training = await Client(transport).CreateLoraTrainingClientAsync(Lora);

        var result = await training.ForwardBackwardCustomAsync(data, PreferenceLosses.DpoLoss.With(beta: beta));

        Assert.Equal(margins.Average(margin => Math.Log(1 + Math.Exp(-margin))), result.Loss, Tolerance);
        Assert.Equal(margins.Average(margin => margin > 0 ? 1.0 : 0.0), result.Metrics["reward_accuracy"], 1e-6);
        Assert.Equal(chosen.Average(), result.Metrics["chosen_reward"], Tolerance);
        Assert.Equal(rejected.Average(), result.Metrics["rejected_reward"], Tolerance);
        AssertGradientsFollow(transport, training.SessionId, data, gradients);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Ppo_loss_over_the_transport_equals_the_formula(string transport)
    {
        List<Datum> data =
        [
            Data.Rl([1, 2, 3], [10, 11, 12], [-3.2f, -4.6f, -3.0f], 1.0f),
            Data.Rl([4, 5], [20, 21], [-4.5f, -3.1f], -0.5f),
        ];
        var training = await Client(transport).CreateLoraTrainingClientAsync(Lora);

        var result = await training.ForwardBackwardAsync(data, LossFn.Ppo(0.9, 1.1));

        // -Σ min(ρA, clamp(ρ, 0.9, 1.1)A), ρ = exp(target - sampling).
        var expected = -data.Sum(datum =>
        {
            var target = ReferenceLogprobs(datum);
            var sampling = datum.LossFnInputs["logprobs"].ToDoubles();
            var advantages = datum.LossFnInputs["advantages"].ToDoubles();
            return target.Select((t, i) =>
            {
                var ratio = Math.Exp(t - sampling[i]);
                return Math.Min(ratio * advantages[i], Math.Clamp(ratio, 0.9, 1.1) * advantages[i]);
            }).Sum();
        });
        Assert.Equal(expected, result.Loss, 1e-4);
    }

    /// <summary>
    /// The session's parameter gradients equal those of a cross-entropy pass weighted by
    /// <c>-dL/dlogprobs</c> as derived by hand: the custom loss's gradient reached the server intact.
    /// </summary>
    private void AssertGradientsFollow(string transport, string sessionId, List<Datum> data, List<double[]> gradients)
    {
        var expected = both.Embedded.Engine.CreateSession(Lora);
        var weighted = data.Select((datum, row) => new Datum(datum.ModelInput, new Dictionary<string, TensorData>
        {
            ["target_tokens"] = datum.LossFnInputs["target_tokens"],
            ["weights"] = TensorData.FromSingles(gradients[row].Select(g => (float)-g)),
        })).ToList();
        expected.ForwardBackward(weighted, LossFn.CrossEntropy);

        var want = expected.AdapterGradients();
        both.Embedded.Engine.CloseSession(expected.Id);
        var got = Engine(transport).GetSession(sessionId).AdapterGradients();
        Assert.Contains(want.Values, gradient => gradient.abs().max().item<float>() > 1e-4);
        Assert.All(want, entry => Assert.True(allclose(entry.Value, got[entry.Key], rtol: 1e-3, atol: 1e-7), entry.Key));
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var index = 0; index < expected.Length; index++)
        {
            Assert.True(Math.Abs(expected[index] - actual[index]) <= Tolerance, $"{what}[{index}]: {actual[index]}, the reference decoder gives {expected[index]}");
        }
    }
}

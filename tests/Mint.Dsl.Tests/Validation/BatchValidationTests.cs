using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Dsl.Tests.Validation;

/// <summary>Every validation rule, each with a bad batch and the exact message the user reads.</summary>
public sealed class BatchValidationTests
{
    private static BatchValidationException Reject(LossDefinition loss, IReadOnlyList<Datum> data) =>
        Assert.Throws<BatchValidationException>(() => loss.Validate(data));

    private static Datum CrossEntropyDatum(int length = 3) => Batches.Datum(length, ("weights", Enumerable.Repeat(1.0, length).ToArray()));

    private static Datum WithInput(Datum datum, string key, TensorData? value)
    {
        var inputs = datum.LossFnInputs.ToDictionary();
        if (value is null)
        {
            inputs.Remove(key);
        }
        else
        {
            inputs[key] = value;
        }

        return new Datum(datum.ModelInput, inputs);
    }

    [Fact]
    public void A_valid_batch_passes()
    {
        BuiltinLosses.CrossEntropyLoss.Validate([CrossEntropyDatum(), CrossEntropyDatum(5)]);
    }

    [Fact]
    public void Empty_batch_is_rejected()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, []);

        Assert.Equal("Invalid input for loss 'cross_entropy' (1 problem):\n  - batch: the batch is empty.", error.Message);
    }

    [Fact]
    public void Missing_key_names_the_datum_and_the_key()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [CrossEntropyDatum(), WithInput(CrossEntropyDatum(), "weights", null)]);

        Assert.Equal("datum 1, 'weights': missing; this loss requires a float32 tensor here.", Assert.Single(error.Violations).ToString());
        Assert.Equal((1, "weights"), (error.Violations[0].DatumIndex, error.Violations[0].Key));
    }

    [Fact]
    public void Wrong_dtype_is_rejected()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [WithInput(CrossEntropyDatum(), "weights", TensorData.FromInt64s([1, 1, 1]))]);

        Assert.Equal("datum 0, 'weights': dtype is int64, expected float32.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Float_target_tokens_are_rejected()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [WithInput(CrossEntropyDatum(), "target_tokens", TensorData.FromSingles([1, 2, 3]))]);

        Assert.Equal("datum 0, 'target_tokens': dtype is float32, expected int64.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Length_different_from_the_model_input_is_rejected()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [WithInput(CrossEntropyDatum(4), "weights", TensorData.FromSingles([1, 1]))]);

        Assert.Equal("datum 0, 'weights': length is 2 but the model input has 4 tokens.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Two_dimensional_input_is_rejected()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [WithInput(CrossEntropyDatum(4), "weights", TensorData.FromSingles([1, 1, 1, 1], [2, 2]))]);

        Assert.Equal("datum 0, 'weights': shape is [2, 2], expected one dimension of length 4.", Assert.Single(error.Violations).ToString());
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void Non_finite_float_input_is_rejected(float bad, string shown)
    {
        var datum = Batches.Datum(3, ("logprobs", [-1, -1, -1]), ("advantages", [0.5, 0, 0]));
        var error = Reject(BuiltinLosses.ImportanceSamplingLoss, [WithInput(datum, "advantages", TensorData.FromSingles([0.5f, bad, 0]))]);

        Assert.Equal($"datum 0, 'advantages': value at position 1 is {shown}; values must be finite.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Unknown_input_key_is_rejected_with_the_keys_the_loss_reads()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [WithInput(CrossEntropyDatum(), "advantage", TensorData.FromSingles([1, 1, 1]))]);

        Assert.Equal("datum 0, 'advantage': 'cross_entropy' does not read this key; it reads: target_tokens, weights.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Empty_model_input_is_rejected()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [CrossEntropyDatum(0)]);

        Assert.Equal("datum 0: the model input has no tokens.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Odd_batch_is_rejected_for_pair_losses()
    {
        var data = new List<Datum> { PreferenceData.Completion([1, 2], [3]), PreferenceData.Completion([1, 2], [4]), PreferenceData.Completion([1, 2], [5]) };

        var error = Reject(PreferenceLosses.PairwisePreferenceLoss, data);

        Assert.Equal("batch: this loss reads (chosen, rejected) pairs, so the batch needs an even number of datums; it has 3.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Pair_with_different_prompts_is_rejected()
    {
        var data = new List<Datum>
        {
            PreferenceData.Completion([1, 2], [3]), PreferenceData.Completion([1, 2], [4, 5]),
            PreferenceData.Completion([1, 2], [3]), PreferenceData.Completion([1, 9], [3]),
        };

        var error = Reject(PreferenceLosses.PairwisePreferenceLoss, data);

        Assert.Equal("datum 3: the rejected completion's prompt (2 tokens) differs from the prompt of its chosen datum 2 (2 tokens); a pair must share its prompt.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Missing_required_config_is_reported_with_the_batch()
    {
        var error = Reject(BuiltinLosses.DroLoss, [Batches.Datum(1, ("logprobs", [-1]), ("advantages", [1]))]);

        Assert.Equal("config 'beta': required and has no default; give it a value.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Unknown_config_key_is_rejected_at_once()
    {
        var error = Assert.Throws<BatchValidationException>(() =>
            BuiltinLosses.PpoLoss.WithConfig(new Dictionary<string, double> { ["clip_epsilon"] = 0.2 }));

        Assert.Equal("config 'clip_epsilon': 'ppo' has no such config; it accepts: clip_low_threshold, clip_high_threshold.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Non_finite_config_is_rejected_at_once()
    {
        var error = Assert.Throws<BatchValidationException>(() => LossFn.Dro(double.NaN));

        Assert.Equal("config 'beta': is NaN; it must be finite.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Every_violation_is_reported_at_once_in_batch_order()
    {
        var data = new List<Datum>
        {
            WithInput(CrossEntropyDatum(), "weights", null),
            CrossEntropyDatum(),
            WithInput(WithInput(CrossEntropyDatum(), "weights", TensorData.FromSingles([1])), "target_tokens", TensorData.FromSingles([1, 2, 3])),
        };

        var error = Reject(BuiltinLosses.CrossEntropyLoss, data);

        Assert.Equal(
            "Invalid input for loss 'cross_entropy' (3 problems):\n"
            + "  - datum 0, 'weights': missing; this loss requires a float32 tensor here.\n"
            + "  - datum 2, 'target_tokens': dtype is float32, expected int64.\n"
            + "  - datum 2, 'weights': length is 1 but the model input has 3 tokens.",
            error.Message);
    }

    [Fact]
    public void Compute_on_an_invalid_batch_throws_before_computing()
    {
        var error = Assert.Throws<BatchValidationException>(() =>
            BuiltinLosses.CrossEntropyLoss.ComputeGradient([WithInput(CrossEntropyDatum(), "weights", null)], Batches.Logprobs([-1, -1, -1])));

        Assert.Equal("weights", Assert.Single(error.Violations).Key);
    }

    [Fact]
    public void A_null_datum_is_named_and_nothing_else_is_read_from_it()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [CrossEntropyDatum(), null!]);

        Assert.Equal("datum 1: the datum is null.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void A_key_holding_no_tensor_counts_as_missing()
    {
        var inputs = CrossEntropyDatum().LossFnInputs.ToDictionary();
        inputs["weights"] = null!;

        var error = Reject(BuiltinLosses.CrossEntropyLoss, [new Datum(ModelInput.FromInts([0, 1, 2]), inputs)]);

        Assert.Equal("datum 0, 'weights': missing; this loss requires a float32 tensor here.", Assert.Single(error.Violations).ToString());
    }

    public static TheoryData<TensorData, string> FirstProblemOnly => new()
    {
        { TensorData.FromInt64s([1, 1]), "dtype is int64, expected float32." },
        { TensorData.FromSingles([1f, float.NaN], [1, 2]), "shape is [1, 2], expected one dimension of length 3." },
        { TensorData.FromSingles([float.NaN, 1f]), "length is 2 but the model input has 3 tokens." },
    };

    [Theory]
    [MemberData(nameof(FirstProblemOnly))]
    public void A_key_reports_only_its_first_problem(TensorData weights, string expected)
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [WithInput(CrossEntropyDatum(), "weights", weights)]);

        Assert.Equal("datum 0, 'weights': " + expected, Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void A_non_finite_value_at_the_first_position_is_rejected()
    {
        var error = Reject(BuiltinLosses.CrossEntropyLoss, [WithInput(CrossEntropyDatum(), "weights", TensorData.FromSingles([float.NaN, 1, 1]))]);

        Assert.Equal("datum 0, 'weights': value at position 0 is NaN; values must be finite.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void A_pair_with_candidate_weights_shares_its_prompt_up_to_the_first_position_any_candidate_weights()
    {
        // The server validates a registered graph's batch through ContractChecks, as generated code does.
        var contract = new LossContract("pair_candidates", BatchLayout.ChosenRejectedPairs,
            [new("target_tokens", TensorDType.Int64, InputRank.KPerToken), new("weights", TensorDType.Float32, InputRank.KPerToken)], [],
            logprobsRank: InputRank.KPerToken);

        // Weights [T, 2] set only on the second candidate from position 1: the prompt is the first two tokens.
        Datum Candidates(int[] tokens) => Batches.Datum(tokens, new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(Enumerable.Range(0, tokens.Length * 2).Select(value => (long)value), [tokens.Length, 2]),
            ["weights"] = TensorData.FromSingles(Enumerable.Range(0, tokens.Length * 2).Select(value => value / 2 >= 1 && value % 2 == 1 ? 1f : 0f), [tokens.Length, 2]),
        });
        var check = new BatchValidator([Candidates([1, 2, 3]), Candidates([1, 2, 4]), Candidates([1, 2, 3]), Candidates([1, 9, 3])]);

        ContractChecks.Apply(check, contract);

        Assert.Equal("datum 3: the rejected completion's prompt (2 tokens) differs from the prompt of its chosen datum 2 (2 tokens); a pair must share its prompt.", Assert.Single(check.Violations).ToString());
    }

    [Fact]
    public void A_pair_missing_its_rejected_weights_reports_that_and_no_prompt_mismatch()
    {
        var data = new List<Datum> { PreferenceData.Completion([1, 2], [3]), WithInput(PreferenceData.Completion([1, 2], [4]), "weights", null) };

        var error = Reject(PreferenceLosses.PairwisePreferenceLoss, data);

        Assert.Equal("datum 1, 'weights': missing; this loss requires a float32 tensor here.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void A_pair_weighted_zero_everywhere_is_all_prompt_and_compared_whole()
    {
        Datum Unweighted(int[] tokens) => Batches.Datum(tokens, new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(tokens.Select(token => (long)token + 1)),
            ["weights"] = TensorData.FromSingles(new float[tokens.Length]),
        });

        PreferenceLosses.PairwisePreferenceLoss.Validate([Unweighted([1, 2, 3]), Unweighted([1, 2, 3])]);
        var error = Reject(PreferenceLosses.PairwisePreferenceLoss, [Unweighted([1, 2, 3]), Unweighted([1, 2, 4])]);

        Assert.Equal("datum 1: the rejected completion's prompt (3 tokens) differs from the prompt of its chosen datum 0 (3 tokens); a pair must share its prompt.", Assert.Single(error.Violations).ToString());
    }
}

using Mint.Dsl;
using Mint.Samples.Preference;

namespace Mint.Client.Tests.Support;

/// <summary>
/// The lowerable losses the server-side tests run: the five built-ins (as their DSL definitions),
/// the seed's pairwise loss, DPO with per-token and with per-datum reference log-probs, a KL-regularised policy loss and a loss
/// shaped by config; each with config bound where it matters.
/// </summary>
internal static class LowerableLosses
{
    public static readonly string[] Names =
    [
        "cross_entropy", "importance_sampling", "ppo", "cispo", "dro",
        "pairwise_preference", "dpo", "dpo_sequence_reference", "kl_regularised_policy", "focal_cross_entropy",
    ];

    public static LossDefinition Definition(string name) => name switch
    {
        "ppo" => LossFn.Ppo(0.9, 1.1).Definition,
        "cispo" => LossFn.Cispo(0.5, 2.0).Definition,
        "dro" => LossFn.Dro(0.3).Definition,
        "pairwise_preference" => PreferenceLosses.PairwisePreferenceLoss,
        "dpo" => PreferenceLosses.DpoLoss.With(beta: 0.5),
        "dpo_sequence_reference" => PreferenceLosses.DpoSequenceReferenceLoss.With(beta: 0.5),
        "kl_regularised_policy" => TestLosses.KlRegularisedPolicyLoss.With(klCoef: 0.2),
        "focal_cross_entropy" => TestLosses.FocalCrossEntropyLoss.With(gamma: 2.0, scale: 0.5),
        _ => LossFn.FromName(name).Definition,
    };
}

using System.Linq;

namespace Mint.Dsl;

/// <summary>
/// The per-batch rules a <see cref="LossContract"/> implies, applied from the contract at run time:
/// the same calls, in the same order, as the validation the generator emits for a loss method, so a
/// server that holds only a contract reports exactly what the client would.
/// </summary>
public static class ContractChecks
{
    private const string WeightsKey = "weights";

    /// <summary>Reports every violation of <paramref name="contract"/> in <paramref name="check"/>'s batch.</summary>
    public static void Apply(BatchValidator check, LossContract contract)
    {
        var paired = contract.Layout == BatchLayout.ChosenRejectedPairs;
        if (paired)
        {
            check.EvenCount();
        }

        for (var index = 0; index < check.Data.Count; index++)
        {
            foreach (var input in contract.Inputs)
            {
                Input(check, index, input);
            }
        }

        if (paired && contract.Inputs.Any(input => input is { Key: WeightsKey, Rank: InputRank.PerToken or InputRank.KPerToken }))
        {
            check.PairsSharePrompt(WeightsKey);
        }
    }

    /// <summary>The check of one input by its rank, as the generated validation calls it.</summary>
    public static void Input(BatchValidator check, int index, LossInputSpec input)
    {
        switch (input.Rank)
        {
            case InputRank.PerDatum:
                check.PerDatum(index, input.Key, input.DType);
                break;
            case InputRank.KPerToken:
                check.Candidates(index, input.Key, input.DType);
                break;
            default:
                check.Sequence(index, input.Key, input.DType);
                break;
        }
    }
}

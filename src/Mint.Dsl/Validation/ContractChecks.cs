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
                check.Sequence(index, input.Key, input.DType);
            }
        }

        if (paired && contract.Inputs.Any(input => input.Key == WeightsKey))
        {
            check.PairsSharePrompt(WeightsKey);
        }
    }
}

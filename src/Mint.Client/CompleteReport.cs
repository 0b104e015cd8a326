using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;

namespace Mint.Client;

/// <summary>
/// One report per call: the loss contract is checked here before anything is sent; when it fails,
/// the model-side rules (vocabulary, context, from the session's <see cref="ModelInfo"/>) are
/// checked too, so the exception names every problem, in batch order, not only the contract's.
/// </summary>
internal static class CompleteReport
{
    public static async Task ValidateAsync(
        ITrainingTransport transport, string sessionId, IReadOnlyList<Datum> data, LossDefinition loss, CancellationToken cancellationToken)
    {
        BatchValidationException contract;
        try
        {
            loss.Validate(data);
            return;
        }
        catch (BatchValidationException error)
        {
            contract = error;
        }

        var info = await transport.GetInfoAsync(sessionId, cancellationToken).ConfigureAwait(false);
        throw new BatchValidationException(contract.Operation, [.. contract.Violations, .. ModelBounds.Check(data, info)]);
    }

    /// <summary>A model-side rejection of one of a custom loss's passes, reported under the loss's name.</summary>
    public static BatchValidationException ForLoss(BatchValidationException error, LossDefinition loss) =>
        new(BatchValidationException.ForLoss(loss.Name), error.Violations, error.TotalCount);
}

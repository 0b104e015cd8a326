namespace Mint.Dsl;

/// <summary>
/// One thing wrong with a batch or a loss config: which datum (null for the batch or the config),
/// which key (null when not about one key) and why.
/// </summary>
/// <param name="DatumIndex">The datum's position in the batch, or null.</param>
/// <param name="Key">The <c>loss_fn_inputs</c> or <c>loss_fn_config</c> key, or null.</param>
/// <param name="Reason">What is wrong and, where it helps, what to do.</param>
public sealed record BatchViolation(int? DatumIndex, string? Key, string Reason)
{
    /// <summary>Formats as <c>datum 3, 'weights': reason</c>.</summary>
    public override string ToString() => (DatumIndex, Key) switch
    {
        (int index, string key) => $"datum {index}, '{key}': {Reason}",
        (int index, null) => $"datum {index}: {Reason}",
        (null, string key) => $"config '{key}': {Reason}",
        _ => $"batch: {Reason}",
    };
}

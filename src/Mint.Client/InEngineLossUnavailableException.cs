using Mint.Dsl;

namespace Mint.Client;

/// <summary>
/// A custom loss cannot run inside the engine's forward/backward pass over this transport: the
/// transport has no such call, the loss's body does not lower to a graph (see diagnostic MINT018),
/// or the server does not accept loss graphs. Thrown only when <see cref="CustomLossRouting.InEngine"/>
/// is forced; <see cref="CustomLossRouting.Auto"/> takes the two-pass path instead. Nothing was sent.
/// </summary>
public sealed class InEngineLossUnavailableException : MintException
{
    /// <summary>Creates the exception for loss <paramref name="lossName"/>.</summary>
    public InEngineLossUnavailableException(string lossName, string reason)
        : base($"Loss '{lossName}' cannot run inside the engine's forward/backward pass: {reason}.")
    {
        LossName = lossName;
        Reason = reason;
    }

    /// <summary>The loss's name.</summary>
    public string LossName { get; }

    /// <summary>Why it cannot run in the engine.</summary>
    public string Reason { get; }
}

namespace Mint.Client;

/// <summary>How <c>TrainingClient.ForwardBackwardCustomAsync</c> chooses where a custom loss runs.</summary>
public enum CustomLossRouting
{
    /// <summary>
    /// Inside the engine's forward/backward pass when the transport can run the loss there (in-process
    /// always; on a server when the loss lowers to a graph and the server accepts loss graphs), else two passes.
    /// </summary>
    Auto,

    /// <summary>Inside the engine's pass, or an <see cref="InEngineLossUnavailableException"/> saying why not.</summary>
    InEngine,

    /// <summary>Always the client-side two-pass path (forward, local gradient, weighted cross-entropy).</summary>
    TwoPass,
}

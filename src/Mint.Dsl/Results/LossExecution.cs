namespace Mint.Dsl;

/// <summary>Where a forward/backward pass computed its loss.</summary>
public enum LossExecution
{
    /// <summary>
    /// Inside the engine's own forward/backward pass, in one call: every built-in loss, and a custom
    /// loss run in-process or registered with the server as a loss graph.
    /// </summary>
    InEngine,

    /// <summary>
    /// On the client, in two passes: a <c>forward</c> for the log-probs, the loss and dL/dlogprobs
    /// computed locally, then a weighted <c>cross_entropy</c> pass carrying the gradient back.
    /// </summary>
    TwoPass,
}

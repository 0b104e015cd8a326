namespace Mint.Dsl;

/// <summary>A token and its log-prob under the model (one entry of a top-k list).</summary>
/// <param name="Token">The token id.</param>
/// <param name="Logprob">log p(token | what precedes the position), under the model at temperature 1.</param>
public readonly record struct TokenLogprob(int Token, float Logprob);

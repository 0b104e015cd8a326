namespace Mint.Dsl;

/// <summary>What a training session runs on.</summary>
/// <param name="ModelName">The base model's name (its folder name).</param>
/// <param name="VocabSize">Number of token ids.</param>
/// <param name="ContextLength">Longest sequence the model reads.</param>
/// <param name="Lora">The session's adapters.</param>
/// <param name="Step">Optimizer steps taken so far.</param>
public sealed record ModelInfo(string ModelName, int VocabSize, int ContextLength, LoraConfig Lora, long Step);

namespace Mint.Dsl;

/// <summary>
/// What a training checkpoint was trained as: enough to open a session it loads into (the Python
/// SDK's <c>WeightsInfoResponse</c>, read by <c>create_training_client_from_state</c>).
/// </summary>
/// <param name="BaseModel">The base model the adapters belong to.</param>
/// <param name="Lora">The adapters' configuration (a session must have the same to load them).</param>
public sealed record CheckpointWeightsInfo(string BaseModel, LoraConfig Lora);

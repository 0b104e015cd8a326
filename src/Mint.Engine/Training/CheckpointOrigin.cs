using Mint.Dsl;

namespace Mint.Engine.Training;

/// <summary>
/// What a saved checkpoint was trained as, without a session: enough to open a session it fits
/// (e.g. a sampler over saved weights).
/// </summary>
/// <param name="BaseModel">The base model's name.</param>
/// <param name="Lora">The adapters' configuration.</param>
/// <param name="Step">Optimizer steps taken.</param>
public sealed record CheckpointOrigin(string BaseModel, LoraConfig Lora, long Step)
{
    /// <summary>
    /// Reads the checkpoint in <paramref name="folder"/> from its state file; its tensors are not read
    /// (loading it checks them), so this costs the same for any adapter size.
    /// </summary>
    /// <exception cref="CheckpointException">When the folder holds no checkpoint, lacks one of its files, or its state file is unreadable.</exception>
    public static CheckpointOrigin Read(string folder) => SessionCheckpoint.ReadOrigin(folder);

    /// <summary>The base model and LoRA config, as a client asks for them (Tinker's <c>weights_info</c>).</summary>
    public CheckpointWeightsInfo WeightsInfo => new(BaseModel, Lora);
}

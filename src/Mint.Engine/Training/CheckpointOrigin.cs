using System.Linq;
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
    /// <summary>Reads the checkpoint in <paramref name="folder"/>.</summary>
    /// <exception cref="CheckpointException">When the folder holds no readable checkpoint.</exception>
    public static CheckpointOrigin Read(string folder)
    {
        var checkpoint = SessionCheckpoint.Load(folder);
        foreach (var tensor in checkpoint.Adapters.Values.Concat(checkpoint.Optimizer.Values))
        {
            tensor.Dispose();
        }

        return new CheckpointOrigin(checkpoint.BaseModel, checkpoint.Lora, checkpoint.Step);
    }
}

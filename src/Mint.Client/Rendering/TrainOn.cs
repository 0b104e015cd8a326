namespace Mint.Client.Rendering;

/// <summary>Which assistant messages of a conversation an SFT datum trains on (weight 1); everything else has weight 0.</summary>
public enum TrainOn
{
    /// <summary>Only the final message, which must be the assistant's.</summary>
    LastAssistantMessage,

    /// <summary>Every assistant message.</summary>
    AllAssistantMessages,
}

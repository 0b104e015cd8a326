namespace Mint.Client.Rendering;

/// <summary>
/// A piece of a rendered conversation. The pieces concatenate to exactly the text the model's chat template
/// renders; <see cref="Completion"/> marks what an assistant message produces (what training can weight).
/// </summary>
/// <param name="Text">The text.</param>
/// <param name="MessageIndex">The message it renders, or -1 for the generation prompt.</param>
/// <param name="Completion">True for the assistant's output (its content and end-of-turn token), false for headers and separators.</param>
public sealed record RenderedSegment(string Text, int MessageIndex, bool Completion);

using System.Text.Json.Serialization;

namespace Mint.Protocol.Tinker;

/// <summary>Stop token ids as a JSON element (the <c>stop</c> field is a union the wire type keeps as JSON).</summary>
[JsonSerializable(typeof(int[]))]
internal sealed partial class StopTokensJson : JsonSerializerContext
{
}

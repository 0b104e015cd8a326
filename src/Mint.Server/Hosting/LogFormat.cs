namespace Mint.Server.Hosting;

/// <summary>How the server writes its console log.</summary>
public enum LogFormat
{
    /// <summary>One line of text per entry.</summary>
    Text,

    /// <summary>One JSON object per entry, with the template's fields as properties.</summary>
    Json,
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mint.Engine.Model;

/// <summary>
/// Typed reads from one JSON object of a config file: each read marks its key as seen, and a value of
/// the wrong type becomes a problem naming the key (with <paramref name="prefix"/>, e.g. <c>rope_scaling.</c>).
/// </summary>
internal sealed class JsonFields(JsonObject json, string prefix, List<string> problems)
{
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);

    /// <summary>The problems found so far (shared by every reader of one file).</summary>
    public List<string> Problems => problems;

    /// <summary>The key as a message names it.</summary>
    public string Name(string key) => prefix + key;

    /// <summary>The raw value (null when absent or JSON null), marking the key as seen.</summary>
    public JsonNode? Take(string key)
    {
        seen.Add(key);
        return json[key];
    }

    /// <summary>Keys present but never read, with their values.</summary>
    public IEnumerable<KeyValuePair<string, JsonNode?>> Unread => json.Where(entry => !seen.Contains(entry.Key));

    public string? String(string key) => Typed(key, "a string", JsonValueKind.String, node => node.GetValue<string>());

    public bool? Bool(string key) => Typed<bool?>(key, "true or false", JsonValueKind.True, node => node.GetValue<bool>());

    public double? Number(string key) => Typed<double?>(key, "a number", JsonValueKind.Number, node => node.GetValue<double>());

    public int? Int(string key) => Typed<int?>(key, "an integer", JsonValueKind.Number, node => node.AsValue().TryGetValue<int>(out var value) ? value : null);

    /// <summary>An integer that must be present; 0 (with a problem) when it is not.</summary>
    public int RequiredInt(string key)
    {
        if (json[key] is null)
        {
            seen.Add(key);
            problems.Add($"{Name(key)} is missing");
            return 0;
        }

        return Int(key) ?? 0;
    }

    private T? Typed<T>(string key, string expected, JsonValueKind kind, Func<JsonNode, T?> convert)
    {
        var node = Take(key);
        if (node is null)
        {
            return default;
        }

        var actual = node.GetValueKind();
        var matches = actual == kind || (kind == JsonValueKind.True && actual == JsonValueKind.False);
        var value = matches ? convert(node) : default;
        if (value is null)
        {
            problems.Add($"{Name(key)} {Show(node)} must be {expected} or null");
        }

        return value;
    }

    /// <summary>A value as the file writes it.</summary>
    public static string Show(JsonNode? node) => node?.ToJsonString() ?? "null";

    /// <summary>A string as JSON writes it.</summary>
    public static string Quote(string text) => JsonValue.Create(text).ToJsonString();
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Mint.Server.Security;

/// <summary>
/// The API keys a server accepts. Only SHA-256 hashes are kept; a presented key is hashed and looked
/// up, so neither the lookup's timing nor the caller ids reveal anything about a key.
/// </summary>
internal sealed class ApiKeys
{
    private readonly Dictionary<string, Caller> callers;

    public ApiKeys(IEnumerable<string> keys)
    {
        callers = [];
        foreach (var key in keys)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ArgumentException("An API key cannot be empty.", nameof(keys));
            }

            var hash = Hash(key);
            callers[hash] = new Caller("key-" + hash[..16]);
        }
    }

    /// <summary>True when calls must present a key.</summary>
    public bool Required => callers.Count > 0;

    /// <summary>The caller <paramref name="key"/> identifies, or null for an unknown key.</summary>
    public Caller? Find(string key) => callers.GetValueOrDefault(Hash(key));

    private static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The caller ids, for the startup log.</summary>
    public IEnumerable<string> CallerIds => callers.Values.Select(caller => caller.Id).Order(StringComparer.Ordinal);
}

using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace Mint.Engine.Tokenization;

/// <summary>What the engine takes from a byte-level BPE <c>tokenizer.json</c>, checked.</summary>
/// <param name="Vocabulary"><c>model.vocab</c>: byte-level token to id.</param>
/// <param name="Merges"><c>model.merges</c> in rank order.</param>
/// <param name="AddedTokens"><c>added_tokens</c>: matched verbatim in text before pre-tokenization.</param>
/// <param name="Pattern">The pre-tokenizer's split, keeping the text between matches as pieces too.</param>
/// <param name="NormalizeNfc">Whether text is NFC-normalized first.</param>
internal sealed record ByteLevelBpeDefinition(
    IReadOnlyDictionary<string, int> Vocabulary,
    IReadOnlyList<(string Left, string Right)> Merges,
    IReadOnlyDictionary<string, int> AddedTokens,
    Regex Pattern,
    bool NormalizeNfc);

using System.Collections.Generic;
using System.Text;

namespace Mint.Engine.Tokenization;

/// <summary>
/// GPT-2's byte-to-unicode table. Every byte is shown as a printable character, so byte-level tokens are
/// ordinary strings: printable bytes stand for themselves, the others are shifted to U+0100 and up
/// (space becomes <c>Ġ</c>, newline <c>Ċ</c>).
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>GPT-2's pre-tokenizer: contractions, letters, digits, other symbols, whitespace.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly char[] ByteToSymbol = new char[256];

    /// <summary>The 256 byte symbols in GPT-2's vocabulary order (printable bytes first, then the rest).</summary>
    public static IReadOnlyList<string> Symbols { get; } = Build();

    /// <summary>The symbol that stands for <paramref name="value"/>.</summary>
    public static char Symbol(byte value) => ByteToSymbol[value];

    /// <summary><paramref name="text"/>'s UTF-8 bytes, one symbol each.</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var symbols = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            symbols[i] = ByteToSymbol[bytes[i]];
        }

        return new string(symbols);
    }

    /// <summary>Whether <paramref name="value"/> can occur in UTF-8 (0xC0, 0xC1 and 0xF5–0xFF never do).</summary>
    public static bool OccursInUtf8(byte value) => value is not (0xC0 or 0xC1) and < 0xF5;

    private static bool IsPrintable(int value) => value is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';

    private static string[] Build()
    {
        var symbols = new List<string>(256);
        for (var value = 0; value < 256; value++)
        {
            if (IsPrintable(value))
            {
                ByteToSymbol[value] = (char)value;
                symbols.Add(((char)value).ToString());
            }
        }

        var shifted = 0;
        for (var value = 0; value < 256; value++)
        {
            if (!IsPrintable(value))
            {
                ByteToSymbol[value] = (char)(256 + shifted++);
                symbols.Add(ByteToSymbol[value].ToString());
            }
        }

        return symbols.ToArray();
    }
}

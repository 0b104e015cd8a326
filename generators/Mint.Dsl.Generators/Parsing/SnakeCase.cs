using System.Text;

namespace Mint.Dsl.Generators.Parsing;

/// <summary>C# parameter names to <c>loss_fn_inputs</c> keys: <c>targetLogprobs</c> → <c>target_logprobs</c>.</summary>
internal static class SnakeCase
{
    public static string From(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var index = 0; index < name.Length; index++)
        {
            var current = name[index];
            if (char.IsUpper(current) && index > 0)
            {
                var previous = name[index - 1];
                var nextIsLower = index + 1 < name.Length && char.IsLower(name[index + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    builder.Append('_');
                }
            }

            builder.Append(char.ToLowerInvariant(current));
        }

        return builder.ToString();
    }
}

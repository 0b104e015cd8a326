using System.Threading.Tasks;
using Mint.Dsl.Analyzers.Signature;
using Mint.Dsl.CodeFixes;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>The mechanical signature fixes: add <c>static</c> (MINT001), add <c>partial</c> (MINT002).</summary>
public sealed class SignatureCodeFixTests
{
    [Fact]
    public Task Add_static_makes_the_method_static_in_modifier_order() => Verify.Fix<LossSignatureAnalyzer, AddStaticCodeFix>(
        Usings + """
        public partial class Losses
        {
            [Loss("l")]
            public LossResult {|MINT001:Sft|}(Tensor logprobs) => new(logprobs.sum());
        }
        """,
        Usings + """
        public partial class Losses
        {
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs) => new(logprobs.sum());
        }
        """);

    [Fact]
    public Task Add_partial_fixes_every_flagged_enclosing_type() => Verify.Fix<LossSignatureAnalyzer, AddPartialCodeFix>(
        Usings + """
        public static class {|MINT002:Outer|}
        {
            internal sealed class {|MINT002:Inner|}
            {
                [Loss("l")]
                public static LossResult Sft(Tensor logprobs) => new(logprobs.sum());
            }
        }
        """,
        Usings + """
        public static partial class Outer
        {
            internal sealed partial class Inner
            {
                [Loss("l")]
                public static LossResult Sft(Tensor logprobs) => new(logprobs.sum());
            }
        }
        """);
}

using TorchSharp;
using static TorchSharp.torch;

namespace Mint.Dsl.Graphs;

/// <summary>
/// A value while a loss graph runs: a tensor, or a .NET number (a constant, a config value, or
/// arithmetic on those), kept as a number so tensor ops see it as the loss method's C# code does.
/// </summary>
internal readonly struct GraphValue
{
    private GraphValue(Tensor? tensor, double number)
    {
        Tensor = tensor;
        Number = number;
    }

    /// <summary>The tensor, or null for a number.</summary>
    public Tensor? Tensor { get; }

    /// <summary>The number, when <see cref="Tensor"/> is null.</summary>
    public double Number { get; }

    public static GraphValue Of(Tensor tensor) => new(tensor, 0);

    public static GraphValue Of(double number) => new(null, number);

    /// <summary>The tensor (the checker guarantees one where an op needs it).</summary>
    public Tensor T => Tensor!;

    /// <summary>The value as a torch scalar argument.</summary>
    public Scalar S => Number;
}

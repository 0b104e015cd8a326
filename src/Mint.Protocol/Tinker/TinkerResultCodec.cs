using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Wire = Mint.Protocol.Tinker.Wire;

namespace Mint.Protocol.Tinker;

/// <summary>Results between Mint and Tinker's JSON: forward(_backward), optimizer steps and samples.</summary>
public static class TinkerResultCodec
{
    /// <summary>What Mint.Server names <c>loss_fn_output_type</c> (the SDK's default for a map of tensors).</summary>
    public const string OutputType = "ArrayRecord";

    private const string Logprobs = "logprobs";

    /// <summary>The wire form of a forward/backward result.</summary>
    public static Wire.ForwardBackwardOutput ToWire(ForwardBackwardResult result) => new()
    {
        LossFnOutputType = OutputType,
        LossFnOutputs = result.LossFnOutputs
            .Select(outputs => (IReadOnlyDictionary<string, Wire.TensorData>)outputs.ToDictionary(entry => entry.Key, entry => TinkerCodec.ToWire(entry.Value)))
            .ToList(),
        Metrics = result.Metrics,
    };

    /// <summary>Reads a forward/backward result; every datum's outputs must carry <c>logprobs</c>.</summary>
    public static ForwardBackwardResult FromWire(Wire.ForwardBackwardOutput wire) => new(
        new Dictionary<string, double>(wire.Metrics),
        wire.LossFnOutputs.Select((outputs, index) => (IReadOnlyDictionary<string, TensorData>)outputs.ToDictionary(
            entry => entry.Key,
            entry => Tensor(entry.Value, index, entry.Key))).ToList());

    /// <summary>Reads a forward result: each datum's <c>logprobs</c>.</summary>
    public static ForwardResult ToForwardResult(Wire.ForwardBackwardOutput wire) => new(
        wire.LossFnOutputs.Select((outputs, index) => outputs.TryGetValue(Logprobs, out var logprobs)
            ? Tensor(logprobs, index, Logprobs)
            : throw new FormatException($"The server's forward output for datum {index} has no 'logprobs'.")).ToList());

    /// <summary>The wire form of an optimizer step's result.</summary>
    public static Wire.OptimStepResponse ToWire(OptimStepResult result) => new() { Metrics = result.Metrics, MintStep = result.Step };

    /// <summary>
    /// Reads an optimizer step's result; a service that does not report the step count
    /// (<c>mint_step</c>) gets <paramref name="countedStep"/>, the steps this client has counted.
    /// </summary>
    public static OptimStepResult FromWire(Wire.OptimStepResponse wire, long countedStep) =>
        new(wire.MintStep ?? countedStep, new Dictionary<string, double>(wire.Metrics ?? new Dictionary<string, double>()));

    /// <summary>The wire form of samples.</summary>
    public static Wire.SampleResponse ToWire(SampleResult result) => new()
    {
        Sequences = result.Sequences.Select(sequence => new Wire.SampledSequence
        {
            StopReason = sequence.StopReason == StopReason.Length ? "length" : "stop",
            Tokens = sequence.Tokens,
            Logprobs = sequence.Logprobs,
        }).ToList(),
        PromptLogprobs = result.PromptLogprobs?.Select(value => (double?)value).ToList(),
        TopkPromptLogprobs = result.TopKPromptLogprobs?
            .Select(top => top?.Select(entry => new double[] { entry.Token, entry.Logprob }).ToList())
            .ToList(),
    };

    /// <summary>Reads samples, with the prompt's log-probs and top-k when the service sent them.</summary>
    public static SampleResult FromWire(Wire.SampleResponse wire) => new(wire.Sequences.Select(sequence => new SampledSequence(
        sequence.Tokens,
        sequence.Logprobs ?? [],
        sequence.StopReason switch
        {
            "length" => StopReason.Length,
            "stop" => StopReason.StopToken,
            var other => throw new FormatException($"The server's stop_reason '{other}' is not 'length' or 'stop'."),
        })).ToList())
    {
        PromptLogprobs = wire.PromptLogprobs?.Select(value => value is null ? (float?)null : (float)value.Value).ToList(),
        TopKPromptLogprobs = wire.TopkPromptLogprobs?.Select((top, position) => top?.Select(pair => TopEntry(pair, position)).ToList()).ToList(),
    };

    /// <summary>One <c>[token_id, logprob]</c> pair of a top-k prompt position.</summary>
    private static TokenLogprob TopEntry(double[] pair, int position) =>
        pair.Length == 2 && pair[0] >= 0 && pair[0] <= int.MaxValue && pair[0] == Math.Floor(pair[0])
            ? new TokenLogprob((int)pair[0], (float)pair[1])
            : throw new FormatException($"The server's topk_prompt_logprobs at prompt position {position} holds [{string.Join(", ", pair)}]; expected [token_id, logprob].");

    private static TensorData Tensor(Wire.TensorData wire, int index, string key) =>
        TinkerCodec.TryFromWire(wire, out var tensor, out var problem)
            ? tensor!
            : throw new FormatException($"The server's output '{key}' for datum {index} cannot be read: {problem}");
}

using System;
using System.Linq;
using Mint.Dsl;

namespace Mint.Protocol.Conversion;

/// <summary>What the engine returns, on the wire and back: every number arrives unchanged.</summary>
public static class ResultCodec
{
    /// <summary>The wire form of a forward result.</summary>
    public static V1.ForwardResponse ToWire(ForwardResult result)
    {
        var wire = new V1.ForwardResponse();
        wire.Logprobs.AddRange(result.Logprobs.Select(TensorCodec.ToWire));
        wire.TopK.AddRange(result.TopKLogprobs?.Select(TopKCodec.ToWire) ?? []);
        return wire;
    }

    /// <summary>A forward result read from the wire.</summary>
    public static ForwardResult FromWire(V1.ForwardResponse wire) =>
        new(wire.Logprobs.Select(TensorCodec.FromWire).ToList())
        {
            TopKLogprobs = wire.TopK.Count == 0 ? null : wire.TopK.Select(TopKCodec.FromWire).ToList(),
        };

    /// <summary>The wire form of a forward/backward result.</summary>
    public static V1.ForwardBackwardResponse ToWire(ForwardBackwardResult result)
    {
        var wire = new V1.ForwardBackwardResponse();
        wire.Metrics.Add(result.Metrics.ToDictionary());
        wire.LossFnOutputs.AddRange(result.LossFnOutputs.Select(BatchCodec.ToWire));
        return wire;
    }

    /// <summary>A forward/backward result read from the wire.</summary>
    public static ForwardBackwardResult FromWire(V1.ForwardBackwardResponse wire) => new(
        wire.Metrics.ToDictionary(),
        wire.LossFnOutputs.Select(BatchCodec.FromWire).ToList());

    /// <summary>The wire form of an optimizer step's outcome.</summary>
    public static V1.OptimStepResponse ToWire(OptimStepResult result)
    {
        var wire = new V1.OptimStepResponse { Step = result.Step };
        wire.Metrics.Add(result.Metrics.ToDictionary());
        return wire;
    }

    /// <summary>An optimizer step's outcome read from the wire.</summary>
    public static OptimStepResult FromWire(V1.OptimStepResponse wire) => new(wire.Step, wire.Metrics.ToDictionary());

    /// <summary>The wire form of sampled completions.</summary>
    public static V1.SampleResponse ToWire(SampleResult result)
    {
        var wire = new V1.SampleResponse();
        foreach (var sequence in result.Sequences)
        {
            var encoded = new V1.SampledSequence
            {
                StopReason = sequence.StopReason == StopReason.StopToken ? V1.StopReason.StopToken : V1.StopReason.Length,
            };
            encoded.Tokens.AddRange(sequence.Tokens);
            encoded.Logprobs.AddRange(sequence.Logprobs);
            wire.Sequences.Add(encoded);
        }

        // Position 0 has no log-probs; the wire carries positions 1 … L-1.
        if (result.PromptLogprobs is { } prompt)
        {
            wire.PromptLogprobs = new V1.PromptLogprobs();
            wire.PromptLogprobs.Values.AddRange(prompt.Skip(1).Select(value => value!.Value));
        }

        if (result.TopKPromptLogprobs is { } top)
        {
            wire.TopkPromptLogprobs = TopKCodec.ToWire(top.Skip(1).Select(entry => entry!).ToList());
        }

        return wire;
    }

    /// <summary>Sampled completions read from the wire.</summary>
    public static SampleResult FromWire(V1.SampleResponse wire) => new SampleResult(wire.Sequences
        .Select(sequence => new SampledSequence(
            sequence.Tokens.ToArray(),
            sequence.Logprobs.ToArray(),
            sequence.StopReason switch
            {
                V1.StopReason.StopToken => StopReason.StopToken,
                V1.StopReason.Length => StopReason.Length,
                _ => throw new InvalidOperationException($"The server sent an unknown stop reason {sequence.StopReason}."),
            }))
        .ToList())
    {
        PromptLogprobs = wire.PromptLogprobs?.Values.Select(value => (float?)value).Prepend(null).ToList(),
        TopKPromptLogprobs = wire.TopkPromptLogprobs is null ? null : TopKCodec.FromWire(wire.TopkPromptLogprobs).Prepend(null).ToList(),
    };

    /// <summary>The wire form of a session's model info.</summary>
    public static V1.ModelInfo ToWire(ModelInfo info) => new()
    {
        ModelName = info.ModelName,
        VocabSize = info.VocabSize,
        ContextLength = info.ContextLength,
        Lora = ParamsCodec.ToWire(info.Lora),
        Step = info.Step,
    };

    /// <summary>A session's model info read from the wire.</summary>
    public static ModelInfo FromWire(V1.ModelInfo wire) =>
        new(wire.ModelName, wire.VocabSize, wire.ContextLength, ParamsCodec.FromWire(wire.Lora), wire.Step);
}

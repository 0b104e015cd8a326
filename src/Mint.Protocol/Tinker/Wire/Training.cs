using System.Collections.Generic;

namespace Mint.Protocol.Tinker.Wire;

/// <summary>A batch and its loss (SDK <c>types/_pydantic_types/forward_backward_input.py</c>).</summary>
public sealed record ForwardBackwardInput
{
    /// <summary>The examples.</summary>
    public required IReadOnlyList<Datum> Data { get; init; }

    /// <summary>A built-in loss: <c>cross_entropy</c>, <c>importance_sampling</c>, <c>ppo</c>, <c>cispo</c> or <c>dro</c>.</summary>
    public required string LossFn { get; init; }

    /// <summary>The loss's numeric settings (e.g. <c>clip_low_threshold</c>).</summary>
    public IReadOnlyDictionary<string, double>? LossFnConfig { get; init; }
}

/// <summary><c>POST /api/v1/forward</c> (SDK <c>types/_pydantic_types/forward_request.py</c>); answered with a future.</summary>
public sealed record ForwardRequest
{
    /// <summary>The batch and the loss its metrics are reported for.</summary>
    public required ForwardBackwardInput ForwardInput { get; init; }

    /// <summary>The model.</summary>
    public required string ModelId { get; init; }

    /// <summary>The model's request order: the server runs one model's requests in <c>seq_id</c> order.</summary>
    public long? SeqId { get; init; }
}

/// <summary><c>POST /api/v1/forward_backward</c> (SDK <c>types/_pydantic_types/forward_backward_request.py</c>); answered with a future.</summary>
public sealed record ForwardBackwardRequest
{
    /// <summary>The batch and its loss.</summary>
    public required ForwardBackwardInput ForwardBackwardInput { get; init; }

    /// <summary>The model.</summary>
    public required string ModelId { get; init; }

    /// <summary>The model's request order.</summary>
    public long? SeqId { get; init; }
}

/// <summary>The result of forward or forward_backward (SDK <c>types/_pydantic_types/forward_backward_output.py</c>).</summary>
public sealed record ForwardBackwardOutput
{
    /// <summary>The kind of <c>loss_fn_outputs</c> (the SDK's JSON path does not interpret it).</summary>
    public required string LossFnOutputType { get; init; }

    /// <summary>Per datum, its outputs by name (<c>logprobs</c>).</summary>
    public required IReadOnlyList<IReadOnlyDictionary<string, TensorData>> LossFnOutputs { get; init; }

    /// <summary>Metrics by name; the summed loss is <c>loss:sum</c>.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
}

/// <summary>Adam(W) settings (SDK <c>types/optim_step_request.py</c>), with the SDK's defaults.</summary>
public sealed record AdamParams
{
    /// <summary>The learning rate.</summary>
    public double LearningRate { get; init; } = 0.0001;

    /// <summary>The first moment's decay.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>The second moment's decay.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>The denominator's epsilon.</summary>
    public double Eps { get; init; } = 1e-12;

    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Gradient clipping by global norm; 0 turns it off.</summary>
    public double GradClipNorm { get; init; }
}

/// <summary><c>POST /api/v1/optim_step</c> (SDK <c>types/optim_step_request.py</c>); answered with a future.</summary>
public sealed record OptimStepRequest
{
    /// <summary>The optimizer's settings.</summary>
    public required AdamParams AdamParams { get; init; }

    /// <summary>The model.</summary>
    public required string ModelId { get; init; }

    /// <summary>The model's request order.</summary>
    public long? SeqId { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "optim_step";
}

/// <summary>
/// The optimizer step's result (SDK <c>types/_pydantic_types/optim_step_response.py</c>);
/// <c>mint_step</c> is Mint.Server's addition (the steps taken so far).
/// </summary>
public sealed record OptimStepResponse
{
    /// <summary>Metrics by name (<c>grad_norm</c>, <c>learning_rate</c>).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>Mint.Server: the optimizer steps taken, this one included.</summary>
    public long? MintStep { get; init; }
}

using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mint.Protocol.Tinker.Wire;

/// <summary>
/// The JSON of Tinker's HTTP protocol, generated at compile time: snake_case names as the SDK's
/// pydantic models spell them, absent values left out (the SDK dumps with <c>exclude_none</c>),
/// and NaN/Infinity as the literals Python's <c>json</c> module reads and writes.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ClientConfigRequest))]
[JsonSerializable(typeof(ClientConfigResponse))]
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(CreateSessionResponse))]
[JsonSerializable(typeof(SessionHeartbeatRequest))]
[JsonSerializable(typeof(SessionHeartbeatResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(GetServerCapabilitiesResponse))]
[JsonSerializable(typeof(TelemetryResponse))]
[JsonSerializable(typeof(CreateModelRequest))]
[JsonSerializable(typeof(CreateModelResponse))]
[JsonSerializable(typeof(GetInfoRequest))]
[JsonSerializable(typeof(GetInfoResponse))]
[JsonSerializable(typeof(UnloadModelRequest))]
[JsonSerializable(typeof(UnloadModelResponse))]
[JsonSerializable(typeof(ForwardRequest))]
[JsonSerializable(typeof(ForwardBackwardRequest))]
[JsonSerializable(typeof(ForwardBackwardOutput))]
[JsonSerializable(typeof(OptimStepRequest))]
[JsonSerializable(typeof(OptimStepResponse))]
[JsonSerializable(typeof(SaveWeightsRequest))]
[JsonSerializable(typeof(SaveWeightsResponse))]
[JsonSerializable(typeof(LoadWeightsRequest))]
[JsonSerializable(typeof(LoadWeightsResponse))]
[JsonSerializable(typeof(WeightsInfoRequest))]
[JsonSerializable(typeof(WeightsInfoResponse))]
[JsonSerializable(typeof(SaveWeightsForSamplerRequest))]
[JsonSerializable(typeof(SaveWeightsForSamplerResponse))]
[JsonSerializable(typeof(CheckpointsListResponse))]
[JsonSerializable(typeof(TrainingRunsResponse))]
[JsonSerializable(typeof(CreateSamplingSessionRequest))]
[JsonSerializable(typeof(CreateSamplingSessionResponse))]
[JsonSerializable(typeof(GetSamplerResponse))]
[JsonSerializable(typeof(TrainingRun))]
[JsonSerializable(typeof(SampleRequest))]
[JsonSerializable(typeof(SampleResponse))]
[JsonSerializable(typeof(UntypedApiFuture))]
[JsonSerializable(typeof(FutureRetrieveRequest))]
[JsonSerializable(typeof(TryAgainResponse))]
[JsonSerializable(typeof(RequestFailedResponse))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
public sealed partial class TinkerJson : JsonSerializerContext
{
    /// <summary>
    /// Options for reading requests on the server: unknown fields are refused, as the SDK's own
    /// request models (<c>StrictBase</c>, <c>extra="forbid"</c>) refuse them, and so is <c>null</c> for a
    /// field that is not optional (the SDK dumps requests with <c>exclude_none=True</c>, so it never
    /// sends one; a hostile client must not get a null into code that expects a value). Responses
    /// are read with <see cref="JsonSerializerContext.Options"/>, which ignores fields it does not know.
    /// </summary>
    public static JsonSerializerOptions Strict => StrictOptions.Value;

    // A holder class: static initializers in different partial files run in no fixed order, so
    // Default must exist before these options copy it.
    private static class StrictOptions
    {
        public static readonly JsonSerializerOptions Value = new(Default.Options)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
        };
    }
}

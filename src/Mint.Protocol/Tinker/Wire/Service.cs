using System.Collections.Generic;
using System.Text.Json;

namespace Mint.Protocol.Tinker.Wire;

/// <summary><c>POST /api/v1/client/config</c> (SDK <c>types/client_config_request.py</c>).</summary>
public sealed record ClientConfigRequest
{
    /// <summary>The SDK's version.</summary>
    public required string SdkVersion { get; init; }
}

/// <summary>
/// The server's feature flags for the SDK (SDK <c>types/client_config_response.py</c>). Mint.Server
/// answers with plain API-key auth, JSON (no protobuf, no gRPC target) and httpx's own transport.
/// </summary>
public sealed record ClientConfigResponse
{
    /// <summary>Whether API keys are exchanged for JWTs first (never here).</summary>
    public bool PjwtAuthEnabled { get; init; }

    /// <summary>Where the SDK takes credentials from.</summary>
    public string CredentialDefaultSource { get; init; } = "api_key";

    /// <summary>Whether forward_backward chunks are sent concurrently (ordered by <c>seq_id</c>).</summary>
    public bool ParallelFwdbwdChunks { get; init; } = true;

    /// <summary>Whether forward_backward is sent as protobuf (never here: JSON only).</summary>
    public bool ProtoWriteFwdbwd { get; init; }

    /// <summary>A gRPC endpoint for the SDK's own gRPC path; null keeps it on REST.</summary>
    public string? GrpcTarget { get; init; }

    /// <summary>Whether the SDK's HTTP client is pyqwest (false: httpx's default HTTP/1.1 transport).</summary>
    public bool UsePyqwestTransport { get; init; }
}

/// <summary><c>POST /api/v1/create_session</c> (SDK <c>types/create_session_request.py</c>).</summary>
public sealed record CreateSessionRequest
{
    /// <summary>Free-form tags (<c>TINKER_TAGS</c>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Free-form metadata.</summary>
    public IReadOnlyDictionary<string, JsonElement>? UserMetadata { get; init; }

    /// <summary>The client's SDK version.</summary>
    public required string SdkVersion { get; init; }

    /// <summary>An optional project.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "create_session";
}

/// <summary>The new session (SDK <c>types/create_session_response.py</c>).</summary>
public sealed record CreateSessionResponse
{
    /// <summary>The response's discriminator.</summary>
    public string Type { get; init; } = "create_session";

    /// <summary>A message the SDK logs at info level.</summary>
    public string? InfoMessage { get; init; }

    /// <summary>A message the SDK logs as a warning.</summary>
    public string? WarningMessage { get; init; }

    /// <summary>A message the SDK logs as an error.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The session's id.</summary>
    public required string SessionId { get; init; }
}

/// <summary><c>POST /api/v1/session_heartbeat</c> (SDK <c>types/session_heartbeat_request.py</c>).</summary>
public sealed record SessionHeartbeatRequest
{
    /// <summary>The session kept alive.</summary>
    public required string SessionId { get; init; }

    /// <summary>The request's discriminator.</summary>
    public string Type { get; init; } = "session_heartbeat";
}

/// <summary>The heartbeat's answer (SDK <c>types/session_heartbeat_response.py</c>).</summary>
public sealed record SessionHeartbeatResponse
{
    /// <summary>The response's discriminator.</summary>
    public string Type { get; init; } = "session_heartbeat";
}

/// <summary><c>GET /api/v1/healthz</c> (SDK <c>types/health_response.py</c>).</summary>
public sealed record HealthResponse
{
    /// <summary>Always <c>ok</c> when the server answers.</summary>
    public string Status { get; init; } = "ok";
}

/// <summary>A base model the server serves (SDK <c>types/get_server_capabilities_response.py</c>).</summary>
public sealed record SupportedModel
{
    /// <summary>Its name, as <c>base_model</c> must spell it.</summary>
    public string? ModelName { get; init; }

    /// <summary>Its context length in tokens.</summary>
    public int? MaxContextLength { get; init; }
}

/// <summary><c>GET /api/v1/get_server_capabilities</c> (SDK <c>types/get_server_capabilities_response.py</c>).</summary>
public sealed record GetServerCapabilitiesResponse
{
    /// <summary>The base models served.</summary>
    public required IReadOnlyList<SupportedModel> SupportedModels { get; init; }
}

/// <summary><c>POST /api/v1/telemetry</c>'s answer (SDK <c>types/telemetry_response.py</c>); events are accepted and dropped.</summary>
public sealed record TelemetryResponse
{
    /// <summary>Always <c>accepted</c>.</summary>
    public string Status { get; init; } = "accepted";
}

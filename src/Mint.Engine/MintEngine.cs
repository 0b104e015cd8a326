using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;
using Mint.Engine.Training;

namespace Mint.Engine;

/// <summary>
/// The training engine for one base model: it owns the model's frozen weights and the training
/// sessions that adapt it. Used in-process by the embedded transport and by <c>Mint.Server</c>.
/// </summary>
public sealed class MintEngine : IDisposable
{
    private readonly ConcurrentDictionary<string, TrainingSession> sessions = new();
    private readonly object creating = new();

    /// <summary>
    /// Hosts <paramref name="model"/> under <paramref name="limits"/> (the defaults when null); the engine
    /// disposes the model. <paramref name="options"/> must name the
    /// device and precision the model was loaded with (or leave the device unset); a mismatch is an
    /// <see cref="ArgumentException"/> naming both.
    /// </summary>
    public MintEngine(PretrainedModel model, EngineOptions? options = null, EngineLimits? limits = null)
    {
        limits ??= EngineLimits.Default;
        limits.Check();
        options ??= EngineOptions.Default with { Device = model.Weights.Device, Precision = PrecisionOf(model) };
        options.Check();
        var device = model.Weights.Device;
        if (options.Device is { } wanted && (wanted.type != device.type || Math.Max(wanted.index, 0) != Math.Max(device.index, 0)))
        {
            throw new ArgumentException($"The engine options ask for device {wanted} but the model's weights are on {device}; load the model with the same device.", nameof(options));
        }

        if (options.Precision != PrecisionOf(model))
        {
            throw new ArgumentException($"The engine options ask for {options.Precision} weights but the model was loaded as {PrecisionOf(model)}; load it with the same precision.", nameof(options));
        }

        if (device.type == DeviceType.CUDA)
        {
            // A libtorch switch for the whole process: the engine that asks last decides.
            torch.backends.cuda.matmul.allow_tf32 = options.AllowTf32;
        }

        Model = model;
        Limits = limits;
        Options = options with { Device = device };
    }

    /// <summary>
    /// Loads the model folder <paramref name="folder"/> onto the device and in the precision of
    /// <paramref name="options"/>, and hosts it under <paramref name="limits"/>, named <paramref name="modelName"/>
    /// (the folder's name when null; see <see cref="PretrainedModel.Load"/>).
    /// </summary>
    public static MintEngine Load(string folder, EngineOptions options, EngineLimits? limits = null, string? modelName = null)
    {
        options.Check();
        (limits ?? EngineLimits.Default).Check();
        return new MintEngine(PretrainedModel.Load(folder, options.Device, options.Precision, modelName), options, limits);
    }

    /// <summary>The base model.</summary>
    public PretrainedModel Model { get; }

    /// <summary>How the engine computes.</summary>
    public EngineOptions Options { get; }

    /// <summary>What one request may make the engine allocate.</summary>
    public EngineLimits Limits { get; }

    /// <summary>The ids of the open sessions.</summary>
    public IReadOnlyList<string> SessionIds => sessions.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Opens a session with fresh LoRA adapters.</summary>
    /// <exception cref="BatchValidationException">The LoRA config is invalid or over <see cref="EngineLimits.MaxLoraRank"/>.</exception>
    /// <exception cref="SessionLimitException"><see cref="EngineLimits.MaxSessions"/> sessions are open.</exception>
    public TrainingSession CreateSession(LoraConfig lora)
    {
        ArgumentNullException.ThrowIfNull(lora);
        var problems = Limits.CheckLora(lora, Model.Config);
        if (problems.Count > 0)
        {
            throw new BatchValidationException(LoraConfig.Operation, problems);
        }

        lock (creating)
        {
            if (sessions.Count >= Limits.MaxSessions)
            {
                throw new SessionLimitException($"The engine already holds {sessions.Count} sessions, the limit max_sessions; close one first.");
            }

            // Random, so an id tells nobody how many sessions exist or when this one was made.
            var id = "session-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var session = new TrainingSession(id, Model, lora, Options, Limits);
            sessions[id] = session;
            return session;
        }
    }

    /// <summary>
    /// Opens a session whose adapters start from <paramref name="weights"/> (e.g. a peft adapter
    /// trained elsewhere, see <see cref="Adapters.PeftAdapterFolder"/>), with fresh optimizer state.
    /// </summary>
    /// <exception cref="BatchValidationException">The weights do not fit this model: every missing, misshapen, unknown or non-finite tensor is named.</exception>
    public TrainingSession CreateSession(LoraWeights weights)
    {
        var violations = Adapters.AdapterImport.Check(weights, Model.Config);
        if (violations.Count > 0)
        {
            throw new BatchValidationException(Adapters.AdapterImport.Operation, violations);
        }

        var session = CreateSession(weights.Lora);
        session.StartFrom(weights);
        return session;
    }

    /// <summary>The session called <paramref name="id"/>.</summary>
    public TrainingSession GetSession(string id) =>
        sessions.TryGetValue(id, out var session) ? session : throw new SessionNotFoundException(id);

    /// <summary>Closes the session called <paramref name="id"/>, freeing its adapters and optimizer state.</summary>
    /// <exception cref="SessionNotFoundException">No open session has that id.</exception>
    public void CloseSession(string id)
    {
        if (!sessions.TryRemove(id, out var session))
        {
            throw new SessionNotFoundException(id);
        }

        session.Dispose();
    }

    private static WeightPrecision PrecisionOf(PretrainedModel model) => model.Weights.DType switch
    {
        ScalarType.BFloat16 => WeightPrecision.BFloat16,
        ScalarType.Float16 => WeightPrecision.Float16,
        _ => WeightPrecision.Float32,
    };

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        sessions.Clear();
        Model.Dispose();
    }
}

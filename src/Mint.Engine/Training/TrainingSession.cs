using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using Mint.Engine.Sampling;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mint.Engine.Training;

/// <summary>
/// One client's LoRA fine-tuning of a shared base model: forward, forward/backward with a built-in
/// loss (gradients accumulate), optimizer steps, sampling, and checkpoints. Calls are serialized.
/// Every call checks its whole input first; a rejected call changes neither the weights, nor the
/// accumulated gradients, nor the optimizer state.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private readonly object gate = new();
    private readonly PretrainedModel baseModel;
    private readonly LoraAdapters adapters;
    private readonly DecoderModel model;
    private readonly List<(string Name, Parameter Parameter)> parameters;
    private readonly AdamW optimizer;
    private readonly EngineLimits limits;
    private bool hasGradients;

    /// <summary>
    /// Creates a session with fresh adapters over <paramref name="baseModel"/>, on the weights' device;
    /// <paramref name="options"/> say how it computes (activation checkpointing, log-prob chunks);
    /// its requests are bounded by <paramref name="limits"/> (the defaults when null).
    /// </summary>
    public TrainingSession(string id, PretrainedModel baseModel, LoraConfig lora, EngineOptions? options = null, EngineLimits? limits = null)
    {
        Id = id;
        this.baseModel = baseModel;
        this.limits = limits ?? EngineLimits.Default;
        adapters = new LoraAdapters(baseModel.Config, lora, baseModel.Weights.Device);
        model = new DecoderModel(baseModel.Weights, adapters, options);
        parameters = adapters.Parameters().ToList();
        optimizer = new AdamW(adapters);
    }

    /// <summary>The session's id.</summary>
    public string Id { get; }

    /// <summary>The model the session trains.</summary>
    public DecoderModel Model => model;

    /// <summary>What the session runs on.</summary>
    public ModelInfo Info
    {
        get
        {
            lock (gate)
            {
                return new ModelInfo(baseModel.Name, baseModel.Config.VocabSize, baseModel.Config.MaxPositionEmbeddings, adapters.Config, optimizer.Step);
            }
        }
    }

    /// <summary>
    /// Per-token target log-probs of each datum, <c>[T]</c> (or <c>[T, K]</c> for multi-target
    /// <c>target_tokens [T, K]</c>), and, as <paramref name="options"/> ask, the top-k next tokens per position; no gradient.
    /// </summary>
    public ForwardResult Forward(IReadOnlyList<Datum> data, ForwardOptions? options = null)
    {
        lock (gate)
        {
            Reject("forward", limits.CheckBatch(data));
            var violations = EngineBatch.Check(data, model.Config);
            violations.AddRange(EngineBatch.CheckTargets(data));
            violations.AddRange(options?.Check(model.Config.VocabSize) ?? []);
            Reject("forward", violations);

            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (tokens, targets) = EngineBatch.Marshal(data, model.Device, EngineBatch.IsMultiTarget(data));
            return new ForwardResult(EngineBatch.Rows(model.TargetLogprobs(tokens, targets), data))
            {
                TopKLogprobs = options?.TopKLogprobs > 0 ? TopLogprobs.OfBatch(model, tokens, data, options.TopKLogprobs) : null,
            };
        }
    }

    /// <summary>
    /// Runs <paramref name="loss"/> inside the model's forward/backward pass and adds the gradients
    /// to those accumulated since the last <see cref="OptimStep"/>.
    /// </summary>
    public ForwardBackwardResult ForwardBackward(IReadOnlyList<Datum> data, LossFn loss) => ForwardBackward(data, loss.Definition);

    /// <summary>
    /// Runs any DSL loss (a built-in's definition, a generated custom loss, or a loss graph the server
    /// rebuilt) inside the model's forward/backward pass, exactly as built-ins run: one pass, the
    /// loss's autograd graph attached to the model's. Gradients accumulate as with built-ins.
    /// </summary>
    public ForwardBackwardResult ForwardBackward(IReadOnlyList<Datum> data, LossDefinition loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        lock (gate)
        {
            Reject(BatchValidationException.ForLoss(loss.Name), limits.CheckBatch(data));
            var violations = EngineBatch.Check(data, model.Config);
            try
            {
                loss.Validate(data);
            }
            catch (BatchValidationException error)
            {
                violations.AddRange(error.Violations);
            }

            Reject(BatchValidationException.ForLoss(loss.Name), violations);

            using var scope = NewDisposeScope();
            // A multi-target loss reads [datums, tokens, K] log-probs; any other one target per position.
            var (tokens, targets) = EngineBatch.Marshal(data, model.Device, loss.Contract.IsMultiTarget);
            // The loss and its metrics are read inside the pass: its tensors belong to the model's scope.
            var metrics = new Dictionary<string, double>();
            var logprobs = model.ForwardBackward(tokens, targets, leaf =>
            {
                var result = loss.Evaluate(new LossBatch(data, leaf));
                metrics[ForwardBackwardResult.LossMetric] = Scalar(result.Loss);
                foreach (var (name, value) in result.Metrics)
                {
                    metrics[name] = Scalar(value);
                }

                return result.Loss;
            });
            hasGradients = true;

            var outputs = EngineBatch.Rows(logprobs, data)
                .Select(row => (IReadOnlyDictionary<string, TensorData>)new Dictionary<string, TensorData> { ["logprobs"] = row })
                .ToList();
            return new ForwardBackwardResult(metrics, outputs);
        }
    }

    /// <summary>Updates the adapters from the accumulated gradients with Adam(W), then clears the gradients.</summary>
    public OptimStepResult OptimStep(AdamParams hyper)
    {
        lock (gate)
        {
            var violations = hyper.Check().ToList();
            if (!hasGradients)
            {
                violations.Add(new BatchViolation(null, null, "no gradient has been accumulated since the last optim_step; call forward_backward first."));
            }

            Reject("optim_step", violations);
            var norm = optimizer.Apply(hyper);
            ZeroGradients();
            return new OptimStepResult(optimizer.Step, new Dictionary<string, double>
            {
                ["grad_norm"] = norm,
                ["learning_rate"] = hyper.LearningRate,
            });
        }
    }

    /// <summary>Samples <paramref name="count"/> completions of <paramref name="prompt"/> with the current adapters.</summary>
    public SampleResult Sample(ModelInput prompt, int count, SamplingParams parameters, bool useKvCache = true)
    {
        lock (gate)
        {
            var tokens = prompt.ToInts();
            var violations = parameters.Check().ToList();
            if (count < 1)
            {
                violations.Add(new BatchViolation(null, "num_samples", $"is {count}; ask for at least 1 sample."));
            }

            violations.AddRange(limits.CheckSample(tokens.Length, count, parameters.MaxTokens));
            if (tokens.Length == 0)
            {
                violations.Add(new BatchViolation(null, "prompt", "the prompt has no tokens."));
            }

            var outside = Array.FindIndex(tokens, token => token < 0 || token >= model.Config.VocabSize);
            if (outside >= 0)
            {
                violations.Add(new BatchViolation(null, "prompt", $"token {tokens[outside]} at position {outside} is outside the vocabulary (0–{model.Config.VocabSize - 1})."));
            }

            if ((long)tokens.Length + parameters.MaxTokens > model.Config.MaxPositionEmbeddings)
            {
                violations.Add(new BatchViolation(null, "max_tokens",
                    $"the prompt ({tokens.Length} tokens) plus {parameters.MaxTokens} new tokens exceed the model's context of {model.Config.MaxPositionEmbeddings}."));
            }

            if (parameters.TopKPromptLogprobs > model.Config.VocabSize)
            {
                violations.Add(new BatchViolation(null, "topk_prompt_logprobs", $"is {parameters.TopKPromptLogprobs}; the vocabulary has {model.Config.VocabSize} tokens."));
            }

            Reject("sample", violations);
            var result = Sampler.Sample(model, tokens, count, parameters, useKvCache);
            if (!parameters.PromptLogprobs && parameters.TopKPromptLogprobs == 0)
            {
                return result;
            }

            var (promptLogprobs, topK) = TopLogprobs.OfPrompt(model, tokens, parameters.PromptLogprobs, parameters.TopKPromptLogprobs);
            return result with { PromptLogprobs = promptLogprobs, TopKPromptLogprobs = topK };
        }
    }

    /// <summary>Writes adapters, optimizer state and step to <paramref name="folder"/>.</summary>
    public void SaveState(string folder)
    {
        CheckpointCatalog.RefuseOtherKind(folder, CheckpointKind.Training);
        lock (gate)
        {
            new SessionCheckpoint(
                baseModel.Name,
                adapters.Config,
                optimizer.Step,
                parameters.ToDictionary(entry => entry.Name, entry => (Tensor)entry.Parameter),
                optimizer.State()).Save(folder);
        }
    }

    /// <summary>
    /// Writes the adapters alone to <paramref name="folder"/> as a peft adapter
    /// (<see cref="Adapters.PeftAdapterFolder"/>): what a sampling client, or peft itself, loads. The
    /// folder is replaced whole (<see cref="CheckpointFolder"/>), so a crash mid-save leaves the
    /// previous sampler weights or the new ones, never a mix.
    /// </summary>
    public void SaveWeightsForSampler(string folder)
    {
        CheckpointCatalog.RefuseOtherKind(folder, CheckpointKind.SamplerWeights);
        var weights = ExportWeights();
        CheckpointFolder.Replace(folder, incoming => Adapters.PeftAdapterFolder.Write(incoming, weights, baseModel.Name));
    }

    /// <summary>
    /// Replaces adapters, optimizer state and step with those saved in <paramref name="folder"/>, and
    /// drops accumulated gradients: training continues bit for bit where the checkpoint left off. The
    /// checkpoint is checked against this session first.
    /// </summary>
    public void LoadState(string folder) => Load(folder, withOptimizer: true);

    /// <summary>
    /// Replaces the adapters with those saved in the training checkpoint <paramref name="folder"/> and
    /// restarts the optimizer (zero moments, step 0), dropping accumulated gradients: Tinker's
    /// <c>load_state</c>, which starts a new run from trained weights. The checkpoint is checked against
    /// this session first; its optimizer state is read (a damaged file is still an error) but not used.
    /// </summary>
    public void LoadWeights(string folder) => Load(folder, withOptimizer: false);

    private void Load(string folder, bool withOptimizer)
    {
        lock (gate)
        {
            var checkpoint = SessionCheckpoint.Load(folder);
            try
            {
                var problems = SessionCheckpoint.Mismatches(checkpoint.Adapters, parameters.Select(entry => (entry.Name, entry.Parameter.shape)))
                    .Concat(withOptimizer ? SessionCheckpoint.Mismatches(checkpoint.Optimizer, optimizer.ExpectedState()) : [])
                    .ToList();
                if (checkpoint.Lora.Rank != adapters.Config.Rank || checkpoint.Lora.ResolvedAlpha != adapters.Config.ResolvedAlpha)
                {
                    problems.Insert(0, $"it holds LoRA rank {checkpoint.Lora.Rank} alpha {checkpoint.Lora.ResolvedAlpha}, the session rank {adapters.Config.Rank} alpha {adapters.Config.ResolvedAlpha}");
                }

                if (checkpoint.Lora.DescribeTargets() != adapters.Config.DescribeTargets())
                {
                    problems.Insert(0, $"it adapts {checkpoint.Lora.DescribeTargets()}, the session {adapters.Config.DescribeTargets()}");
                }

                if (checkpoint.BaseModel != baseModel.Name)
                {
                    problems.Insert(0, $"it was trained on base model '{checkpoint.BaseModel}', the session runs '{baseModel.Name}'");
                }

                if (problems.Count > 0)
                {
                    throw new CheckpointException($"Checkpoint {folder} does not fit session {Id}: {string.Join("; ", problems)}.");
                }

                using (no_grad())
                {
                    foreach (var (name, parameter) in parameters)
                    {
                        parameter.copy_(checkpoint.Adapters[name]);
                    }
                }

                if (withOptimizer)
                {
                    optimizer.Restore(checkpoint.Optimizer, checkpoint.Step);
                }
                else
                {
                    optimizer.Reset();
                }

                ZeroGradients();
            }
            finally
            {
                foreach (var tensor in checkpoint.Adapters.Values.Concat(checkpoint.Optimizer.Values))
                {
                    tensor.Dispose();
                }
            }
        }
    }

    /// <summary>The adapters as values (float32 copies): what a peft export or another session starts from.</summary>
    public LoraWeights ExportWeights()
    {
        lock (gate)
        {
            using var scope = NewDisposeScope();
            return new LoraWeights(adapters.Config, parameters.ToDictionary(
                entry => entry.Name,
                entry =>
                {
                    var values = entry.Parameter.detach().cpu().to(ScalarType.Float32).contiguous();
                    return TensorData.FromSingles(values.data<float>().ToArray(), values.shape);
                }));
        }
    }

    /// <summary>Sets the adapters to <paramref name="weights"/>, already checked against the model (see <c>MintEngine.CreateSession</c>).</summary>
    internal void StartFrom(LoraWeights weights)
    {
        lock (gate)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            foreach (var (name, parameter) in parameters)
            {
                var values = weights.Tensors[name];
                parameter.copy_(tensor(values.ToSingles(), values.Shape.ToArray()));
            }
        }
    }

    /// <summary>The adapters' current values by name (copies, for tests and export).</summary>
    public Dictionary<string, Tensor> AdapterWeights()
    {
        lock (gate)
        {
            return parameters.ToDictionary(entry => entry.Name, entry => entry.Parameter.detach().clone());
        }
    }

    /// <summary>The accumulated gradients by name (copies; zeros where none).</summary>
    public Dictionary<string, Tensor> AdapterGradients()
    {
        lock (gate)
        {
            return parameters.ToDictionary(entry => entry.Name, entry => entry.Parameter.grad?.detach().clone() ?? zeros_like(entry.Parameter));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Under the gate: a close waits for a call already running on this session.
        lock (gate)
        {
            optimizer.Dispose();
            adapters.Dispose();
        }
    }

    private void ZeroGradients()
    {
        adapters.ZeroGradients();
        hasGradients = false;
    }

    private static void Reject(string operation, List<BatchViolation> violations)
    {
        if (violations.Count > 0)
        {
            throw new BatchValidationException(operation, violations);
        }
    }

    private static double Scalar(Tensor value) => value.detach().cpu().to(ScalarType.Float64).item<double>();
}

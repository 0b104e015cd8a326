using System;
using System.Collections.Generic;

namespace Mint.Engine.Model;

/// <summary>
/// Which <c>config.json</c> keys the engine may ignore. Every key is in one of three groups:
/// <list type="bullet">
/// <item>keys <see cref="ModelConfigReader"/> reads because they change the math (sizes, rotary, biases,
/// norms, activation, sliding windows, dropout) — a value the engine cannot honour is refused;</item>
/// <item><see cref="Inert"/> keys: metadata, token ids, generation defaults, initialisation and cache settings,
/// which do not change the log-probs of a loaded checkpoint;</item>
/// <item>everything else, which is refused: a key the engine does not know may change the model
/// (a new transformers option, remote code, quantisation), and computing a different function
/// silently is worse than refusing. A folder can be loaded by deleting a key known to be inert.</item>
/// </list>
/// </summary>
internal static class ConfigKeyPolicy
{
    /// <summary>Keys that never change what a loaded decoder computes.</summary>
    public static IReadOnlySet<string> Inert { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        // Provenance and storage: the engine keeps its own float32 (or chosen) master copy.
        "_name_or_path", "_commit_hash", "transformers_version", "dtype", "torch_dtype", "use_bfloat16",
        "_attn_implementation", "_attn_implementation_autoset", "_attn_implementation_internal",
        // Special-token ids (the tokenizer and the caller decide what to feed) and tokenizer metadata.
        "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id", "decoder_start_token_id", "tokenizer_class",
        // Initialisation of new weights, caching, output plumbing: not the function of a loaded checkpoint.
        "initializer_range", "use_cache", "return_dict", "output_hidden_states", "output_attentions",
        "torchscript", "tf_legacy_loss", "use_return_dict", "gradient_checkpointing", "chunk_size_feed_forward",
        // Llama's tensor-parallel slicing of the same matmuls; the function is unchanged.
        "pretraining_tp",
        // Encoder-decoder and task-head options that decoder-only causal LMs do not read.
        "is_encoder_decoder", "is_decoder", "add_cross_attention", "cross_attention_hidden_size", "tie_encoder_decoder",
        "pruned_heads", "finetuning_task", "id2label", "label2id", "num_labels", "problem_type", "prefix", "task_specific_params",
        // Generation defaults older transformers stored in config.json (sampling parameters are per request here).
        "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
        "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
        "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores", "return_dict_in_generate",
        "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values", "exponential_decay_length_penalty",
        "suppress_tokens", "begin_suppress_tokens",
    };

    /// <summary>Keys refused with a specific reason, rather than as unknown.</summary>
    public static IReadOnlyDictionary<string, string> Refused { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["quantization_config"] = "quantized checkpoints are not supported (supported: float32, bfloat16 and float16 safetensors)",
        ["auto_map"] = "it points at custom modelling code, which the engine does not run (supported: transformers' built-in LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)",
    };
}

"""A training loop written as a user of the Tinker Python SDK (0.22.0) writes it, run against
Mint.Server's HTTP port by run.sh. Token ids stand in for text: the demo model has no tokenizer.

Usage: python sdk_loop.py BASE_URL API_KEY BASE_MODEL
Every step prints what it got; every check is an assert, so the script exits non-zero on the
first wrong answer.
"""

import asyncio
import math
import sys

import tinker
import torch
from tinker import types


def datum(tokens: list[int]) -> types.Datum:
    """Next-token prediction over one sequence: input tokens[:-1], targets tokens[1:]."""
    return types.Datum(
        model_input=types.ModelInput.from_ints(tokens[:-1]),
        loss_fn_inputs={
            "target_tokens": tokens[1:],
            "weights": [1.0] * (len(tokens) - 1),
        },
    )


def mean_loss(result: types.ForwardBackwardOutput, data: list[types.Datum]) -> float:
    """The mean per-token loss from the summed metric (weights are all 1)."""
    tokens = sum(len(d.loss_fn_inputs["target_tokens"].data) for d in data)
    return result.metrics["loss:sum"] / tokens


def forward_loss(training: tinker.TrainingClient, data: list[types.Datum]) -> float:
    return mean_loss(training.forward(data, "cross_entropy").result(), data)


def step_then_loss(training: tinker.TrainingClient, data: list[types.Datum], adam: types.AdamParams) -> float:
    """One cross-entropy step, then the loss it reaches."""
    training.forward_backward(data, "cross_entropy").result()
    training.optim_step(adam).result()
    return forward_loss(training, data)


def main(base_url: str, api_key: str, base_model: str) -> None:
    service = tinker.ServiceClient(base_url=base_url, api_key=api_key)

    capabilities = service.get_server_capabilities()
    names = [m.model_name for m in capabilities.supported_models]
    print("capabilities:", names)
    assert base_model in names, names

    training = service.create_lora_training_client(base_model=base_model, rank=8, seed=0)
    info = training.get_info()
    print("get_info:", info.model_data.model_name, "lora_rank", info.lora_rank)
    assert info.is_lora and info.lora_rank == 8 and info.model_data.model_name == base_model

    data = [
        datum([1, 5, 9, 13, 17, 21, 25, 29]),
        datum([2, 6, 10, 14, 18, 22, 26, 30]),
        datum([3, 7, 11, 15, 19, 23, 27, 31]),
    ]

    # Supervised steps: submit forward_backward and optim_step back to back, then wait, as the
    # cookbook does; the loss must fall.
    adam = types.AdamParams(learning_rate=1e-2)
    losses = []
    for step in range(6):
        fwd_bwd = training.forward_backward(data, "cross_entropy")
        optim = training.optim_step(adam)
        result = fwd_bwd.result()
        optim.result()
        losses.append(mean_loss(result, data))
        print(f"step {step}: loss {losses[-1]:.4f}")
        assert len(result.loss_fn_outputs) == len(data)
        assert result.loss_fn_outputs[0]["logprobs"].shape == [7]
    assert losses[-1] < losses[0] - 0.1, losses

    # An RL step: importance_sampling with the sampler's logprobs and advantages.
    forward = training.forward(data, "cross_entropy").result()
    rl_data = [
        types.Datum(
            model_input=d.model_input,
            loss_fn_inputs={
                "target_tokens": d.loss_fn_inputs["target_tokens"],
                "logprobs": out["logprobs"],
                "advantages": [1.0] * len(out["logprobs"].data),
            },
        )
        for d, out in zip(data, forward.loss_fn_outputs)
    ]
    # With the sampler's logprobs equal to the learner's the ratio is 1, so importance_sampling and
    # ppo give -sum(advantages) = -21, and cispo gives -sum(logprobs) = the cross-entropy sum.
    rl = training.forward_backward(rl_data, "importance_sampling").result()
    ppo = training.forward_backward(
        rl_data, "ppo", {"clip_low_threshold": 0.9, "clip_high_threshold": 1.1}).result()
    cispo = training.forward_backward(rl_data, "cispo").result()
    print("importance_sampling:", rl.metrics, "ppo:", ppo.metrics, "cispo:", cispo.metrics)
    assert math.isclose(rl.metrics["loss:sum"], -21.0, rel_tol=1e-5), rl.metrics
    assert math.isclose(ppo.metrics["loss:sum"], -21.0, rel_tol=1e-5), ppo.metrics
    assert math.isclose(cispo.metrics["loss:sum"], forward.metrics["loss:sum"], rel_tol=1e-5)
    training.optim_step(adam).result()

    # Multi-target cross-entropy: [T, K] targets and weights as torch tensors, which the SDK sends
    # as sparse CSR when mostly zero. Mint's built-in cross_entropy reads one target per position
    # and refuses K > 1 by name (a custom loss declared multi-target reads them); the request fails
    # alone and the run goes on.
    multi_data = []
    for d in data:
        targets = torch.tensor(d.loss_fn_inputs["target_tokens"].data)
        candidates = torch.stack([targets, targets + 1, targets + 2, targets + 3], dim=1)
        weights = torch.zeros(candidates.shape, dtype=torch.float32)
        weights[:, 0] = 1.0
        multi_data.append(types.Datum(
            model_input=d.model_input,
            loss_fn_inputs={"target_tokens": candidates, "weights": weights}))
    assert multi_data[0].loss_fn_inputs["weights"].sparse_crow_indices is not None
    try:
        training.forward(multi_data, "cross_entropy").result()
        raise AssertionError("multi-target cross_entropy was accepted")
    except tinker.RequestFailedError as error:
        print("multi-target cross_entropy refused:", str(error).splitlines()[1].strip())
        assert "shape is [7, 4]: 4 candidate targets per position" in str(error)
        assert "'weights': shape is [7, 4]" in str(error)

    # Checkpoints. The reference: save_state, then one more step, and the loss it reaches.
    saved = training.save_state("sdk-step-7").result()
    print("save_state:", saved.path)
    assert saved.path.startswith("tinker://")
    at_save = forward_loss(training, data)
    stepped = step_then_loss(training, data, adam)
    print(f"after save_state: loss {at_save:.6f}, one step later {stepped:.6f}")
    assert stepped < at_save

    # load_state_with_optimizer restores the weights and Adam's moments: the same step lands on
    # the same loss.
    training.load_state_with_optimizer(saved.path).result()
    restored = forward_loss(training, data)
    again = step_then_loss(training, data, adam)
    print(f"load_state_with_optimizer: loss {restored:.6f}, one step later {again:.6f}")
    assert math.isclose(restored, at_save, rel_tol=1e-6) and math.isclose(again, stepped, rel_tol=1e-5)

    # load_state restores the weights with a fresh optimizer: the same step goes elsewhere.
    training.load_state(saved.path).result()
    restored = forward_loss(training, data)
    fresh = step_then_loss(training, data, adam)
    print(f"load_state: loss {restored:.6f}, one step with a fresh Adam {fresh:.6f}")
    assert math.isclose(restored, at_save, rel_tol=1e-6) and not math.isclose(fresh, stepped, rel_tol=1e-4)

    # A new run from the saved state (weights_info gives base model, rank and LoRA targets).
    resumed = service.create_training_client_from_state(saved.path)
    resumed_info = resumed.get_info()
    resumed_loss = forward_loss(resumed, data)
    print(f"create_training_client_from_state: run {resumed.model_id}, "
          f"lora_rank {resumed_info.lora_rank}, loss {resumed_loss:.6f}")
    assert resumed.model_id != training.model_id and resumed_info.lora_rank == 8
    assert math.isclose(resumed_loss, at_save, rel_tol=1e-6)

    # ... and with the optimizer's moments: its first step lands where the original run's did.
    resumed_adam = service.create_training_client_from_state_with_optimizer(saved.path)
    resumed_step = step_then_loss(resumed_adam, data, adam)
    print(f"create_training_client_from_state_with_optimizer: one step later {resumed_step:.6f}")
    assert math.isclose(resumed_step, stepped, rel_tol=1e-5)

    # Sampling from the current weights, with a seed: the same seed gives the same tokens.
    sampler = training.save_weights_and_get_sampling_client()
    prompt = types.ModelInput.from_ints([1, 5, 9])
    params = types.SamplingParams(max_tokens=8, seed=1234, temperature=1.0)
    first = sampler.sample(prompt, num_samples=2, sampling_params=params).result()
    again = sampler.sample(prompt, num_samples=2, sampling_params=params).result()
    first_tokens = [s.tokens for s in first.sequences]
    print("sample:", first_tokens, [s.stop_reason for s in first.sequences])
    assert first_tokens == [s.tokens for s in again.sequences]
    assert all(len(t) == 8 and s.stop_reason == "length" for t, s in zip(first_tokens, first.sequences))

    # Stop token ids: with the same seed, stopping at the first sequence's fourth token ends each
    # sequence at that token's first occurrence (included), and the others run on unchanged.
    stop_token = first_tokens[0][3]
    stop_params = types.SamplingParams(max_tokens=8, seed=1234, temperature=1.0, stop=[stop_token])
    stopped = sampler.sample(prompt, num_samples=2, sampling_params=stop_params).result().sequences
    print(f"sample with stop=[{stop_token}]:", [s.tokens for s in stopped], [s.stop_reason for s in stopped])
    for full, cut in zip(first_tokens, stopped, strict=True):
        if stop_token in full:
            assert cut.tokens == full[: full.index(stop_token) + 1] and cut.stop_reason == "stop", (full, cut)
        else:
            assert cut.tokens == full and cut.stop_reason == "length", (full, cut)

    # compute_logprobs (a prompt-logprobs sample) agrees with the trainer's forward on the same
    # weights.
    sequence = [1, 5, 9, 13, 17]
    logprobs = sampler.compute_logprobs(types.ModelInput.from_ints(sequence)).result()
    trainer = training.forward([datum(sequence)], "cross_entropy").result()
    trainer_logprobs = trainer.loss_fn_outputs[0]["logprobs"].data
    print("compute_logprobs:", [None if lp is None else round(lp, 5) for lp in logprobs])
    assert logprobs[0] is None
    assert all(math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-5) for a, b in zip(logprobs[1:], trainer_logprobs, strict=True))

    # Prompt log-probs with the top-2 alternatives per position.
    with_topk = sampler.sample(types.ModelInput.from_ints(sequence), num_samples=1,
                               sampling_params=types.SamplingParams(max_tokens=1),
                               include_prompt_logprobs=True, topk_prompt_logprobs=2).result()
    print("topk_prompt_logprobs[1]:", with_topk.topk_prompt_logprobs[1])
    assert with_topk.topk_prompt_logprobs[0] is None
    for position, alternatives in enumerate(with_topk.topk_prompt_logprobs[1:], start=1):
        assert len(alternatives) == 2 and alternatives[0][1] >= alternatives[1][1]
        assert alternatives[0][1] >= with_topk.prompt_logprobs[position] - 1e-5

    # Named sampler weights, and a sampling client made from their path.
    sampler_path = training.save_weights_for_sampler("sdk-sampler").result().path
    named = service.create_sampling_client(model_path=sampler_path)
    named_tokens = [s.tokens for s in named.sample(prompt, num_samples=2, sampling_params=params).result().sequences]
    print("save_weights_for_sampler:", sampler_path, named_tokens)
    assert named_tokens == first_tokens
    # A sampler over the bare base model: its log-probs are not the trained ones.
    base_sampler = service.create_sampling_client(base_model=base_model)
    base_logprobs = base_sampler.compute_logprobs(types.ModelInput.from_ints(sequence)).result()
    print("base model compute_logprobs:", [None if lp is None else round(lp, 5) for lp in base_logprobs])
    assert base_logprobs[0] is None and base_logprobs[1:] != logprobs[1:]
    # What get_tokenizer() reads to find the tokenizer (get_tokenizer itself needs transformers).
    print("get_base_model:", named.get_base_model(), sampler.get_base_model(), base_sampler.get_base_model())
    assert named.get_base_model() == sampler.get_base_model() == base_sampler.get_base_model() == base_model

    # The REST client: runs and their checkpoints, and deleting one.
    rest = service.create_rest_client()
    runs = rest.list_training_runs().result()
    run_ids = [r.training_run_id for r in runs.training_runs]
    print("list_training_runs:", run_ids)
    assert {training.model_id, resumed.model_id, resumed_adam.model_id} <= set(run_ids)
    run = rest.get_training_run_by_tinker_path(saved.path).result()
    print("get_training_run_by_tinker_path:", run.training_run_id, run.base_model, run.lora_rank)
    assert run.training_run_id == training.model_id and run.base_model == base_model and run.lora_rank == 8
    checkpoints = rest.list_checkpoints(training.model_id).result()
    listed = {c.tinker_path: c.checkpoint_type for c in checkpoints.checkpoints}
    print("list_checkpoints:", listed)
    assert listed.get(saved.path) == "training" and listed.get(sampler_path) == "sampler"
    rest.delete_checkpoint_from_tinker_path(sampler_path).result()
    remaining = [c.tinker_path for c in rest.list_checkpoints(training.model_id).result().checkpoints]
    print("after delete_checkpoint_from_tinker_path:", remaining)
    assert sampler_path not in remaining and saved.path in remaining

    # A custom loss: the SDK's two-pass path (forward, then forward_backward with
    # weights = -dLoss/dlogprobs). Here the loss is the mean negative log-likelihood, so the
    # gradient step must lower the cross-entropy as well.
    def mean_nll(batch: list[types.Datum], logprobs_list: list[torch.Tensor]):
        loss = -torch.cat(logprobs_list).mean()
        return loss, {"mean_nll": loss.item()}

    before_custom = forward_loss(training, data)
    custom = training.forward_backward_custom(data, mean_nll).result()
    training.optim_step(adam).result()
    after_custom = forward_loss(training, data)
    print(f"forward_backward_custom: mean_nll {custom.metrics['mean_nll']:.6f}, "
          f"loss {before_custom:.6f} -> {after_custom:.6f}")
    assert math.isclose(custom.metrics["mean_nll"], before_custom, rel_tol=1e-4)
    assert after_custom < before_custom

    # The async API, as the cookbook's RL loops use it: submit both, then await the results.
    async def two_async_steps() -> list[float]:
        async_losses = []
        for _ in range(2):
            fwd_bwd = await training.forward_backward_async(data, "cross_entropy")
            optim = await training.optim_step_async(adam)
            result = await fwd_bwd.result_async()
            await optim.result_async()
            async_losses.append(mean_loss(result, data))
        return async_losses

    async_losses = asyncio.run(two_async_steps())
    print("async steps:", [round(x, 6) for x in async_losses])
    assert math.isclose(async_losses[0], after_custom, rel_tol=1e-5) and async_losses[1] < async_losses[0]

    # A batch larger than the SDK's chunk (1024 datums) goes as two forward_backward requests sent
    # concurrently, the first one last; the server runs them in seq_id order and the gradients add up.
    big = [datum([i % 200 + 1, (7 * i) % 200 + 1, (13 * i) % 200 + 1]) for i in range(1100)]
    parts = sum(training.forward(part, "cross_entropy").result().metrics["loss:sum"] for part in (big[:1024], big[1024:]))
    chunked = training.forward_backward(big, "cross_entropy").result()
    training.optim_step(adam).result()
    after_chunked = training.forward(big, "cross_entropy").result().metrics["loss:sum"]
    print(f"chunked forward_backward: {len(chunked.loss_fn_outputs)} outputs, loss:sum {chunked.metrics['loss:sum']:.3f} "
          f"(chunks by forward {parts:.3f}), after a step {after_chunked:.3f}")
    assert len(chunked.loss_fn_outputs) == 1100
    assert math.isclose(chunked.metrics["loss:sum"], parts, rel_tol=1e-5) and after_chunked < parts

    print("SDK loop passed")


if __name__ == "__main__":
    main(*sys.argv[1:4])

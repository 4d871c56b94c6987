"""rsgrpo.train.cpu: sampler, grader cache, data order, every estimator trains, loss moves, exact resume."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from rsgrpo import estimators  # noqa: E402
from rsgrpo.data import tasks as T  # noqa: E402
from rsgrpo.models import tiny  # noqa: E402
from rsgrpo.train import cpu  # noqa: E402
from rsgrpo.train.sft import sft  # noqa: E402

TASK = T.variant(test_per_type=4)


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    """A small SFT-ed model (some groups mixed, so the RL update is not empty)."""
    torch.set_num_threads(1)
    tok = tiny.build_tokenizer(T.vocabulary(TASK))
    model = tiny.build_model(tok, hidden=32, intermediate=64)
    sft(TASK, model, tok, steps=150, batch=128, lr=1e-2, log=lambda m: None)
    return tiny.save_pretrained_atomic(model, tok, tmp_path_factory.mktemp("base") / "model")


@pytest.fixture(scope="module")
def rows():
    return T.training_frame(TASK)


def test_grouped_response_logprobs_equal_the_full_forward_with_gradients(base_dir):
    """The update runs each prompt once for its group (KV cache repeated): same log-probs and gradients as one
    forward of every [prompt, response] row (the loop reference)."""
    model, tok = tiny.load(base_dir)
    prompts = [T.prompt_text(f"T{m} {a} 3 =") for m, a in ((0, 1), (1, 5), (3, 7))]
    x = torch.tensor([tok(p, add_special_tokens=False)["input_ids"] for p in prompts])  # (3, L)
    resp, _, _, _ = cpu.sample(model, x, 3, tok.eos_token_id, torch.Generator().manual_seed(1), group=4)
    w = torch.randn(resp.shape, generator=torch.Generator().manual_seed(2))

    def grads(lp):
        model.zero_grad(set_to_none=True)
        (lp * w).sum().backward()
        return [p.grad.clone() for p in model.parameters()]

    lp = cpu.response_logprobs(model, x, resp, temperature=0.7, group=4)
    g = grads(lp)
    ref = []
    for row in range(resp.shape[0]):  # loop reference: one full sequence at a time
        seq = torch.cat([x[row // 4], resp[row]])[None]
        logits = model(input_ids=seq).logits[0, x.shape[1] - 1:-1].float() / 0.7
        ref.append(torch.log_softmax(logits, -1).gather(1, resp[row][:, None]).squeeze(1))
    ref = torch.stack(ref)
    g_ref = grads(ref)
    assert torch.allclose(lp, ref, atol=1e-5)
    assert all(torch.allclose(a, b, atol=1e-5, rtol=1e-4) for a, b in zip(g, g_ref))
    # ungrouped (one prompt row per response, as several PPO mini-batches use) gives the same values
    assert torch.allclose(cpu.response_logprobs(model, x.repeat_interleave(4, 0), resp, 0.7), ref, atol=1e-5)


def test_sampler_shapes_mask_and_logprobs(base_dir):
    model, tok = tiny.load(base_dir)
    x = torch.tensor([tok(T.prompt_text("T1 2 3 ="), add_special_tokens=False)["input_ids"]] * 64)
    gen = torch.Generator().manual_seed(0)
    toks, lp, mask, ent = cpu.sample(model, x, 3, tok.eos_token_id, gen)
    assert toks.shape == lp.shape == mask.shape == ent.shape and toks.shape[0] == 64
    # mask is 1 up to and including the first </s>, then 0, and tokens after </s> are </s>
    for row_t, row_m in zip(toks.tolist(), mask.tolist()):
        if tok.eos_token_id in row_t:
            j = row_t.index(tok.eos_token_id)
            assert row_m[: j + 1] == [1.0] * (j + 1) and all(m == 0 for m in row_m[j + 1:])
            assert all(t == tok.eos_token_id for t in row_t[j:])
    # logprobs equal a full forward pass over the sampled sequence (KV cache is exact)
    with torch.no_grad():
        full = torch.log_softmax(model(input_ids=torch.cat([x, toks], 1)).logits[:, x.shape[1] - 1:-1], -1)
    ref = full.gather(2, toks[:, :, None]).squeeze(2)
    assert torch.allclose((ref * mask), (lp * mask), atol=1e-5)
    # same generator state -> same samples
    again = cpu.sample(model, x, 3, tok.eos_token_id, torch.Generator().manual_seed(0))[0]
    assert torch.equal(again, toks)
    # one prefix per prompt, expanded to the group: the same draws as repeating the prompt
    grouped, glp, _, _ = cpu.sample(model, x[:4], 3, tok.eos_token_id, torch.Generator().manual_seed(0), group=16)
    assert grouped.shape == toks.shape
    assert (grouped == toks).float().mean() >= 0.99
    same = (grouped == toks).all(1)
    assert torch.allclose(glp[same], lp[same], atol=1e-5)


def test_cached_grader_grades_each_pair_once():
    calls = []

    def fake_grade(texts, golds, timeout):
        calls.append(len(texts))
        return [T.reference_correct(t, g) for t, g in zip(texts, golds)]

    g = cpu.CachedGrader(grade=fake_grade)
    texts = ["add \\boxed{3}", "sub \\boxed{4}", "add \\boxed{3}"]
    assert g(texts, ["3", "3", "3"]).tolist() == [True, False, True]
    assert g(texts, ["3", "3", "3"]).tolist() == [True, False, True]
    assert calls == [2]
    assert g(["add \\boxed{3}"], ["4"]).tolist() == [False] and calls == [2, 1]


def test_batch_rows_are_epoch_permutations():
    n, b = 10, 4
    seq = np.concatenate([cpu._batch_rows(n, b, s, seed=3) for s in range(1, 6)])  # 20 = 2 epochs
    assert sorted(seq[:10]) == list(range(10)) and sorted(seq[10:]) == list(range(10))
    assert np.array_equal(cpu._batch_rows(n, b, 4, 3), cpu._batch_rows(n, b, 4, 3))
    assert not np.array_equal(seq[:10], np.concatenate([cpu._batch_rows(n, b, s, 4) for s in (1, 2, 3)])[:10])


def _cfg(**kw):
    base = dict(estimator="rs_grpo", params={"beta": 4.0}, steps=4, prompts_per_step=16, group_size=8, lr=3e-3,
                ckpt_every=2, val_every=2, log_every=100, seed=5)
    return cpu.RLConfig(**{**base, **kw})


def _strip(records):
    return [{k: v for k, v in r.items() if not k.startswith("time/")} for r in records]


def test_train_moves_the_model_and_writes_the_contract(base_dir, rows, tmp_path):
    from rsgrpo.train.exact import ops_validator

    model0, tok = tiny.load(base_dir)
    val = ops_validator(TASK, tok, T.benchmark_frame(TASK, "test"), ks=[1, 32])
    recs = cpu.train(base_dir, rows, tmp_path / "run", _cfg(), validate=val, log=lambda m: None)
    out = tmp_path / "run"
    assert (out / "model" / "config.json").exists() and (out / "provenance.json").exists()
    assert not (out / "state").exists()
    lines = [json.loads(s) for s in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in lines] == [0, 1, 2, 3, 4]
    for key in ("train/reward_mean", "train/entropy", "train/solve_rate_cum", "train/groups_kept"):
        assert all(key in r for r in lines[1:])
    assert all("val/pass@1" in lines[i] and "val/pass@32" in lines[i] for i in (0, 2, 4))
    assert 0 <= lines[-1]["val/pass@1"] <= lines[-1]["val/pass@32"] <= 1
    losses = [r["train/loss"] for r in recs if "train/loss" in r]
    assert losses and all(np.isfinite(losses))
    trained, _ = tiny.load(out / "model")
    moved = sum(float((a - b).detach().abs().sum()) for a, b in zip(trained.parameters(), model0.parameters()))
    assert moved > 0
    solve = [r["train/solve_rate_cum"] for r in lines[1:]]
    assert all(0 <= s <= 1 for s in solve)


def test_killed_run_resumes_to_identical_state(base_dir, rows, tmp_path):
    full = cpu.train(base_dir, rows, tmp_path / "a", _cfg(), log=lambda m: None)
    part = cpu.train(base_dir, rows, tmp_path / "b", _cfg(), log=lambda m: None, stop_after=2)
    assert [r["step"] for r in part] == [1, 2]
    assert (tmp_path / "b" / "state" / "checkpoint.pt").exists()
    assert not (tmp_path / "b" / "metrics.jsonl").exists()  # outputs only appear at the end
    msgs = []
    resumed = cpu.train(base_dir, rows, tmp_path / "b", _cfg(), log=msgs.append)
    assert any("resumed" in m for m in msgs)
    assert _strip(resumed) == _strip(full)
    a, _ = tiny.load(tmp_path / "a" / "model")
    b, _ = tiny.load(tmp_path / "b" / "model")
    for (na, pa), (nb, pb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert na == nb and torch.equal(pa, pb), na
    # a checkpoint written under another config is ignored, not resumed
    cpu.train(base_dir, rows, tmp_path / "c", _cfg(), log=lambda m: None, stop_after=2)
    msgs = []
    cpu.train(base_dir, rows, tmp_path / "c", _cfg(lr=1e-3), log=msgs.append)
    assert any("another config" in m for m in msgs)


@pytest.mark.parametrize("name", estimators.available())
def test_every_registry_estimator_trains(name, base_dir, rows, tmp_path):
    params = {"k": 4} if "k" in estimators.spec(name).params else {}
    if name == "rs_grpo":
        params = {"beta": 2.0}
    recs = cpu.train(base_dir, rows, tmp_path / name, _cfg(estimator=name, params=params, steps=2,
                                                           ckpt_every=10), log=lambda m: None)
    assert len(recs) == 2 and all(np.isfinite(r["train/reward_mean"]) for r in recs)


def test_invalid_estimator_params_fail_before_training(base_dir, rows, tmp_path):
    with pytest.raises(ValueError):
        cpu.train(base_dir, rows, tmp_path / "x", _cfg(estimator="chen", params={"k": 20}), log=lambda m: None)


def test_constant_schedule_reproduces_the_fixed_beta_run(base_dir, rows, tmp_path):
    fixed = cpu.train(base_dir, rows, tmp_path / "b4", _cfg(estimator="rs_grpo", params={"beta": 4.0}, steps=3),
                      log=lambda m: None)
    const = cpu.train(base_dir, rows, tmp_path / "c4", _cfg(estimator="rs_grpo", steps=3, params={
        "beta": {"schedule": "constant", "beta": 4}}), log=lambda m: None)
    assert _strip(const) == _strip(fixed)  # same seed, same metrics (no train/beta key: it is not a schedule)
    a, _ = tiny.load(tmp_path / "b4" / "model")
    b, _ = tiny.load(tmp_path / "c4" / "model")
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_scheduled_beta_is_applied_and_logged_per_step(base_dir, rows, tmp_path):
    from rsgrpo.estimators import beta as B

    cos = {"schedule": "cosine", "beta_start": 8, "beta_end": 2, "warmup_steps": 1, "decay_steps": 2}
    recs = cpu.train(base_dir, rows, tmp_path / "cos", _cfg(estimator="rs_grpo", params={"beta": cos}, steps=4),
                     log=lambda m: None)
    assert [r["train/beta"] for r in recs] == [B.value(cos, s) for s in range(4)] == [8.0, 8.0, 5.0, 2.0]
    dif = {"schedule": "difficulty", "beta_max": 8, "beta_min": 0}
    recs = cpu.train(base_dir, rows, tmp_path / "dif", _cfg(estimator="rs_grpo", params={"beta": dif}, steps=2),
                     log=lambda m: None)
    # the mean over prompts of 8 (1 - acc) is 8 (1 - mean reward): every group has the same size
    assert [r["train/beta"] for r in recs] == pytest.approx([8 * (1 - r["train/reward_mean"]) for r in recs])
    fixed = cpu.train(base_dir, rows, tmp_path / "b8", _cfg(estimator="rs_grpo", params={"beta": 8.0}, steps=2),
                      log=lambda m: None)
    assert _strip(recs) != [{**r, "train/beta": x["train/beta"]} for r, x in zip(_strip(fixed), recs)]

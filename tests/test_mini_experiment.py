"""The mini experiment end to end at reduced size: the exploration dilemma's signature (docs/cpu_experiment.md).

SFT base -> Dr.GRPO and RS-GRPO (beta = 4) with the CPU trainer -> exact pass@k on every held-out problem
(rsgrpo.train.exact), cross-checked against sampled counts from the evaluation backend + the real grader.
Margins are the wide ones of docs/cpu_experiment.md ("Checks"): base pass@1024 >= 0.99,
Dr.GRPO pass@1024 <= 0.70, RS beta=4 pass@1024 >= 0.95, RS beta=4 pass@1 >= Dr.GRPO pass@1 + 0.15.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from rsgrpo.data import tasks as T  # noqa: E402
from rsgrpo.models import tiny  # noqa: E402
from rsgrpo.train import cpu  # noqa: E402
from rsgrpo.train.exact import exact_pass_at_k, ops_validator, success_probs  # noqa: E402
from rsgrpo.train.sft import train_base_model  # noqa: E402

TASK = T.variant(test_per_type=None)  # all 4 x 128 held-out problems (exact evaluation is cheap)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("mini") / "base"
    metrics = train_base_model(TASK, out, steps=800, batch=256, lr=3e-3, seed=0, log=lambda m: None)
    return out, metrics


def _exact(model_dir):
    model, tok = tiny.load(model_dir)
    val = ops_validator(TASK, tok, T.benchmark_frame(TASK, "test"), ks=[1, 1024])
    return val(model)


@pytest.mark.slow
def test_base_prior_is_peaked_and_partly_wrong(base):
    _, m = base
    assert m["sft/execution_accuracy"] >= 0.95
    assert 0.75 <= m["prior/p_add_minority"] <= 0.95  # design: ~0.85
    assert 0.02 <= m["prior/p_own_minority"] <= 0.15  # design: ~0.065


@pytest.mark.slow
def test_sampled_counts_agree_with_exact_probabilities(base):
    from rsgrpo.eval.grading import grade
    from rsgrpo.eval.sampling import SamplingSpec, get_backend

    model_dir, _ = base
    model, tok = tiny.load(model_dir)
    test = T.benchmark_frame(T.variant(test_per_type=4), "test")
    prompts = [T.prompt_text(p) for p in test["problem"]]
    ids = torch.tensor([tok(p, add_special_tokens=False)["input_ids"] for p in prompts])
    gold = torch.tensor(tok.convert_tokens_to_ids([f"\\boxed{{{a}}}" for a in test["answer"]]))
    p, _ = success_probs(model, ids, gold, tok.eos_token_id, [tok.pad_token_id])
    n = 512
    be = get_backend("hf", str(model_dir), device="cpu", batch_size=4096, progress=False)
    texts = be.generate(prompts, SamplingSpec(n=n, temperature=1.0, top_p=1.0, max_tokens=4, seed=1))
    for i, group in enumerate(texts):
        c = sum(r.correct for r in grade(group, test["answer"].iloc[i]))
        sd = np.sqrt(n * p[i] * (1 - p[i]))
        assert abs(c - n * p[i]) <= 5 * sd + 3, (test["problem_id"].iloc[i], c, n * p[i])


@pytest.mark.slow
def test_dilemma_signature(base, tmp_path):
    model_dir, _ = base
    rows = T.training_frame(TASK)
    res = {"base": _exact(model_dir)}
    for tag, est, params in (("dr_grpo", "dr_grpo", {}), ("rs4", "rs_grpo", {"beta": 4.0})):
        cfg = cpu.RLConfig(estimator=est, params=params, steps=150, prompts_per_step=64, group_size=16, lr=1e-3,
                           seed=0, ckpt_every=1000, val_every=1000)
        cpu.train(model_dir, rows, tmp_path / tag, cfg, log=lambda m: None)
        res[tag] = _exact(tmp_path / tag / "model")
    print({k: {m: round(v, 3) for m, v in r.items()} for k, r in res.items()})
    assert res["base"]["val/pass@1024"] >= 0.99
    assert res["dr_grpo"]["val/pass@1024"] <= 0.70
    assert res["rs4"]["val/pass@1024"] >= 0.95
    assert res["rs4"]["val/pass@1"] >= res["dr_grpo"]["val/pass@1"] + 0.15
    # mechanism (first token): Dr.GRPO drives minority markers to `add`; RS-GRPO learns their own ops
    assert res["dr_grpo"]["val/p_add_minority"] >= 0.9
    assert res["rs4"]["val/p_own_minority"] >= 0.5


def test_exact_pass_at_k_formula():
    p = np.array([0.0, 0.5, 1.0])
    got = exact_pass_at_k(p, [1, 2])
    assert np.allclose(got, [[0, 0], [0.5, 0.75], [1, 1]])

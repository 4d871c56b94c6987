"""The mini experiment end to end at CI size: the paper's whole signature on the median seed (docs/cpu_experiment.md).

The embedded default's own jobs (config/config.yaml through rsgrpo.config.Jobs: the noisy-add task, the SFT
recipe, the CPU trainer's settings) for GRPO and RS-GRPO (beta = 4) with 3 of its 4 seeds, and the base model;
exact pass@k (rsgrpo.train.exact) on the held-out benchmark the DAG evaluates (4 x 32 problems), cross-checked
against sampled counts from the evaluation backend + the real grader. Margins are wide against what was measured
(docs/cpu_experiment.md "Variants"): GRPO pass@1 >= base + 5 points; GRPO pass@1024 <= base - 20 points;
RS-GRPO pass@1024 >= base - 8 points and >= GRPO + 20 points; RS-GRPO pass@1 >= GRPO pass@1 - 5 points.
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

SEEDS = (0, 1, 2)
RUNS = {"grpo": "tiny-ops__ops__grpo__s{}", "rs4": "tiny-ops__ops__rs_grpo-b4__s{}"}


@pytest.fixture(scope="module")
def jobs(root):
    import configs  # workflow/lib (tests/conftest.py puts it on sys.path)

    return configs.jobs_of("config/config.yaml", str(root))


@pytest.fixture(scope="module")
def task(jobs):
    job = jobs.base_model_job("tiny-ops")
    return T.from_config(job["dataset"], job["task"])


@pytest.fixture(scope="module")
def base(jobs, task, tmp_path_factory):
    torch.set_num_threads(1)
    job = jobs.base_model_job("tiny-ops")
    sft = dict(job["sft"])
    seed = int(sft.pop("seed", 0))  # as workflow/scripts/base_model.py: one seed for the init and the data
    out = tmp_path_factory.mktemp("mini") / "base"
    metrics = train_base_model(task, out, arch=job["arch"], model_seed=seed, model_kwargs=dict(job["model_config"]),
                               seed=seed, log=lambda m: None, **sft)
    return out, metrics


def _exact(task, model_dir):
    model, tok = tiny.load(model_dir)
    return ops_validator(task, tok, T.benchmark_frame(task, "test"), ks=[1, 1024])(model)


@pytest.fixture(scope="module")
def results(jobs, task, base, tmp_path_factory):
    """{'base': metrics, 'grpo': [per seed], 'rs4': [per seed]} of exact validation on the held-out benchmark."""
    model_dir, _ = base
    rows = T.training_frame(task)
    out = {"base": _exact(task, model_dir)}
    for tag, pattern in RUNS.items():
        out[tag] = []
        for seed in SEEDS:
            run = pattern.format(seed)
            rl = dict(jobs.cpu_job(run)["rl"])
            rl.update(ckpt_every=10 ** 6, val_every=10 ** 6)  # no checkpoints; one validation at the end
            d = tmp_path_factory.mktemp(run)
            cpu.train(model_dir, rows, d, cpu.RLConfig(**rl), log=lambda m: None)
            out[tag].append(_exact(task, d / "model"))
    print({k: v if isinstance(v, dict) else [{m: round(x, 3) for m, x in r.items()} for r in v]
           for k, v in out.items()})
    return out


def _median(res, tag, key):
    return float(np.median([r[key] for r in res[tag]]))


@pytest.mark.slow
def test_default_task_is_the_noisy_add_variant(task):
    assert (task.answer_noise, task.answer_noise_ops, task.test_per_type) == (0.5, (0,), 32)


@pytest.mark.slow
def test_base_prior_is_peaked_and_partly_wrong(base):
    _, m = base
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
def test_dilemma_signature_on_the_median_seed(results):
    base1, basek = results["base"]["val/pass@1"], results["base"]["val/pass@1024"]
    g1, gk = _median(results, "grpo", "val/pass@1"), _median(results, "grpo", "val/pass@1024")
    r1, rk = _median(results, "rs4", "val/pass@1"), _median(results, "rs4", "val/pass@1024")
    assert basek >= 0.99  # the right answer is in the base model's support on every problem
    assert g1 >= base1 + 0.05, (g1, base1)  # (1) GRPO gains pass@1 ...
    assert gk <= basek - 0.20, (gk, basek)  # (2) ... and loses pass@k below the base model
    assert rk >= basek - 0.08, (rk, basek)  # (3) RS-GRPO keeps pass@k ...
    assert rk >= gk + 0.20, (rk, gk)
    assert r1 >= g1 - 0.05, (r1, g1)  # (4) ... without giving up pass@1


@pytest.mark.slow
def test_mechanism_minority_strategies_extinct_under_grpo_learned_under_rs(results):
    """Read off the first token: GRPO drives the minority markers to `add`; RS-GRPO learns their own ops."""
    assert _median(results, "grpo", "val/p_add_minority") >= 0.9
    assert _median(results, "rs4", "val/p_own_minority") >= 0.5


def test_exact_pass_at_k_formula():
    p = np.array([0.0, 0.5, 1.0])
    got = exact_pass_at_k(p, [1, 2])
    assert np.allclose(got, [[0, 0], [0.5, 0.75], [1, 1]])

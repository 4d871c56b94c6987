"""Snakemake/Slurm resources of a job, as the workflow's scripts read them (the library never sees them).

    gpus_per_node(gpu, gres, nnodes) -> int     from a rule's `gpu` (Slurm --gpus, the job total) or `gres`
    parse_gres_count('gpu:h100:4') -> 4
"""

from __future__ import annotations

__all__ = ["gpus_per_node", "parse_gres_count"]


def parse_gres_count(gres: str | None) -> int | None:
    """'gpu:h100:4' / 'gpu:4' -> 4; None or a gres without a count -> None."""
    if not gres:
        return None
    last = str(gres).strip().split(":")[-1]
    return int(last) if last.isdigit() else None


def gpus_per_node(gpu: int | str | None = None, gres: str | None = None, nnodes: int = 1) -> int:
    """GPUs per node of the allocation: a gres count is per node; `gpu` (Slurm --gpus) is the job total."""
    g = parse_gres_count(gres)
    if g is not None:
        return g
    if gpu not in (None, "", 0, "0"):
        total = int(gpu)
        if total % max(nnodes, 1):
            raise ValueError(f"gpu={total} GPUs cannot be split evenly over nodes={nnodes}")
        return total // max(nnodes, 1)
    raise ValueError("the training job has no GPU resource: set `gpu` (or `gres`) for rule train_verl in the "
                     "workflow profile (profiles/default/config.yaml) or your cluster profile")

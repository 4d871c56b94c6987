"""Killable worker processes that run Math-Verify (`parse` + `verify`) with a per-item wall-clock deadline.

Why processes (docs/evaluation.md §5.3, docs/environment.md §4): Math-Verify's own timeouts use ``signal.alarm``, which only
works in a process's main thread (verl calls reward functions from worker threads) and cannot interrupt C code
(huge powers in gmpy/sympy). Each worker here is a fresh interpreter started with
``python -m rsgrpo.eval.grading.pool`` (no fork of a possibly multi-threaded parent, no re-import of the caller's
``__main__``, which matters for Snakemake ``script:`` leaves). Inside a worker Math-Verify runs with its
timeouts disabled and our own ``setitimer`` alarm (float seconds) raises a ``BaseException`` (soft timeout);
the parent kills a worker that overruns ``timeout + grace`` (hard timeout) and starts a replacement.

The pool is persistent (module-level, reused across calls; workers stay warm), thread-safe (calls are
serialised by a lock; safe from any thread) and fork-aware (a forked child builds its own pool).
"""

from __future__ import annotations

import atexit
import collections
import os
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection, wait
from pathlib import Path

__all__ = ["VerifierPool", "get_pool", "shutdown_pool", "DEFAULT_WORKERS", "MEMORY_LIMIT_MB"]

DEFAULT_WORKERS = int(os.environ.get("RSGRPO_GRADING_WORKERS", "0")) or max(1, min(8, os.cpu_count() or 1))
MEMORY_LIMIT_MB = int(os.environ.get("RSGRPO_GRADING_MEMORY_MB", "4096"))  # address-space cap per worker
STARTUP_TIMEOUT_S = 600.0  # a fresh worker imports sympy + math_verify: ~1 s idle, minutes on an overloaded box
_GOLD_CACHE = 4096  # parsed golds kept per worker (parent mirrors the set to size deadlines)


# ----------------------------------------------------------------------------------------------- parent side
class _Worker:
    __slots__ = ("proc", "conn", "ready", "task", "deadline", "t0", "golds", "gold", "born")

    def __init__(self, mem_mb: int):
        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[1])  # so the worker imports this very rsgrpo
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[k] = "1"
        fd = child_sock.fileno()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rsgrpo.eval.grading.pool", str(fd), str(mem_mb)],
            pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env, close_fds=True)
        child_sock.close()
        self.conn = Connection(parent_sock.detach())
        self.ready = False
        self.task: int | None = None
        self.deadline = 0.0
        self.t0 = 0.0
        self.golds: set[str] = set()
        self.gold: str | None = None
        self.born = time.monotonic()

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a zombie that ignores SIGKILL
            pass
        self.conn.close()


class VerifierPool:
    """A persistent set of Math-Verify worker processes. Use :func:`get_pool`; call :meth:`run`."""

    def __init__(self, memory_limit_mb: int = MEMORY_LIMIT_MB):
        self.mem_mb = memory_limit_mb
        self.pid = os.getpid()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self.kills = 0  # hard kills since creation (for logs/tests)

    # tasks: list of (gold, answer_or_None). answer None = only parse the gold.
    def run(self, tasks: list[tuple[str, str | None]], *, workers: int, timeout: float, grace: float = 0.5,
            float_rounding: int = 6, want_canonical: bool = True) -> list[tuple[str, bool, str | None, str | None, float]]:
        """Run tasks; return one ``(status, correct, reason, canonical, seconds)`` per task, in order.

        status is ``ok`` | ``timeout`` | ``error``. Each task gets ``timeout`` seconds of soft budget (plus
        ``timeout`` more when its worker must first parse the gold) and is killed at that budget + ``grace``.
        """
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        out: list = [None] * len(tasks)
        if not tasks:
            return out
        with self._lock:
            self._run(tasks, out, max(1, min(workers, len(tasks))), float(timeout), float(grace),
                      int(float_rounding), want_canonical)
        return out

    def _spawn(self) -> _Worker:
        w = _Worker(self.mem_mb)
        self._workers.append(w)
        return w

    def _retire(self, w: _Worker) -> None:
        w.kill()
        self._workers.remove(w)

    def _run(self, tasks, out, n_workers, timeout, grace, float_rounding, want_canonical) -> None:
        groups: dict[str, collections.deque] = {}
        for i, (gold, _) in enumerate(tasks):
            groups.setdefault(gold, collections.deque()).append(i)
        remaining = len(tasks)
        startup_failures = 0
        while len(self._workers) < n_workers:
            self._spawn()

        def pick(w: _Worker) -> int | None:
            if w.gold in groups:
                q = groups[w.gold]
            else:  # prefer a gold nobody is working on, then the largest backlog
                busy = {x.gold for x in self._workers if x.task is not None}
                free = [g for g in groups if g not in busy]
                q = groups[max(free or groups, key=lambda g: len(groups[g]))]
            i = q.popleft()
            gold = tasks[i][0]
            if not q:
                del groups[gold]
            return i

        while remaining:
            now = time.monotonic()
            busy = [w for w in self._workers if w.task is not None]
            for w in self._workers:
                if not groups or len(busy) >= n_workers:
                    break
                if w.ready and w.task is None:
                    i = pick(w)
                    gold, answer = tasks[i]
                    budget = timeout * (1 if gold in w.golds else 2) + grace
                    try:
                        w.conn.send((gold, answer, timeout, float_rounding, want_canonical))
                    except OSError:  # died while idle: requeue, replace
                        groups.setdefault(gold, collections.deque()).appendleft(i)
                        self._retire(w)
                        self._spawn()
                        break
                    w.task, w.gold, w.t0, w.deadline = i, gold, now, now + budget
                    busy.append(w)
            # wait for any message, or until the nearest deadline
            deadlines = [w.deadline for w in self._workers if w.task is not None]
            deadlines += [w.born + STARTUP_TIMEOUT_S for w in self._workers if not w.ready]
            wait_s = max(0.0, min(deadlines) - time.monotonic()) if deadlines else 1.0
            for conn in wait([w.conn for w in self._workers], timeout=wait_s):
                w = next(x for x in self._workers if x.conn is conn)
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    code = w.proc.poll()
                    if w.task is not None:
                        out[w.task] = ("error", False, f"worker died (exit code {code})", None,
                                       time.monotonic() - w.t0)
                        remaining -= 1
                    elif not w.ready:
                        startup_failures += 1
                    self._retire(w)
                    if startup_failures >= 3:
                        raise RuntimeError("Math-Verify grading workers fail to start (exit code "
                                           f"{code}); run `python -m rsgrpo.eval.grading.pool` to see why")
                    self._spawn()
                    continue
                if msg[0] == "ready":
                    w.ready = True
                    startup_failures = 0
                elif msg[0] == "fatal":
                    self._retire(w)
                    raise RuntimeError(f"Math-Verify grading worker cannot start: {msg[1]}")
                else:  # ("res", status, correct, reason, canonical, gold_parsed)
                    _, status, correct, reason, canonical, gold_ok = msg
                    out[w.task] = (status, correct, reason, canonical, time.monotonic() - w.t0)
                    remaining -= 1
                    if gold_ok and len(w.golds) < _GOLD_CACHE:
                        w.golds.add(w.gold)
                    w.task = None
            now = time.monotonic()
            for w in list(self._workers):
                if w.task is not None and now >= w.deadline:
                    out[w.task] = ("timeout", False, f"hard kill after {now - w.t0:.1f}s", None, now - w.t0)
                    remaining -= 1
                    self.kills += 1
                    self._retire(w)
                    self._spawn()
                elif not w.ready and now >= w.born + STARTUP_TIMEOUT_S:
                    # a slow starter is only fatal when no worker at all is ready (a very busy machine is not)
                    if not any(x.ready for x in self._workers):
                        self._retire(w)
                        raise RuntimeError("no Math-Verify grading worker started within "
                                           f"{STARTUP_TIMEOUT_S:.0f}s; run `python -m rsgrpo.eval.grading.pool`")
                    w.born = now  # keep waiting for it while the others work

    def close(self) -> None:
        with self._lock:
            for w in self._workers:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
            for w in self._workers:
                try:
                    w.proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
                w.kill()
            self._workers.clear()

    def __len__(self) -> int:
        return len(self._workers)


_POOL: VerifierPool | None = None
_POOL_LOCK = threading.Lock()


def get_pool() -> VerifierPool:
    """The process-wide pool (a new one after ``fork``: a child must not share its parent's workers)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.pid != os.getpid():
            _POOL = VerifierPool()
        return _POOL


def shutdown_pool() -> None:
    """Stop the workers (they are restarted on the next call). Registered with ``atexit``."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None and _POOL.pid == os.getpid():
            _POOL.close()
        _POOL = None


atexit.register(shutdown_pool)


# ----------------------------------------------------------------------------------------------- worker side
class _SoftTimeout(BaseException):
    """Raised by our alarm; a BaseException so that Math-Verify's and sympy's `except Exception` let it pass."""


def _serve(fd: int, mem_mb: int) -> None:  # pragma: no cover - runs in the worker process
    import signal
    conn = Connection(fd)
    try:
        if mem_mb > 0:
            import resource
            lim = mem_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
        import logging
        import warnings
        warnings.simplefilter("ignore")
        logging.disable(logging.CRITICAL)  # Math-Verify logs a warning per failed/timeout-less parse
        from rsgrpo.eval.grading import math_verify as _mv
        _mv.warm_up()
    except BaseException as e:  # noqa: BLE001 - report anything that prevents start-up
        conn.send(("fatal", f"{type(e).__name__}: {e}"))
        return

    def on_alarm(signum, frame):
        raise _SoftTimeout

    signal.signal(signal.SIGALRM, on_alarm)
    golds: collections.OrderedDict = collections.OrderedDict()  # gold -> parsed list | error string
    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if msg is None:
            return
        gold, answer, timeout, float_rounding, want_canonical = msg
        status, correct, reason, canonical, gold_ok = "ok", False, None, None, False
        try:
            parsed_gold = golds.get(gold)
            if parsed_gold is None:
                try:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                    parsed_gold = _mv.parse_gold(gold)
                except _SoftTimeout:
                    parsed_gold = f"gold parse timed out after {timeout:g}s"
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                golds[gold] = parsed_gold
                if len(golds) > _GOLD_CACHE:
                    golds.popitem(last=False)
            gold_ok = True
            if isinstance(parsed_gold, str):
                status, reason = "error", parsed_gold
            elif answer is None:  # gold-only task: its canonical form; text-only parses do not count
                if all(isinstance(g, str) for g in parsed_gold):
                    status, reason = "error", f"gold parses only as text ({parsed_gold[0][:60]!r})"
                else:
                    canonical = _mv.canonical(parsed_gold)
            else:
                try:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                    correct, reason, canonical = _mv.verify_answer(parsed_gold, answer, float_rounding,
                                                                    want_canonical)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
        except _SoftTimeout:
            status, correct, reason = "timeout", False, f"soft timeout after {timeout:g}s"
        except MemoryError:
            status, correct, reason = "error", False, f"MemoryError (worker cap {mem_mb} MB)"
        except Exception as e:  # noqa: BLE001 - any failure scores 0 with its reason
            status, correct, reason = "error", False, f"{type(e).__name__}: {str(e)[:200]}"
        try:
            conn.send(("res", status, bool(correct), reason, canonical, gold_ok))
        except (OSError, ValueError):
            return


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 3:
        # manual diagnosis: import the grader the way a worker does
        from rsgrpo.eval.grading import math_verify as _mv
        from rsgrpo.eval.grading.core import grader_versions

        _mv.warm_up()
        print("Math-Verify worker imports fine:", grader_versions())
    else:
        _serve(int(sys.argv[1]), int(sys.argv[2]))

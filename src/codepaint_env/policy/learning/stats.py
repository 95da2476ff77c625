"""The learning runs' statistics over tasks: paired sign-flip tests, bootstrap and Wilson intervals, Holm.

One definition of each, shared by the learning-run reports (:mod:`.experiment`'s, learning run 4's
:mod:`.compare`). A comparison is paired by task: each
model gives a task one value (the mean of its samples), and the test flips the sign of each task's
difference at random.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def bootstrap(values: Sequence[float], *, resamples: int = 5000, seed: int = 0) -> tuple[float, float] | None:
    """A 95 % percentile interval of the mean, resampling the values (one per task).

    Args:
        values: One value per task (a paired difference, or a rate).
        resamples: Bootstrap resamples.
        seed: The resampling's seed.

    Returns:
        ``(low, high)``, or ``None`` for fewer than two values.
    """
    import numpy as np

    if len(values) < 2:
        return None
    rng = np.random.default_rng(seed)
    arr = np.asarray(values, dtype=float)
    means = arr[rng.integers(0, len(arr), size=(resamples, len(arr)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired(before: Mapping[str, float], after: Mapping[str, float], *, resamples: int = 20000,
           seed: int = 0) -> tuple[float, float, int]:
    """Mean per-task difference (after - before), two-sided sign-flip p, and the tasks paired.

    Only the tasks both mappings hold are paired. The p value is the share of ``resamples`` random
    sign flips of the differences whose mean is at least as far from 0 as the observed one.

    Returns:
        ``(mean difference, p, tasks)``; ``(nan, nan, 0)`` when no task is in both.
    """
    import numpy as np

    tasks = sorted(set(before) & set(after))
    if not tasks:
        return float("nan"), float("nan"), 0
    d = np.array([after[t] - before[t] for t in tasks])
    observed = float(d.mean())
    rng = np.random.default_rng(seed)
    null = (rng.choice([-1.0, 1.0], size=(resamples, len(d))) * d).mean(axis=1)
    return observed, float((np.abs(null) >= abs(observed) - 1e-12).mean()), len(tasks)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """Wilson 95 % interval of ``k`` in ``n`` (``None`` when ``n`` is 0)."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment (the family's error rate at most alpha), in the order given."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted = [0.0] * len(pvalues)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted

"""The interface of a deterministic method (SPEC per_seed=False): fitted once, one latent
file (seed_0), its fit saved as plain arrays so placing a new song needs no scikit-learn.

The train stage calls, in order: ``fit(params, arrays)``, ``save(folder)``,
``transform(arrays)`` (the latents), ``summary()`` (metrics/train/<name>.json) and
``curve()`` (plots/train/<name>.csv); `songspace embed` calls ``load(folder)`` and
``transform``. ``arrays`` are the inputs its SPEC reads (training/inputs.py), and
``transform`` must give each row the same bits however many rows come with it.
"""

from pathlib import Path
from typing import Protocol, Self

import numpy as np


class FittedMethod(Protocol):
    MODEL_FILE: str  # what ``save`` writes in models/<method>/

    @classmethod
    def fit(cls, params: dict, arrays: tuple) -> Self: ...

    @classmethod
    def load(cls, folder: Path) -> Self: ...

    def save(self, folder: Path) -> None: ...

    def transform(self, arrays: tuple) -> np.ndarray: ...

    def summary(self) -> dict: ...

    def curve(self) -> str: ...


def variance_curve(ratio: np.ndarray) -> str:
    """Each component's share of the variance and the running total, as CSV: the curve of
    every deterministic method, one row per latent dimension."""
    cumulative = np.cumsum(ratio)
    rows = [f"{i + 1},{r:.6g},{c:.6g}" for i, (r, c) in enumerate(zip(ratio, cumulative,
                                                                       strict=True))]
    return "component,explained_variance_ratio,cumulative\n" + "\n".join(rows) + "\n"


class VarianceSummary:
    """summary() and curve() of a projection that keeps ``explained_variance_ratio`` per
    component (PCA, the tags' SVD)."""

    name: str  # the method, as its SPEC names it
    explained_variance_ratio: np.ndarray

    def summary(self) -> dict:
        ratio = self.explained_variance_ratio
        return {"model": self.name, "n_components": len(ratio),
                "explained_variance_ratio_total": float(ratio.sum())}

    def curve(self) -> str:
        return variance_curve(self.explained_variance_ratio)

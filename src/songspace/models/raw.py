"""The what-no-learning-gives baseline: the z-scored 144 statistics as they are.

Every learned audio space is read against it: a model that holds no more genre than its
own input has learned nothing about genre. It has no params and nothing to fit; what it
saves (models/raw/raw.json) says so, and its curve is each statistic's share of the
variance, the line a reduction of the statistics (PCA) is compared with.
"""

from dataclasses import dataclass
from pathlib import Path

from songspace.io import read_json, write_json
from songspace.models.fitted import variance_curve
from songspace.models.spec import MethodSpec

import numpy as np

SPEC = MethodSpec(
    name="raw", title="Raw statistics", model="RawStatistics", reads="statistics",
    per_seed=False,
)


@dataclass(frozen=True)
class RawStatistics:
    MODEL_FILE = "raw.json"  # in models/<method>/
    variance_ratio: np.ndarray  # (144,) each statistic's share of the variance, largest first

    @classmethod
    def fit(cls, params: dict, arrays: tuple) -> "RawStatistics":
        variance = np.asarray(arrays[0], dtype=np.float64).var(axis=0)
        total = variance.sum()
        share = variance / total if total > 0 else np.zeros_like(variance)
        return cls(np.sort(share)[::-1])

    @property
    def latent_dim(self) -> int:
        return len(self.variance_ratio)

    def transform(self, arrays: tuple) -> np.ndarray:
        return np.asarray(arrays[0], dtype=np.float32)

    def summary(self) -> dict:
        return {"model": "raw", "latent_dim": self.latent_dim}

    def curve(self) -> str:
        return variance_curve(self.variance_ratio)

    def save(self, folder: str | Path) -> None:
        write_json(Path(folder) / self.MODEL_FILE,
                   {"model": "raw", "latent_dim": self.latent_dim,
                    "latents": "the z-scored statistics, unchanged (data/features/zscore.json)",
                    "variance_ratio": [float(f"{r:.6g}") for r in self.variance_ratio]})

    @classmethod
    def load(cls, folder: str | Path) -> "RawStatistics":
        return cls(np.asarray(read_json(Path(folder) / cls.MODEL_FILE)["variance_ratio"]))

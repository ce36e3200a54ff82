"""PCA baseline: a linear, deterministic projection of the z-scored 144 statistics.

Fitted with the exact (full) SVD, so it needs no seed and gives the same components on
every run; saved as plain arrays (no pickle) and applied as (x - mean) @ components.T.
"""

from dataclasses import dataclass
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.io import atomic_path

import numpy as np
from sklearn.decomposition import PCA


@dataclass(frozen=True)
class PCAModel:
    components: np.ndarray  # (n_components, n_features)
    mean: np.ndarray  # (n_features,)
    explained_variance_ratio: np.ndarray  # (n_components,)

    @classmethod
    def fit(cls, x: np.ndarray, n_components: int) -> "PCAModel":
        if n_components > min(x.shape):
            raise SongspaceError(
                f"model.pca.n_components = {n_components} is more than the data allows "
                f"({x.shape[0]} songs x {x.shape[1]} features); lower it")
        pca = PCA(n_components=n_components, svd_solver="full").fit(x)
        return cls(pca.components_.astype(np.float32), pca.mean_.astype(np.float32),
                   pca.explained_variance_ratio_.astype(np.float64))

    @property
    def latent_dim(self) -> int:
        return self.components.shape[0]

    def transform(self, x: np.ndarray) -> np.ndarray:
        """(n, n_components) float32 coordinates."""
        return ((np.asarray(x, dtype=np.float32) - self.mean) @ self.components.T).astype(
            np.float32)

    def save(self, path: str | Path) -> None:
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, components=self.components, mean=self.mean,
                     explained_variance_ratio=self.explained_variance_ratio)

    @classmethod
    def load(cls, path: str | Path) -> "PCAModel":
        with np.load(path, allow_pickle=False) as data:
            return cls(data["components"], data["mean"], data["explained_variance_ratio"])

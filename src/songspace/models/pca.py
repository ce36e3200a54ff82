"""PCA baseline: a linear, deterministic projection of the z-scored 144 statistics.

Fitted with the exact (full) SVD, so it needs no seed and gives the same components on
every run; saved as plain arrays (no pickle) and applied as (x - mean) . components, one
row at a time.
"""

from dataclasses import dataclass
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.io import atomic_path
from songspace.models.fitted import VarianceSummary
from songspace.models.spec import MethodSpec

import numpy as np

SPEC = MethodSpec(
    name="pca", title="PCA", model="PCAModel", reads="statistics", per_seed=False,
    params={"n_components": "an integer >= 1"},
)


@dataclass(frozen=True)
class PCAModel(VarianceSummary):
    MODEL_FILE = "pca.npz"  # in models/<method>/
    name = "pca"

    components: np.ndarray  # (n_components, n_features)
    mean: np.ndarray  # (n_features,)
    explained_variance_ratio: np.ndarray  # (n_components,)

    @classmethod
    def fit(cls, params: dict, arrays: tuple) -> "PCAModel":
        """model.pca.n_components components of the statistics."""
        return cls.from_data(arrays[0], params["model"]["pca"]["n_components"])

    @classmethod
    def from_data(cls, x: np.ndarray, n_components: int) -> "PCAModel":
        """scikit-learn is imported here: placing a song with a saved PCA needs none of it
        (1.2 s to import)."""
        from sklearn.decomposition import PCA

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

    def transform(self, arrays: tuple) -> np.ndarray:
        """The latents of ``arrays`` (the statistics, the inputs SPEC reads)."""
        return self.project(arrays[0])

    def project(self, x: np.ndarray) -> np.ndarray:
        """(n, n_components) float32 coordinates, each row the same bits however many rows
        come with it: einsum sums each coordinate on its own, where OpenBLAS's matrix product
        (``@``) blocks the rows and sums a row in another order depending on where in the
        block it falls (measured), so a new song would not reproduce the subset's latents."""
        centred = np.asarray(x, dtype=np.float32) - self.mean
        return np.einsum("ij,kj->ik", centred, self.components).astype(np.float32)

    def save(self, folder: str | Path) -> None:
        with atomic_path(Path(folder) / self.MODEL_FILE) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, components=self.components, mean=self.mean,
                     explained_variance_ratio=self.explained_variance_ratio)

    @classmethod
    def load(cls, folder: str | Path) -> "PCAModel":
        with np.load(Path(folder) / cls.MODEL_FILE, allow_pickle=False) as data:
            return cls(data["components"], data["mean"], data["explained_variance_ratio"])

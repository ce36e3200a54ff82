"""The tags-alone baseline: TF-IDF of each song's artist_terms reduced by TruncatedSVD.

What the tags say about a song without any audio or learning: the yardstick for the
HybridVAE, which reads the same TF-IDF. TruncatedSVD (latent semantic analysis) works on
the sparse matrix directly; its randomised solver is seeded from params ``seed``, and it
keeps model.text.latent_dim components (the AE's latent size by default). The
components are saved (models/text/svd.npz, plain arrays), so a song outside the subset is
placed by the same projection as the subset's songs.
"""

from dataclasses import dataclass
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.io import atomic_path
from songspace.models.fitted import VarianceSummary
from songspace.models.spec import MethodSpec

import numpy as np
import scipy.sparse as sp

SPEC = MethodSpec(
    name="text", title="Tags (TF-IDF SVD)", model="TextSVD", reads="tfidf", per_seed=False,
    params={"latent_dim": "an integer >= 1"},
)


@dataclass(frozen=True)
class TextSVD(VarianceSummary):
    MODEL_FILE = "svd.npz"  # in models/<method>/
    name = "text"

    components: np.ndarray  # (n_components, vocabulary)
    explained_variance_ratio: np.ndarray  # (n_components,)

    @classmethod
    def fit(cls, params: dict, arrays: tuple) -> "TextSVD":
        """model.text.latent_dim components of the TF-IDF, seeded from params ``seed``."""
        return cls.from_data(arrays[0], params["model"]["text"]["latent_dim"], params["seed"])

    @classmethod
    def from_data(cls, tfidf: sp.csr_matrix, n_components: int, seed: int) -> "TextSVD":
        """scikit-learn is imported here: embedding a song with a saved projection needs
        none of it (1.2 s to import)."""
        from sklearn.decomposition import TruncatedSVD

        if n_components >= min(tfidf.shape):
            raise SongspaceError(
                f"model.text.latent_dim = {n_components} components for the tags baseline need "
                f"more than {tfidf.shape[0]} songs and {tfidf.shape[1]} TF-IDF words; lower it")
        svd = TruncatedSVD(n_components=n_components, random_state=seed).fit(tfidf)
        return cls(svd.components_, svd.explained_variance_ratio_.astype(np.float64))

    @property
    def latent_dim(self) -> int:
        return self.components.shape[0]

    def transform(self, arrays: tuple) -> np.ndarray:
        """The latents of ``arrays`` (the TF-IDF, the input SPEC reads)."""
        return self.project(arrays[0])

    def project(self, tfidf: sp.csr_matrix) -> np.ndarray:
        """(songs, n_components) float32 coordinates: each row's own sparse dot product (as
        TruncatedSVD.transform), so the same bits however many rows come with it."""
        return np.asarray(tfidf @ self.components.T, dtype=np.float32)

    def save(self, folder: str | Path) -> None:
        with atomic_path(Path(folder) / self.MODEL_FILE) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, components=self.components,
                     explained_variance_ratio=self.explained_variance_ratio)

    @classmethod
    def load(cls, folder: str | Path) -> "TextSVD":
        with np.load(Path(folder) / cls.MODEL_FILE, allow_pickle=False) as data:
            return cls(data["components"], data["explained_variance_ratio"])

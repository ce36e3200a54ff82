"""The tags-alone baseline: TF-IDF of each song's artist_terms reduced by TruncatedSVD.

What the tags say about a song without any audio or learning: the yardstick for the
HybridVAE, which reads the same TF-IDF. TruncatedSVD (latent semantic analysis) works on
the sparse matrix directly; its randomised solver is seeded from params ``seed``.
"""

from songspace.errors import SongspaceError

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD


def text_svd(tfidf: sp.csr_matrix, n_components: int, seed: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """((songs, n_components) float32 coordinates, explained variance ratio per component)."""
    if n_components >= min(tfidf.shape):
        raise SongspaceError(
            f"model.ae.latent_dim = {n_components} components for the tags baseline need more "
            f"than {tfidf.shape[0]} songs and {tfidf.shape[1]} TF-IDF words; lower it")
    svd = TruncatedSVD(n_components=n_components, random_state=seed)
    coordinates = svd.fit_transform(tfidf)
    return coordinates.astype(np.float32), svd.explained_variance_ratio_.astype(np.float64)

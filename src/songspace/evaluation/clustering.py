"""K-Means on a latent space, seeded so the same params give the same clusters."""

from songspace.errors import SongspaceError

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans


def cluster(latents: np.ndarray, k: int, n_init: int, algorithm: str, seed: int) -> np.ndarray:
    """Cluster index per row. ``minibatch`` trades a little inertia for speed on big sets."""
    if k > len(latents):
        raise SongspaceError(f"cluster.k = {k} is larger than the {len(latents)} songs")
    if algorithm == "minibatch":
        model = MiniBatchKMeans(n_clusters=k, n_init=n_init, random_state=seed,
                                batch_size=1024)
    else:
        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    return model.fit_predict(latents).astype(np.int64)

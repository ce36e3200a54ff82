"""2-D t-SNE of a latent space for pictures (never for metrics: t-SNE distorts distances).

openTSNE: faster than scikit-learn here (21 s against 31 s at 5,500 songs), picking
Barnes-Hut below 10,000 songs and FFT above ("auto"; FFT has a fixed cost that makes it
slower on small sets). Its map depends on the thread count as well as the seed, so the
count is a param (tsne.threads), never the machine's core count. 2 is the default: on two
idle cores it takes 14 s against 25 s with 1 at 5,500 songs (on cores busy with other work,
1 can be faster: 300 songs, 0.7 s against 12 s).
"""

import numpy as np
from openTSNE import TSNE
from threadpoolctl import threadpool_limits

# Barnes-Hut angle: 0.8 instead of openTSNE's 0.5 cuts the optimisation from 13 s to 9 s at
# 5,500 songs; the map is a picture, and its clusters look the same at either angle.
THETA = 0.8
# Iterations after early exaggeration: 250 instead of openTSNE's 500 saves about
# 4 s a map at 5,500 songs. The maps look the same, and the share of each song's 10 latent
# neighbours kept among its 10 map neighbours barely moves (ConvVAE 0.437 against 0.439,
# PCA 0.327 against 0.330).
N_ITER = 250
# Early-exaggeration iterations: 125 instead of openTSNE's 250 saves about 3 s a map at 5,500
# songs. The maps show the same clusters in the same places (compared side by side for the
# ConvVAE and the AE), and the neighbour share above does not move (0.477 against 0.478).
EARLY_EXAGGERATION_ITER = 125
# Exact nearest neighbours for the affinities up to this many songs: at 5,500 songs in 16
# dimensions they take 0.3 s against 2.4 s for openTSNE's approximate (Annoy) index, and
# they are exact. The index is kept for larger sets, where exact search grows as n^2.
EXACT_NEIGHBOURS_MAX = 20_000


def embed(latents: np.ndarray, perplexity: float, seed: int, threads: int) -> np.ndarray:
    """(n, 2) embedding. Perplexity is capped below n/3, which small test sets need."""
    perplexity = min(perplexity, (len(latents) - 1) / 3)
    neighbours = "exact" if len(latents) <= EXACT_NEIGHBOURS_MAX else "auto"
    model = TSNE(perplexity=perplexity, negative_gradient_method="auto", initialization="pca",
                 neighbors=neighbours, theta=THETA, n_iter=N_ITER,
                 early_exaggeration_iter=EARLY_EXAGGERATION_ITER, n_jobs=threads,
                 random_state=seed)
    with threadpool_limits(threads):
        return np.asarray(model.fit(np.ascontiguousarray(latents, dtype=np.float64)))

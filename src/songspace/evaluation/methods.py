"""The evaluated methods, where their latents live, and how each run's seeds are derived.

A *run* is one entry of train.seeds. Methods trained per seed read that seed's latents;
the baselines (PCA, raw statistics, tags) are deterministic and have one file, so their
runs re-read it and differ only in the clustering, sampling and CV-split seeds: their
spread is clustering randomness alone.
"""

from pathlib import Path

from songspace.errors import SongspaceError

import numpy as np

LATENTS_DIR = Path("data/latents")

# Stage item -> name in tables and titles. Order is the report's row order.
METHODS: dict[str, str] = {
    "ae": "AE",
    "beta_vae": "Beta-VAE",
    "conv_vae": "ConvVAE",
    "hybrid_vae": "HybridVAE",
    "pca": "PCA",
    "raw": "Raw statistics",
    "text": "Tags (TF-IDF SVD)",
}
# The baselines every learned method is read against: what no learning gives (raw: the
# z-scored 144 statistics), a linear reduction of them (PCA), what the tags alone give.
RAW, LINEAR, TAGS = "raw", "pca", "text"
BASELINES = (RAW, LINEAR, TAGS)
SINGLE_LATENT = set(BASELINES)  # deterministic: one latent file, seed_0.npy
TEXT_INPUT = "hybrid_vae"  # reads artist_terms, the tags the genre labels come from

# Independent random streams per run (np.random.SeedSequence keys), so changing one
# use (say, the k-NN split) never shifts another (the K-Means initialisation).
KMEANS, SILHOUETTE, KNN, RANDOM_BASELINE, TSNE = range(5)
# Streams of the seeded samples that bound a figure's cost above a size (params
# cluster.knn_max, tsne.max_songs, retrieval.max_queries): one sample per stream for every
# run and method, so their figures stay comparable.
KNN_SAMPLE, TSNE_SAMPLE, QUERY_SAMPLE = range(5, 8)

# The figures that compare a clustering with the genres, each beside its random baseline.
# Here, not in metrics.py, so the report reads them without importing scikit-learn (1.2 s).
LABEL_METRICS = ("nmi", "ari", "ami", "purity")


def learned() -> list[str]:
    return [m for m in METHODS if m not in BASELINES]


def baselines_for(method: str) -> list[str]:
    """What ``method`` is judged against: raw statistics and PCA for every learned method
    (PCA itself against raw), and the tags alone as well for the one that reads them."""
    if method == RAW or method == TAGS:
        return []
    if method == LINEAR:
        return [RAW]
    return [RAW, LINEAR, *([TAGS] if method == TEXT_INPUT else [])]


def latent_path(method: str, train_seed: int, root: Path = LATENTS_DIR) -> Path:
    """The latent file a run of ``method`` reads."""
    seed = 0 if method in SINGLE_LATENT else train_seed
    return root / method / f"seed_{seed}.npy"


def run_seed(seed: int, train_seed: int, stream: int) -> int:
    """A 32-bit seed for one random choice of one run, derived from params ``seed``."""
    return int(np.random.SeedSequence([seed, train_seed, stream]).generate_state(1)[0])


def seeded_sample(rows: np.ndarray, size: int, seed: int, stream: int) -> np.ndarray | None:
    """``size`` of ``rows`` (row numbers) drawn from params ``seed`` and ``stream``, in their
    order; None when there are no more than ``size``: the bound does not bind, and the figure
    is computed on every row exactly as without it."""
    if len(rows) <= size:
        return None
    rng = np.random.default_rng([seed, stream])
    return np.sort(rng.choice(np.asarray(rows), size=size, replace=False))


def spread_note(method: str) -> str:
    """What the std over runs measures, written into the metrics JSON."""
    if method in SINGLE_LATENT:
        return ("clustering only: one deterministic latent file, K-Means and CV seeds "
                "derived from seed and each train.seeds entry")
    return "training and clustering: one model per train.seeds entry"


def method_from_args(args: list[str]) -> str:
    """The method a per-method stage was called for (``python stages/x.py <method>``)."""
    if len(args) != 1 or args[0] not in METHODS:
        raise SongspaceError(f"expected one method argument, one of {', '.join(METHODS)}; "
                             f"got {' '.join(args) or 'none'}")
    return args[0]

"""The evaluated methods, where their latents live, and how each run's seeds are derived.

The methods are params.yaml's ``methods``, in report order; what each one is (its title,
what it reads, whether it trains per seed) is its SPEC (models/spec.py).
A *run* is one entry of train.seeds. Methods trained per seed read that seed's latents;
the deterministic ones (PCA, raw statistics, tags) have one file, so their runs re-read it
and differ only in the clustering, sampling and CV-split seeds: their spread is clustering
randomness alone.
"""

from pathlib import Path

from songspace.models.spec import spec

import numpy as np

LATENTS_DIR = Path("data/latents")

# The baselines every learned method is read against: what no learning gives (raw: the
# z-scored 144 statistics), a linear reduction of them (PCA), what the tags alone give.
RAW, LINEAR, TAGS = "raw", "pca", "text"
BASELINES = (RAW, LINEAR, TAGS)

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


def title(method: str) -> str:
    """The method's name in tables and titles."""
    return spec(method).title


def single_latent(method: str) -> bool:
    """Deterministic: one latent file, seed_0.npy, re-read by every run."""
    return not spec(method).per_seed


def reads_tags(method: str) -> bool:
    """A learned method that reads artist_terms, the tags the genre labels come from."""
    return method not in BASELINES and spec(method).reads_text


def learned(names: list[str]) -> list[str]:
    return [m for m in names if m not in BASELINES]


def baselines_for(method: str) -> list[str]:
    """What ``method`` is judged against: raw statistics and PCA for every learned method
    (PCA itself against raw), and the tags alone as well for one that reads them."""
    if method == RAW or method == TAGS:
        return []
    if method == LINEAR:
        return [RAW]
    return [RAW, LINEAR, *([TAGS] if reads_tags(method) else [])]


def latent_path(method: str, train_seed: int, root: Path = LATENTS_DIR) -> Path:
    """The latent file a run of ``method`` reads."""
    seed = 0 if single_latent(method) else train_seed
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
    if single_latent(method):
        return ("clustering only: one deterministic latent file, K-Means and CV seeds "
                "derived from seed and each train.seeds entry")
    return "training and clustering: one model per train.seeds entry"

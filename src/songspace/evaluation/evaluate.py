"""One method over its runs: cluster, score, compare with baselines, summarise the spread."""

from collections.abc import Sequence

from songspace.evaluation import methods
from songspace.evaluation.baselines import majority, random_clusterings
from songspace.evaluation.clustering import cluster
from songspace.evaluation.metrics import agreement, knn_probe, silhouette
from songspace.parallel import map_batches, resolve_workers

import numpy as np
from threadpoolctl import threadpool_limits

METRICS = ("silhouette", "nmi", "ari", "ami", "purity", "knn_accuracy", "knn_macro_f1",
           "knn_accuracy_same_artist")


def mean_std(values: Sequence[float | None]) -> dict[str, float | None]:
    """Mean and sample std (ddof=1; 0 for one value): the spread a reader should expect
    from rerunning with another seed."""
    kept = np.array([v for v in values if v is not None], dtype=float)
    if len(kept) == 0:
        return {"mean": None, "std": None}
    std = float(kept.std(ddof=1)) if len(kept) > 1 else 0.0
    return {"mean": float(kept.mean()), "std": std}


# A run's work in three parts, each a task of its own: three runs then share two cores
# evenly (9 tasks, 3 s at 5,500 songs) instead of taking two rounds of whole runs (4 s).
PARTS = ("clusters", "knn_artist_filtered", "knn_same_artist")

# What every part reads, set before the workers fork so they inherit it instead of each
# task unpickling its latents (1M songs x 144 raw statistics: 1.2 GB a task).
_SHARED: tuple | None = None


def knn_rows(labels: np.ndarray, knn_max: int, seed: int) -> np.ndarray | None:
    """The labelled songs the k-NN probe uses: a seeded sample of ``knn_max`` of them, the
    same for every run and method, or None (all of them) when there are no more. Its folds
    are quadratic in songs: one artist-filtered split of 1,000,000 songs took 258 s."""
    return methods.seeded_sample(np.flatnonzero(labels >= 0), knn_max, seed,
                                 methods.KNN_SAMPLE)


def evaluate_part(part: str, latents: np.ndarray, labels: np.ndarray, params: dict, seed: int,
                  train_seed: int, artists: np.ndarray | None = None) -> dict:
    """One part of a run's scores: the clustering and what is measured on it (with its
    random-baseline values), or the k-NN probe with or without the artist filter.

    The probe is artist-filtered when ``artists`` is given; the unfiltered accuracy is kept
    beside it (knn_accuracy_same_artist) to show how much the artist effect adds. Above
    ``params["knn_max"]`` labelled songs it runs on a seeded sample of them (knn_rows).
    """
    knn_seed = methods.run_seed(seed, train_seed, methods.KNN)
    if part in ("knn_artist_filtered", "knn_same_artist"):
        rows = knn_rows(labels, params["knn_max"], seed)
        if rows is not None:
            latents, labels = latents[rows], labels[rows]
            artists = None if artists is None else np.asarray(artists)[rows]
    if part == "knn_artist_filtered":
        return knn_probe(latents, labels, params["knn_neighbors"], params["cv_folds"],
                         knn_seed, artists)
    if part == "knn_same_artist":
        same_artist = knn_probe(latents, labels, params["knn_neighbors"], params["cv_folds"],
                                knn_seed)
        return {"knn_accuracy_same_artist": same_artist["knn_accuracy"]}
    kmeans_seed = methods.run_seed(seed, train_seed, methods.KMEANS)
    clusters = cluster(latents, params["k"], params["n_init"], params["algorithm"], kmeans_seed)
    return {
        "kmeans_seed": kmeans_seed,
        "silhouette": silhouette(latents, clusters, params["silhouette_max"],
                                 methods.run_seed(seed, train_seed, methods.SILHOUETTE)),
        **agreement(labels, clusters),
        "clusters": clusters,
        "chance": random_clusterings(labels, clusters, params["random_repeats"],
                                     methods.run_seed(seed, train_seed,
                                                      methods.RANDOM_BASELINE)),
    }


def _join(parts: dict[str, dict]) -> tuple[dict, np.ndarray, dict[str, list[float]]]:
    """(scores of one run, its cluster per song, its random-baseline values)."""
    clustered = dict(parts["clusters"])
    clusters, chance = clustered.pop("clusters"), clustered.pop("chance")
    scores = {**clustered, **parts["knn_artist_filtered"], **parts["knn_same_artist"]}
    return scores, clusters, chance


def _evaluate_parts_one_thread(jobs: list[tuple[str, int]]) -> list[dict]:
    # One thread: at thousands of songs x tens of dimensions, OpenMP/BLAS pools cost more
    # than they give (K-Means 2 s against 0.05 s on 2 shared cores); same results.
    runs, labels, params, seed, artists = _SHARED
    with threadpool_limits(1):
        return [evaluate_part(part, runs[run][1], labels, params, seed, runs[run][0], artists)
                for part, run in jobs]


def evaluate_method(method: str, runs: list[tuple[int, np.ndarray]], labels: np.ndarray,
                    params: dict, seed: int, artists: np.ndarray | None = None
                    ) -> tuple[dict, dict[str, np.ndarray]]:
    """Metrics JSON for one method and its cluster assignments, one per run.

    ``runs`` pairs each training seed with the latents that run reads; ``params`` is
    params.yaml's ``cluster`` section.
    """
    global _SHARED
    per_seed, assignments = {}, {}
    chance: dict[str, list[float]] = {name: [] for name in methods.LABEL_METRICS}
    jobs = [(part, run) for run in range(len(runs)) for part in PARTS]
    _SHARED = (runs, labels, params, seed, artists)
    try:
        # the parts are independent: one task each, up to one process per core, the same
        # figures
        done = iter(map_batches(_evaluate_parts_one_thread, jobs, batch_size=1,
                                workers=min(resolve_workers(0), len(jobs))))
        results = [_join({part: next(done) for part in PARTS}) for _ in runs]
    finally:
        _SHARED = None
    for (train_seed, _), (scores, clusters, run_chance) in zip(runs, results, strict=True):
        key = f"seed_{train_seed}"
        per_seed[key] = scores
        assignments[key] = clusters
        for name in methods.LABEL_METRICS:
            chance[name].extend(run_chance[name])

    n_songs = len(labels)
    trivial = majority(labels)
    result = {
        "method": method,
        "n_songs": n_songs,
        "n_labelled": int((labels >= 0).sum()),
        "n_seeds": len(runs),
        "latent_dim": int(runs[0][1].shape[1]),
        "k": params["k"],
        "silhouette_songs": min(n_songs, params["silhouette_max"]),
        "knn_songs": min(int((labels >= 0).sum()), params["knn_max"]),
        "spread": methods.spread_note(method),
        "knn_artist_filter": artists is not None,
        **{name: mean_std([run[name] for run in per_seed.values()]) for name in METRICS},
        "baseline": {
            "majority_purity": trivial["purity"],
            "majority_knn_accuracy": trivial["knn_accuracy"],
            "majority_knn_macro_f1": trivial["knn_macro_f1"],
            "random_repeats": params["random_repeats"],
            **{f"random_{name}": mean_std(chance[name]) for name in methods.LABEL_METRICS},
        },
        "seeds": per_seed,
    }
    return result, assignments

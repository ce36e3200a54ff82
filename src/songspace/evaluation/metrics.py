"""Agreement between clusters and genres, cluster shape, and a k-NN genre probe.

Label metrics see only labelled songs (label >= 0); the clustering itself and the
silhouette use every song, as the latent space does.
"""

from songspace.errors import SongspaceError

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    adjusted_mutual_info_score,
    adjusted_rand_score,
    f1_score,
    make_scorer,
    normalized_mutual_info_score,
    silhouette_score,
)
from sklearn.metrics.cluster import contingency_matrix
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier


def purity(labels: np.ndarray, clusters: np.ndarray) -> float:
    """Share of songs in their cluster's most common genre (labelled songs only).

    Never below the majority-class share when one cluster holds everything, so it must
    be read beside that baseline.
    """
    keep = labels >= 0
    if not keep.any():
        return 0.0
    table = contingency_matrix(labels[keep], clusters[keep])
    return float(table.max(axis=0).sum() / keep.sum())


def agreement(labels: np.ndarray, clusters: np.ndarray) -> dict[str, float]:
    """NMI, ARI, AMI and purity of ``clusters`` against ``labels``, unlabelled rows dropped."""
    keep = labels >= 0
    y, c = labels[keep], clusters[keep]
    return {
        "nmi": float(normalized_mutual_info_score(y, c)),
        "ari": float(adjusted_rand_score(y, c)),
        "ami": float(adjusted_mutual_info_score(y, c)),
        "purity": purity(labels, clusters),
    }


def silhouette(latents: np.ndarray, clusters: np.ndarray, max_songs: int,
               seed: int) -> float | None:
    """Mean silhouette in the latent space: exact up to ``max_songs``, sampled above
    (exact is quadratic in songs). None when there is only one cluster."""
    if len(np.unique(clusters)) < 2:
        return None
    sample = max_songs if len(latents) > max_songs else None
    return float(silhouette_score(latents, clusters, sample_size=sample, random_state=seed))


def knn_probe(latents: np.ndarray, labels: np.ndarray, neighbors: int, folds: int,
              seed: int, artists: np.ndarray | None = None) -> dict[str, float]:
    """Cross-validated accuracy and macro-F1 of a k-NN genre classifier on the latents.

    A stronger view than clustering: it asks whether genres are *locally* separable,
    not whether K-Means happens to cut along them. Folds are capped at the smallest
    class's size so every fold can be stratified.

    With ``artists``, folds are grouped by artist (an *artist filter*): songs by one
    artist share both sound and tags, so without it the probe partly recognises the
    artist, not the genre, and overstates genre accuracy (a known MIR pitfall).
    """
    keep = labels >= 0
    x, y = latents[keep], labels[keep]
    groups = None if artists is None else np.asarray(artists)[keep]
    counts = np.bincount(y)
    smallest = int(counts[counts > 0].min()) if len(y) else 0
    n_folds = min(folds, smallest)
    if n_folds < 2 or len(np.unique(y)) < 2:
        raise SongspaceError(
            f"the k-NN probe needs at least 2 genres with 2 songs each; got counts "
            f"{counts.tolist()}; raise data.task size or lower genres.n")
    train_size = len(y) - len(y) // n_folds - 1
    model = KNeighborsClassifier(n_neighbors=min(neighbors, train_size))
    if groups is not None:
        n_folds = min(n_folds, len(np.unique(groups)))
        splitter = StratifiedGroupKFold(n_folds, shuffle=True, random_state=seed)
    else:
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    scores = cross_validate(
        model, x, y, groups=groups, cv=splitter,
        scoring={"accuracy": make_scorer(accuracy_score),
                 "macro_f1": make_scorer(f1_score, average="macro", zero_division=0)})
    return {"knn_accuracy": float(scores["test_accuracy"].mean()),
            "knn_macro_f1": float(scores["test_macro_f1"].mean()),
            "knn_folds": n_folds}


def makeup(labels: np.ndarray, clusters: np.ndarray, genres: list[str]) -> pd.DataFrame:
    """Songs per (cluster, genre), unlabelled songs as genre "(unlabelled)": long table with
    columns cluster, genre, songs, clusters ordered largest first."""
    names = np.array([*genres, "(unlabelled)"], dtype=object)[np.where(labels >= 0, labels, -1)]
    table = (pd.DataFrame({"cluster": clusters, "genre": names})
             .value_counts().rename("songs").reset_index())
    sizes = table.groupby("cluster")["songs"].sum()
    order = {c: i for i, c in enumerate(sorted(sizes.index, key=lambda c: (-sizes[c], c)))}
    genre_order = {g: i for i, g in enumerate([*genres, "(unlabelled)"])}
    table = table.sort_values(["cluster", "genre"],
                              key=lambda col: col.map(order if col.name == "cluster"
                                                      else genre_order))
    return table.reset_index(drop=True)

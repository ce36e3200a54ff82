"""What chance and the majority class score, so no number is read on its own.

Purity in particular rewards imbalance: putting every song in one cluster already
scores the majority-class share.
"""

from songspace.evaluation.methods import LABEL_METRICS
from songspace.evaluation.metrics import agreement

import numpy as np


def majority(labels: np.ndarray) -> dict[str, float]:
    """Scores of the trivial answer "every song is the most common genre"."""
    y = labels[labels >= 0]
    counts = np.bincount(y)
    share = float(counts.max() / len(y)) if len(y) else 0.0
    n_classes = int((counts > 0).sum())
    # Constant prediction: F1 of the majority class is 2p / (1 + p), every other class 0.
    macro_f1 = 2 * share / (1 + share) / n_classes if n_classes else 0.0
    return {"purity": share, "nmi": 0.0, "ari": 0.0, "ami": 0.0,
            "knn_accuracy": share, "knn_macro_f1": macro_f1}


def random_clusterings(labels: np.ndarray, clusters: np.ndarray, repeats: int,
                       seed: int) -> dict[str, list[float]]:
    """Label metrics of ``repeats`` random clusterings with the same cluster sizes.

    Shuffling the assignment over all songs keeps every cluster's size, so what is
    left is the score of cluster sizes alone, with no information about genre.
    """
    rng = np.random.default_rng(seed)
    values: dict[str, list[float]] = {name: [] for name in LABEL_METRICS}
    for _ in range(repeats):
        for name, value in agreement(labels, rng.permutation(clusters)).items():
            values[name].append(value)
    return values

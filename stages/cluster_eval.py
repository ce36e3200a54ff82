"""Stage cluster_eval (one per method): K-Means on each run's latents, scored against the
derived genres beside the majority-class and random-clustering baselines.

Usage: python stages/cluster_eval.py <method>   (ae, beta_vae, conv_vae, hybrid_vae, pca)
"""

from pathlib import Path

from songspace.evaluation import methods
from songspace.evaluation.data import load_labels, load_runs, load_songs
from songspace.evaluation.evaluate import evaluate_method
from songspace.evaluation.metrics import makeup
from songspace.evaluation.pictures import cluster_makeup
from songspace.io import atomic_path, write_json
from songspace.stage import method_and_params, run_stage

import pandas as pd

METRICS_DIR = Path("metrics/cluster")
CLUSTERS_DIR = Path("data/clusters")
PLOTS_DIR = Path("plots/clusters")


def main() -> None:
    method, params = method_and_params()
    labels, genres, table = load_labels()
    runs = load_runs(method, params["train"]["seeds"], len(labels))
    artists = load_songs(table["track_id"].tolist())["artist_name"].to_numpy()
    result, assignments = evaluate_method(method, runs, labels, params["cluster"],
                                          params["seed"], artists)
    write_json(METRICS_DIR / f"{method}.json", result)

    with atomic_path(CLUSTERS_DIR / f"{method}.csv") as tmp:
        pd.DataFrame({"track_id": table["track_id"], **assignments}).to_csv(tmp, index=False)
    first = next(iter(assignments))
    counts = makeup(labels, assignments[first], genres)
    with atomic_path(PLOTS_DIR / f"{method}.csv") as tmp:
        counts.to_csv(tmp, index=False)
    name = methods.title(method)
    cluster_makeup(PLOTS_DIR / f"{method}.png", counts, genres,
                   result["baseline"]["majority_purity"],
                   f"{name}: genres in each K-Means cluster ({first.replace('_', ' ')}), "
                   f"purity {result['seeds'][first]['purity']:.3f}")
    print(f"cluster_eval {method}: NMI {result['nmi']['mean']:.3f} ± {result['nmi']['std']:.3f} "
          f"(random {result['baseline']['random_nmi']['mean']:.3f}), purity "
          f"{result['purity']['mean']:.3f} (majority {result['baseline']['majority_purity']:.3f}),"
          f" k-NN accuracy {result['knn_accuracy']['mean']:.3f}")


if __name__ == "__main__":
    run_stage(main)

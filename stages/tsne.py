"""Stage tsne (one per method): a 2-D t-SNE map of the first training seed's latents, as a
PNG coloured by genre and as a CSV that `dvc plots show` draws interactively. The CSV
carries each point's colour from pictures.palette, the one the PNG uses, and the template
(.dvc/plots/tsne_genre.json) takes its colour scale from that column: one genre, one colour.

Usage: python stages/tsne.py <method>
"""

from pathlib import Path

from songspace.evaluation import methods
from songspace.evaluation.data import load_labels, load_latents, load_songs
from songspace.evaluation.pictures import UNLABELLED, palette, tsne_scatter
from songspace.evaluation.tsne import embed
from songspace.io import atomic_path, read_json
from songspace.stage import method_and_params, run_stage

import numpy as np
import pandas as pd

PLOTS_DIR = Path("plots/tsne")
CLUSTERS_DIR = Path("data/clusters")
METRICS_DIR = Path("metrics/cluster")


def main() -> None:
    method, params = method_and_params()
    train_seed = params["train"]["seeds"][0]
    labels, genres, table = load_labels()
    songs = load_songs(table["track_id"].tolist())
    latents = load_latents(methods.latent_path(method, train_seed), len(labels))
    clusters = pd.read_csv(CLUSTERS_DIR / f"{method}.csv")[f"seed_{train_seed}"]
    metrics = read_json(METRICS_DIR / f"{method}.json")
    n_songs = len(labels)
    # Above tsne.max_songs a seeded sample is mapped (the same songs for every method): a map
    # of every song would take hours at 1,000,000, and its scatter would open in no browser.
    rows = methods.seeded_sample(np.arange(n_songs), params["tsne"]["max_songs"],
                                 params["seed"], methods.TSNE_SAMPLE)
    if rows is not None:
        latents, labels, clusters = latents[rows], labels[rows], clusters.iloc[rows]
        table, songs = table.iloc[rows], songs.iloc[rows]

    xy = embed(latents, params["tsne"]["perplexity"],
               methods.run_seed(params["seed"], train_seed, methods.TSNE),
               params["tsne"]["threads"])

    names = np.where(labels >= 0, table["genre"], UNLABELLED)
    colours = palette(genres)
    points = pd.DataFrame({"x": xy[:, 0].round(4), "y": xy[:, 1].round(4), "genre": names,
                           "colour": [colours[name] for name in names],
                           "cluster": clusters.to_numpy(), "title": songs["title"].to_numpy(),
                           "artist_name": songs["artist_name"].to_numpy()})
    with atomic_path(PLOTS_DIR / f"{method}.csv") as tmp:
        points.to_csv(tmp, index=False)
    nmi = metrics["nmi"]
    sampled = "" if rows is None else f" (a seeded sample of {len(rows):,} of {n_songs:,} songs)"
    title = (f"{methods.title(method)}: t-SNE of seed {train_seed} latents{sampled}\n"
             f"NMI {metrics['seeds'][f'seed_{train_seed}']['nmi']:.3f} "
             f"(mean over {metrics['n_seeds']} seeds {nmi['mean']:.3f} ± {nmi['std']:.3f})")
    tsne_scatter(PLOTS_DIR / f"{method}.png", xy, labels, genres, title)
    print(f"tsne {method}: {len(xy)} of {n_songs} songs mapped")


if __name__ == "__main__":
    run_stage(main)

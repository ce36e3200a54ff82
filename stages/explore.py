"""Stage explore: reports/explorer/index.html, one offline page with every method's t-SNE map
side by side, a linked selection, search by title or artist, and a chosen song's nearest
neighbours in a latent space.

Neighbours are searched here, in the first training seed's latents, with the search code
retrieval_eval and `songspace similar` use (exact, retrieval.metric): at up to tsne.max_songs
songs they are retrieval_eval's own; above it, among the mapped sample (the page lists no song
it cannot show). Similar-artist marks are the hits of retrieval_eval's figure.

Usage: python stages/explore.py
"""

from pathlib import Path

from songspace.errors import SongspaceError
from songspace.evaluation import methods
from songspace.evaluation.data import load_labels, load_latents, load_songs
from songspace.evaluation.pictures import UNLABELLED, palette
from songspace.explorer import page
from songspace.explorer.data import MethodMap, page_data
from songspace.features.similar import read_similar
from songspace.io import read_json
from songspace.models.spec import listed, spec
from songspace.params import load_params
from songspace.retrieval import search
from songspace.retrieval.figures import similar_hits, song_facts
from songspace.stage import run_stage

import numpy as np
import pandas as pd

TSNE_DIR = Path("plots/tsne")
CLUSTER_METRICS = Path("metrics/cluster")
RETRIEVAL_METRICS = Path("metrics/retrieval")
FEATURES_DIR = Path("data/features")
OUT = Path("reports/explorer")


def learned_audio(names: list[str]) -> list[str]:
    """The learned methods that read audio alone (the HybridVAE reads tags too)."""
    return [m for m in methods.learned(names) if not spec(m).reads_text]


def default_maps(figures: dict[str, dict]) -> tuple[str, str]:
    """The learned audio-only method with the best k-NN accuracy, beside PCA."""
    scored = [(figures[m]["knn_accuracy"], m) for m in learned_audio(list(figures))
              if figures[m]["knn_accuracy"] is not None]
    left = max(scored)[1] if scored else next(iter(figures))
    return left, methods.LINEAR if methods.LINEAR in figures else left


def headline(method: str) -> dict[str, float | None]:
    """Mean over training seeds of the figures the page shows beside a method's name."""
    cluster = read_json(CLUSTER_METRICS / f"{method}.json")
    retrieval = read_json(RETRIEVAL_METRICS / f"{method}.json")
    return {"knn_accuracy": cluster["knn_accuracy"]["mean"], "nmi": cluster["nmi"]["mean"],
            "similar_artist_rate": retrieval["similar_artist_rate"]["mean"]}


def mapped_points(method: str, titles: np.ndarray) -> pd.DataFrame:
    """The method's t-SNE CSV, checked to list the page's songs in order."""
    path = TSNE_DIR / f"{method}.csv"
    if not path.exists():
        raise SongspaceError(f"{path} not found; run `dvc repro tsne@{method}`")
    points = pd.read_csv(path, keep_default_na=False, dtype={"title": str})
    if len(points) != len(titles) or (points["title"].astype(str).to_numpy() != titles).any():
        raise SongspaceError(f"{path} maps other songs than tsne.max_songs and the subset "
                             f"give; rerun `dvc repro tsne@{method}`")
    return points


def main() -> None:
    params = load_params()
    train_seed = params["train"]["seeds"][0]
    retrieval = params["retrieval"]
    labels, genres, table = load_labels()
    track_ids = table["track_id"].tolist()
    songs = load_songs(track_ids)
    similar = read_similar(FEATURES_DIR, track_ids)
    n_songs = len(labels)
    # The songs the t-SNE stage mapped: the same seeded sample, the same for every method.
    rows = methods.seeded_sample(np.arange(n_songs), params["tsne"]["max_songs"],
                                 params["seed"], methods.TSNE_SAMPLE)
    rows = np.arange(n_songs) if rows is None else rows
    songs, labels = songs.iloc[rows], labels[rows]
    facts = song_facts(similar["artist_id"].take(rows), similar["similar_artists"].take(rows),
                       labels)
    del similar
    titles = songs["title"].astype(str).to_numpy()

    maps = []
    for method in listed(params):
        points = mapped_points(method, titles)
        latents = load_latents(methods.latent_path(method, train_seed), n_songs)[rows]
        index = search.build(latents, retrieval["metric"], retrieval["exact_max"])
        _, found = search.neighbours(index, latents, retrieval["k"])
        maps.append(MethodMap(method, methods.title(method),
                              points[["x", "y"]].to_numpy(), points["cluster"].to_numpy(),
                              found, similar_hits(facts, found), headline(method)))
    colours = palette(genres)
    mapped = ("every song mapped" if len(rows) == n_songs
              else f"a seeded sample of {n_songs:,} (tsne.max_songs), neighbours among them")
    document = page_data(titles.tolist(), songs["artist_name"].astype(str).tolist(), labels, genres,
                         [colours[g] for g in genres] + [colours[UNLABELLED]], maps,
                         default_maps({m.name: m.figures for m in maps}),
                         f"{mapped}; maps: t-SNE of training seed {train_seed}'s latents; "
                         f"neighbours: the {retrieval['k']} nearest in that latent space "
                         f"({retrieval['metric']})")
    sizes = page.write(OUT, document)
    print(f"explore: {len(rows):,} songs x {len(maps)} methods, "
          f"{sum(sizes.values()) / 1e6:.2f} MB in {OUT}/ (data.js {sizes['data.js'] / 1e6:.2f} MB)")


if __name__ == "__main__":
    run_stage(main)

"""Loading the evaluation inputs, with one-line errors that say which stage to run."""

import json
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.evaluation import methods

import numpy as np
import pandas as pd

LABELS_DIR = Path("data/labels")
SONGS = Path("data/subset/songs.csv")


def load_labels(root: Path = LABELS_DIR) -> tuple[np.ndarray, list[str], pd.DataFrame]:
    """(label per song, -1 unlabelled; genre names by label; the genres.csv table)."""
    try:
        table = pd.read_csv(root / "genres.csv", keep_default_na=False)
        genres = json.loads((root / "classes.json").read_text(encoding="utf-8"))["genres"]
    except FileNotFoundError as error:
        raise SongspaceError(f"{error.filename} not found; run `dvc repro derive_genres`") from None
    return table["label"].to_numpy(dtype=np.int64), genres, table


def load_latents(path: Path, n_songs: int) -> np.ndarray:
    """A (n_songs, d) float64 latent matrix; the row count must match the labels."""
    if not path.exists():
        method = path.parent.name
        raise SongspaceError(f"{path} not found; run `dvc repro train@{method}` first")
    latents = np.load(path, allow_pickle=False)
    if latents.ndim != 2 or latents.shape[0] != n_songs:
        raise SongspaceError(
            f"{path} has shape {latents.shape}, expected ({n_songs}, d) like data/labels; "
            "rerun the train stage so latents and labels come from the same subset")
    if not np.isfinite(latents).all():
        raise SongspaceError(f"{path} holds NaN or infinite values; the training diverged")
    return latents.astype(np.float64)


def load_runs(method: str, train_seeds: list[int], n_songs: int
              ) -> list[tuple[int, np.ndarray]]:
    """(train seed, latents) of each run of ``method``; a file several runs read (the
    deterministic baselines) is loaded once and shared by them."""
    loaded: dict[Path, np.ndarray] = {}
    runs = []
    for seed in train_seeds:
        path = methods.latent_path(method, seed)
        if path not in loaded:
            loaded[path] = load_latents(path, n_songs)
        runs.append((seed, loaded[path]))
    return runs


def load_songs(track_ids: list[str], path: Path = SONGS) -> pd.DataFrame:
    """track_id, title, artist_name of the subset songs, checked to be in ``track_ids``'
    order (the labels' and latents' order)."""
    try:
        songs = pd.read_csv(path, keep_default_na=False)
    except FileNotFoundError:
        raise SongspaceError(f"{path} not found; run `dvc repro subset`") from None
    if songs["track_id"].tolist() != list(track_ids):
        raise SongspaceError(f"{path} and data/labels/genres.csv list different songs or "
                             "orders; rerun `dvc repro`")
    return songs[["track_id", "title", "artist_name"]]

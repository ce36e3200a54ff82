"""Where a method's search index lives: data/retrieval/<method>/index.json says how its
space is searched (exact, or the approximate index.npz beside it, built by the
retrieval_eval stage on the first training seed's latents)."""

import shutil
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.io import read_json, write_json
from songspace.retrieval import search

INDEX_DIR = Path("data/retrieval")
INDEX_FILE = "index.npz"  # the HNSW graphs (search.Index.save)


def write(method: str, index: search.Index, train_seed: int, root: Path = INDEX_DIR) -> None:
    """Replace the method's index folder: index.json, and index.npz when approximate."""
    folder = root / method
    staging = folder.with_name(f".{method}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if index.kind == "approximate":
        index.save(staging / INDEX_FILE)
    write_json(staging / "index.json", {"method": method, "kind": index.kind,
                                        "metric": index.metric, "n_songs": index.n_songs,
                                        "train_seed": train_seed})
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


def read(method: str, root: Path = INDEX_DIR) -> tuple[dict, Path]:
    """(index.json, the approximate index file's path) of a method."""
    info = root / method / "index.json"
    if not info.exists():
        raise SongspaceError(f"{info} not found; run `dvc repro retrieval_eval@{method}`")
    return read_json(info), root / method / INDEX_FILE

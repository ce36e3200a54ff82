"""What the explorer page draws, as one compact, byte-stable JSON document.

Text (titles, artist names, genre names) is stored once per song and shared by every method;
each method adds only numbers: its map coordinates, K-Means clusters, neighbours and the
similar-artist marks, as little-endian arrays in base64 (a 20,000-song method is ~0.6 MB,
where JSON lists of numbers would be ~3 MB). Coordinates are quantised to 0..COORD_MAX on the
map's longer side, far finer than a screen shows. Keys are sorted and floats rounded, so the
same inputs give the same bytes on every run (dvc.lock records them).
"""

import base64
import json
from dataclasses import dataclass

import numpy as np

COORD_MAX = 10_000
FIGURES = ("knn_accuracy", "nmi", "similar_artist_rate")  # shown beside each method's name
DIGITS = 4


@dataclass
class MethodMap:
    """One method's share of the page: ``xy`` (n, 2) map coordinates, ``clusters`` (n,),
    ``neighbours`` (n, k) song rows nearest first, ``similar`` (n, k) bool marks, and its
    headline ``figures`` (FIGURES; None where not measured)."""

    name: str
    title: str
    xy: np.ndarray
    clusters: np.ndarray
    neighbours: np.ndarray
    similar: np.ndarray
    figures: dict[str, float | None]


def encode(values: np.ndarray, dtype: str) -> str:
    """``values`` as little-endian ``dtype`` bytes in base64 (the page decodes them with
    typed arrays)."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def quantise(xy: np.ndarray) -> np.ndarray:
    """Map coordinates as integers 0..COORD_MAX on the longer side, the aspect kept."""
    xy = np.asarray(xy, dtype=np.float64)
    low = xy.min(axis=0)
    span = float((xy.max(axis=0) - low).max()) or 1.0
    return np.rint((xy - low) / span * COORD_MAX).astype(np.uint16)


def index_type(n_songs: int) -> str:
    """The narrowest unsigned type that holds a song row."""
    return "<u2" if n_songs <= 2**16 else "<u4"


def _figure(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def method_entry(entry: MethodMap, n_songs: int) -> dict:
    """A method's arrays and figures, checked to describe the page's ``n_songs`` songs."""
    k = entry.neighbours.shape[1] if entry.neighbours.ndim == 2 else -1
    shapes = {"xy": (entry.xy.shape, (n_songs, 2)),
              "clusters": (entry.clusters.shape, (n_songs,)),
              "neighbours": (entry.neighbours.shape, (n_songs, k)),
              "similar": (entry.similar.shape, (n_songs, k))}
    for name, (got, wanted) in shapes.items():
        if got != wanted:
            raise ValueError(f"{entry.name}: {name} has shape {got}, expected {wanted}")
    if n_songs and not (0 <= entry.neighbours.min() and entry.neighbours.max() < n_songs):
        raise ValueError(f"{entry.name}: neighbour rows outside 0..{n_songs - 1}")
    if entry.clusters.min(initial=0) < 0 or entry.clusters.max(initial=0) > 255:
        raise ValueError(f"{entry.name}: clusters must be 0..255")
    return {"name": entry.name, "title": entry.title,
            "figures": {name: _figure(entry.figures.get(name)) for name in FIGURES},
            "xy": encode(quantise(entry.xy), "<u2"),
            "cluster": encode(entry.clusters, "u1"),
            "n_clusters": int(entry.clusters.max(initial=-1)) + 1,
            "neighbours": encode(entry.neighbours, index_type(n_songs)),
            "similar": encode(np.packbits(entry.similar.astype(bool), axis=None), "u1"),
            "k": int(k)}


def page_data(titles: list[str], artist_names: list[str], labels: np.ndarray,
              genres: list[str], colours: list[str], maps: list[MethodMap],
              default: tuple[str, str], note: str) -> dict:
    """The page's document: songs (title, artist, genre label, -1 unlabelled), genre names
    and their colours (the unlabelled colour last), one entry per method in report order,
    the two methods shown first, and a line on which songs are mapped."""
    n_songs = len(titles)
    if len(artist_names) != n_songs or len(labels) != n_songs:
        raise ValueError("titles, artist names and labels must list the same songs")
    if len(colours) != len(genres) + 1:
        raise ValueError("one colour per genre, and one for unlabelled songs last")
    names = [entry.name for entry in maps]
    if not set(default) <= set(names):
        raise ValueError(f"default maps {default} are not among the methods {names}")
    artists, artist_rows = np.unique(np.asarray(artist_names, dtype=object), return_inverse=True)
    labels = np.asarray(labels, dtype=np.int64)
    genre = np.where(labels >= 0, labels, len(genres))  # unlabelled: the last colour
    return {"format": 1, "n_songs": n_songs, "note": note,
            "titles": list(titles), "artists": [str(a) for a in artists],
            "artist": encode(artist_rows, "<u4"), "genres": list(genres),
            "colours": list(colours), "genre": encode(genre, "u1"),
            "index_type": index_type(n_songs), "default": list(default),
            "methods": [method_entry(entry, n_songs) for entry in maps]}


def dumps(document: dict) -> str:
    """The document as compact JSON with sorted keys (the same bytes for the same data)."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)

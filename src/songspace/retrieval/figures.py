"""The retrieval figures: of each song's k neighbours, the share that are by an artist the
MSD judges similar to its own, by its own artist, or of its own derived genre."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FIGURES = ("similar_artist_rate", "same_artist_rate", "same_genre_rate")


@dataclass
class SongFacts:
    """What the figures compare, one entry per song (subset order)."""

    artist: np.ndarray       # artist code per song
    similar_list: np.ndarray  # code of each song's similar-artist list, -1 for an empty one
    similar_pairs: np.ndarray  # sorted keys list_code * n_artist_codes + artist code
    n_codes: int
    labels: np.ndarray       # derived genre, -1 unlabelled


def song_facts(artist_ids: Sequence[str] | pa.Array | pa.ChunkedArray,
               similar_artists: Sequence[Sequence[str]] | pa.Array | pa.ChunkedArray,
               labels: np.ndarray) -> SongFacts:
    """Integer codes for artists and lists, so the figures are array lookups even at 1M songs.
    Songs of one artist share one list in the MSD; each distinct list is stored once.

    Python lists or Arrow arrays (similar.parquet's columns as read): the ids are coded in
    Arrow, since at 1,000,000 songs the lists hold 100,000,000 ids, 7 GB as Python strings.
    """
    artist_ids = _combined(artist_ids, pa.string())
    lists = _combined(similar_artists, pa.list_(pa.string()))
    n_songs = len(artist_ids)
    coded = pc.dictionary_encode(pa.concat_arrays([artist_ids, pc.list_flatten(lists)]))
    codes = coded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    artist, members = codes[:n_songs], codes[n_songs:]
    ends = np.cumsum(pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False))
    starts = ends - np.diff(ends, prepend=0)
    # each distinct list (by its ids, in order) gets a code where first seen, in song order
    distinct: dict[bytes, int] = {}
    similar_list = np.full(n_songs, -1, dtype=np.int64)
    first_song: list[int] = []
    for song in np.flatnonzero(ends > starts).tolist():
        key = members[starts[song]:ends[song]].tobytes()
        if key not in distinct:
            distinct[key] = len(first_song)
            first_song.append(song)
        similar_list[song] = distinct[key]
    n_codes = len(coded.dictionary)
    sizes = (ends - starts)[first_song]
    picked = np.concatenate([np.arange(starts[f], ends[f]) for f in first_song]
                            or [np.zeros(0, np.int64)])
    pairs = np.unique(np.repeat(np.arange(len(first_song), dtype=np.int64), sizes) * n_codes
                      + members[picked])
    return SongFacts(artist, similar_list, pairs, n_codes, np.asarray(labels, np.int64))


def _combined(values, kind: pa.DataType) -> pa.Array:
    """One Arrow array from Python values or a (chunked) Arrow array."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks else pa.array([], kind)
    return values if isinstance(values, pa.Array) else pa.array(list(values), kind)


def _sorted_contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``np.isin(keys, sorted_keys)`` by binary search, which the sorted keys allow: 0.2 s
    less a run than isin's hashing at 5,500 songs."""
    if len(sorted_keys) == 0:
        return np.zeros(keys.shape, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def _rate(hits: np.ndarray, queries: np.ndarray) -> float | None:
    """Share of hits over the queries' neighbours (None when no song qualifies)."""
    return float(hits[queries].mean()) if queries.any() else None


def queries(facts: SongFacts) -> dict[str, np.ndarray]:
    """Which songs each figure is measured on: songs with a similar-artist list; songs whose
    artist has at least 2 songs here (else no neighbour could be by that artist); labelled."""
    counts = np.bincount(facts.artist, minlength=facts.n_codes)
    return {"similar_artist_rate": facts.similar_list >= 0,
            "same_artist_rate": counts[facts.artist] >= 2,
            "same_genre_rate": facts.labels >= 0}


def similar_hits(facts: SongFacts, found: np.ndarray, rows: np.ndarray | None = None
                 ) -> np.ndarray:
    """Which neighbours ``found`` (queries, k) of the songs ``rows`` (every song when None)
    are by an artist the MSD lists as similar to the query song's artist: the similar-artist
    figure's hits, one per neighbour (the explorer marks them)."""
    similar_list = facts.similar_list[slice(None) if rows is None else rows]
    keys = similar_list[:, None] * facts.n_codes + facts.artist[found]
    return _sorted_contains(facts.similar_pairs, keys) & (similar_list[:, None] >= 0)


def figures(facts: SongFacts, found: np.ndarray, rows: np.ndarray | None = None
            ) -> dict[str, float | None]:
    """The three rates for neighbour indices ``found`` (queries, k) of the songs ``rows``
    (every song when None)."""
    at = slice(None) if rows is None else rows
    asked = {name: mask[at] for name, mask in queries(facts).items()}
    artist, labels = facts.artist[at], facts.labels[at]
    similar = similar_hits(facts, found, rows)
    same_artist = facts.artist[found] == artist[:, None]
    same_genre = facts.labels[found] == labels[:, None]
    return {"similar_artist_rate": _rate(similar, asked["similar_artist_rate"]),
            "same_artist_rate": _rate(same_artist, asked["same_artist_rate"]),
            "same_genre_rate": _rate(same_genre, asked["same_genre_rate"])}
